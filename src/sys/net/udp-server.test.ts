import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { randomInt } from 'node:crypto'
import { DgramTransport, type UdpListener } from './udp-server.js'

/** Listens on a random loopback port (retrying when it is taken). */
async function listenSomewhere(fn: (port: number) => Promise<UdpListener>): Promise<{ port: number; listener: UdpListener }> {
  for (let i = 0; ; i++) {
    const port = randomInt(20000, 30000)
    try {
      return { port, listener: await fn(port) }
    } catch (err) {
      if (i > 20) throw err
    }
  }
}

test('DgramTransport answers UDP datagrams and query() gets the reply', async (t) => {
  const udp = new DgramTransport()
  const { port, listener } = await listenSomewhere((p) => udp.listen('127.0.0.1', p, async (req) => Buffer.from(`echo ${req.data.toString()} from ${req.address}`)))
  t.after(() => listener.close())
  assert.equal((await udp.query('127.0.0.1', port, Buffer.from('hi'), 2000))?.toString(), 'echo hi from 127.0.0.1')
})

test('DgramTransport.listenTcp() answers length-prefixed messages, several per connection', async (t) => {
  const udp = new DgramTransport()
  const { port, listener } = await listenSomewhere((p) => udp.listenTcp('127.0.0.1', p, async (req) => Buffer.from(req.data.toString().toUpperCase())))
  t.after(() => listener.close())
  const frame = (s: string): Buffer => Buffer.concat([Buffer.from([0, s.length]), Buffer.from(s)])
  const replies = await new Promise<string>((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(Buffer.concat([frame('ab'), frame('cde')])))
    let got = Buffer.alloc(0)
    socket.on('data', (c: Buffer) => {
      got = Buffer.concat([got, c])
      if (got.length >= 2 + 2 + 2 + 3) {
        socket.destroy()
        resolve(got.toString('latin1'))
      }
    })
    socket.on('error', reject)
  })
  assert.equal(replies, '\u0000\u0002AB\u0000\u0003CDE')
})

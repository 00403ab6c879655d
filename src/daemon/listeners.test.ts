import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, request } from 'node:http'
import { mkdtemp, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '../common/index.js'
import { activationFds, checkHosts, listenAll, parseTcpHost } from './listeners.js'

test('parseTcpHost() defaults the port by TLS like dockerd and reads IPv6 brackets', () => {
  assert.deepEqual(parseTcpHost('tcp://0.0.0.0', true), { host: '0.0.0.0', port: 2376 })
  assert.deepEqual(parseTcpHost('tcp://:2375', false), { host: '127.0.0.1', port: 2375 })
  assert.deepEqual(parseTcpHost('tcp://[::1]:1234', false), { host: '::1', port: 1234 })
  assert.throws(() => parseTcpHost('tcp://x:99999', false), /invalid port/)
})

test('activationFds() honours LISTEN_FDS only for this pid', () => {
  assert.deepEqual(activationFds({ LISTEN_FDS: '2', LISTEN_PID: '42' }, 42), [3, 4])
  assert.deepEqual(activationFds({ LISTEN_FDS: '2', LISTEN_PID: '41' }, 42), [])
  assert.deepEqual(activationFds({}, 42), [])
})

test('listenAll() serves one HTTP server on several unix sockets and plain TCP only when allowed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-listen-'))
  const http = createServer((_req, res) => res.end('pong'))
  t.after(async () => {
    http.closeAllConnections()
    await rm(dir, { recursive: true, force: true })
  })
  await assert.rejects(listenAll(http, ['tcp://127.0.0.1:0'], { insecureTcpAllowed: false }, silentLogger), /refusing to serve tcp:\/\/127\.0\.0\.1:0 without TLS/)
  await assert.rejects(listenAll(http, ['ssh://x'], { insecureTcpAllowed: false }, silentLogger), /unsupported host "ssh:\/\/x"/)
  const a = join(dir, 'a.sock')
  const b = join(dir, 'b.sock')
  const l = await listenAll(http, [`unix://${a}`, `unix://${b}`, 'tcp://127.0.0.1:0'], { insecureTcpAllowed: true }, silentLogger)
  t.after(() => l.close())
  assert.equal((await stat(a)).mode & 0o777, 0o660)
  const get = (opts: { socketPath?: string; port?: number }): Promise<string> => new Promise((resolve, reject) => {
    request({ ...opts, host: '127.0.0.1', path: '/_ping', agent: false }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve(body))
    }).on('error', reject).end()
  })
  assert.equal(await get({ socketPath: a }), 'pong')
  assert.equal(await get({ socketPath: b }), 'pong')
  const port = Number(l.addresses[2]!.split(':').pop())
  assert.equal(await get({ port }), 'pong')
})

test('listenAll() keeps answering a client that half-closes its side (docker attach without stdin)', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-listen-'))
  const http = createServer((_req, res) => res.end('not upgraded'))
  http.on('upgrade', (_req, socket: import('node:stream').Duplex) => {
    setTimeout(() => socket.end('HTTP/1.1 101 UPGRADED\r\nUpgrade: tcp\r\n\r\nlate answer'), 50)
  })
  const path = join(dir, 'h.sock')
  const l = await listenAll(http, [`unix://${path}`], { insecureTcpAllowed: false }, silentLogger)
  t.after(async () => {
    await l.close()
    http.closeAllConnections()
    await rm(dir, { recursive: true, force: true })
  })
  const { connect } = await import('node:net')
  const answer = await new Promise<string>((resolve, reject) => {
    const s = connect(path, () => s.end('POST /attach HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n'))
    let data = ''
    s.on('data', (d: Buffer) => (data += d.toString()))
    s.on('end', () => resolve(data))
    s.on('error', reject)
  })
  assert.equal(answer, 'HTTP/1.1 101 UPGRADED\r\nUpgrade: tcp\r\n\r\nlate answer')
})

test('checkHosts() refuses tcp:// without TLS unless allowed, and a malformed tcp:// address, as listenAll() would', () => {
  assert.throws(() => checkHosts(['unix:///run/x.sock', 'tcp://127.0.0.1:2375'], { insecureTcpAllowed: false }), /refusing to serve tcp:\/\/127\.0\.0\.1:2375 without TLS/)
  assert.doesNotThrow(() => checkHosts(['tcp://127.0.0.1:2375'], { insecureTcpAllowed: true }))
  assert.doesNotThrow(() => checkHosts(['unix:///run/x.sock', 'fd://'], { insecureTcpAllowed: false }))
  assert.doesNotThrow(() => checkHosts(['tcp://127.0.0.1:2376'], { tls: { verify: true, ca: 'ca', cert: 'cert', key: 'key' }, insecureTcpAllowed: false }))
  assert.throws(() => checkHosts(['tcp://127.0.0.1:notaport'], { insecureTcpAllowed: true }))
})

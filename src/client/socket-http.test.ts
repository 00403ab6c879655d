import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { BodyDecoder, parseHead, requestBytes, socketRequest } from './socket-http.js'
import { readBody } from './http-transport.js'

/**
 * A raw server on a temporary unix socket: `answer` gets each connection and the request bytes
 * received so far once the request head is complete, and writes whatever bytes the test needs.
 */
async function rawServer(t: TestContext, answer: (socket: Socket, request: string) => void): Promise<{ socketPath: string; requests: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-socket-http-'))
  const socketPath = join(dir, 's.sock')
  const requests: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    let text = ''
    let answered = false
    socket.on('data', (data) => {
      text += data.toString('latin1')
      if (answered || !text.includes('\r\n\r\n')) return
      answered = true
      requests.push(text)
      answer(socket, text)
    })
    socket.on('error', () => undefined)
  })
  await new Promise<void>((resolve) => server.listen(socketPath, resolve))
  t.after(async () => {
    for (const s of sockets) s.destroy()
    await new Promise((resolve) => server.close(resolve))
    await rm(dir, { recursive: true, force: true })
  })
  return { socketPath, requests }
}

const get = (socketPath: string, path = '/x'): ReturnType<typeof socketRequest> =>
  socketRequest({ socketPath, method: 'GET', path, headers: {} })

test('parseHead() reads the status and lower-cases header names, joining repeated ones', () => {
  const head = parseHead('HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nX-A: 1\r\nx-a: 2\r\nApi-Version:1.50')
  assert.equal(head.statusCode, 201)
  assert.deepEqual(head.headers, { 'content-type': 'application/json', 'x-a': '1, 2', 'api-version': '1.50' })
  assert.throws(() => parseHead('SSH-2.0-OpenSSH\r\n'), /malformed status line/)
})

test('requestBytes() writes the head as node:http does: a length for bodies, 0 for an empty POST, none for GET', () => {
  assert.equal(
    requestBytes({ method: 'POST', path: '/v1.50/containers/create?name=a', headers: { 'User-Agent': 'u' }, body: '{"é":1}' }).toString(),
    'POST /v1.50/containers/create?name=a HTTP/1.1\r\nHost: localhost\r\nUser-Agent: u\r\nContent-Length: 8\r\n\r\n{"é":1}',
  )
  assert.equal(requestBytes({ method: 'POST', path: '/s', headers: {} }).toString(), 'POST /s HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n')
  assert.equal(requestBytes({ method: 'GET', path: '/g', headers: {} }).toString(), 'GET /g HTTP/1.1\r\nHost: localhost\r\n\r\n')
  assert.equal(
    requestBytes({ method: 'POST', path: '/a', headers: {}, upgrade: true }).toString(),
    'POST /a HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n',
  )
})

test('BodyDecoder decodes chunked bodies split anywhere, with extensions and trailers', () => {
  const wire = Buffer.from('5;ext=1\r\nhello\r\n1\r\n \r\nA\r\n0123456789\r\n0\r\nTrailer: x\r\n\r\n')
  for (let split = 1; split < wire.length; split++) {
    const decoder = new BodyDecoder({ chunked: true })
    const first = decoder.push(wire.subarray(0, split))
    const second = decoder.push(wire.subarray(split))
    assert.equal(Buffer.concat([...first.body, ...second.body]).toString(), 'hello 0123456789', `split at ${split}`)
    assert.equal(first.complete, false)
    assert.equal(second.complete, true)
  }
  assert.throws(() => new BodyDecoder({ chunked: true }).push(Buffer.from('zz\r\n')), /malformed chunk size/)
})

test('BodyDecoder stops a Content-Length body at its length and reads an unframed one to the end', () => {
  const sized = new BodyDecoder({ chunked: false, length: 4 })
  assert.deepEqual(sized.push(Buffer.from('ab')), { body: [Buffer.from('ab')], complete: false })
  assert.deepEqual(sized.push(Buffer.from('cdEXTRA')), { body: [Buffer.from('cd')], complete: true })
  assert.equal(new BodyDecoder({ chunked: false, length: 0 }).complete, true)
  const open = new BodyDecoder({ chunked: false })
  assert.equal(open.untilClose, true)
  assert.deepEqual(open.push(Buffer.from('x')), { body: [Buffer.from('x')], complete: false })
})

test('socketRequest() reads Content-Length, chunked and until-close bodies and a bodiless 204', async (t) => {
  const { socketPath, requests } = await rawServer(t, (socket, request) => {
    const path = request.split(' ')[1]
    if (path === '/length') socket.write('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nApi-Version: 1.50\r\n\r\nhello')
    if (path === '/chunked') {
      socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n')
      setTimeout(() => socket.write('2\r\nde\r\n0\r\n\r\n'), 20)
    }
    if (path === '/close') socket.end('HTTP/1.1 200 OK\r\n\r\nuntil the end')
    if (path === '/204') socket.write('HTTP/1.1 204 No Content\r\n\r\n')
    if (path === '/continue') socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
  })
  const length = await get(socketPath, '/length')
  assert.equal(length.response.statusCode, 200)
  assert.equal(length.response.headers['api-version'], '1.50')
  assert.equal(await readBody(length.response), 'hello')
  assert.equal(await readBody((await get(socketPath, '/chunked')).response), 'abcde')
  assert.equal(await readBody((await get(socketPath, '/close')).response), 'until the end')
  const empty = await get(socketPath, '/204')
  assert.equal(empty.response.statusCode, 204)
  assert.equal(await readBody(empty.response), '')
  assert.equal(await readBody((await get(socketPath, '/continue')).response), 'ok')
  assert.match(requests[0]!, /^GET \/length HTTP\/1\.1\r\nHost: localhost\r\n\r\n$/)
})

test('socketRequest() hands over the connection on 101 with the bytes that followed the head', async (t) => {
  const { socketPath, requests } = await rawServer(t, (socket) => {
    socket.write('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nfirst ')
    socket.on('data', (data) => socket.write(`echo:${data.toString()}`))
    setTimeout(() => socket.write('second '), 20)
  })
  const { response, socket } = await socketRequest({ socketPath, method: 'POST', path: '/attach', headers: {}, upgrade: true })
  assert.ok(socket)
  assert.equal(response.statusCode, 101)
  assert.equal(response.headers['content-type'], 'application/vnd.docker.raw-stream')
  let received = ''
  socket.on('data', (data: Buffer) => {
    received += data.toString()
    if (received === 'first second ') socket.write('in')
    if (received.endsWith('echo:in')) socket.end()
  })
  await new Promise((resolve) => socket.on('close', resolve))
  assert.equal(received, 'first second echo:in')
  assert.match(requests[0]!, /Connection: Upgrade\r\nUpgrade: tcp\r\n/)
})

test('socketRequest() fails like node:http: refused connection, hang-up before the head, abort inside the body', async (t) => {
  await assert.rejects(get('/nonexistent/berth.sock'), { code: 'ENOENT' })
  const { socketPath } = await rawServer(t, (socket, request) => {
    if (request.startsWith('GET /hangup')) socket.destroy()
    else socket.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort')
  })
  await assert.rejects(get(socketPath, '/hangup'), { code: 'ECONNRESET', message: 'socket hang up' })
  const cut = await get(socketPath, '/cut')
  await assert.rejects(readBody(cut.response), { code: 'ECONNRESET', message: 'aborted' })
})

test('socketRequest() reads a large body as its reader asks for it, and destroy() closes the connection', async (t) => {
  const size = 4 << 20
  let closed: Promise<unknown> | undefined
  const { socketPath } = await rawServer(t, (socket) => {
    closed = new Promise((resolve) => socket.on('close', resolve))
    socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${size}\r\n\r\n`)
    socket.write(Buffer.alloc(size, 7))
  })
  const big = await get(socketPath, '/big')
  let total = 0
  for await (const chunk of big.response) {
    total += (chunk as Buffer).length
    await new Promise((resolve) => setImmediate(resolve))
  }
  assert.equal(total, size)
  await closed

  const { socketPath: waiting } = await rawServer(t, (socket) => {
    closed = new Promise((resolve) => socket.on('close', resolve))
    socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')
  })
  const pending = await get(waiting, '/wait')
  pending.response.destroy()
  await closed
})

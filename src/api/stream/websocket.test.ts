import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { OPCODE, acceptWebsocket, createFrameParser, encodeFrame, websocketAccept } from './websocket.js'

function masked(opcode: number, payload: Buffer, fin = true): Buffer {
  const mask = Buffer.from([1, 2, 3, 4])
  const body = Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)))
  return Buffer.concat([Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | payload.length]), mask, body])
}

test('websocketAccept() answers the RFC 6455 example key', () => {
  assert.equal(websocketAccept('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=')
})

test('encodeFrame() uses 7, 16 and 64-bit lengths; the parser reads them back across chunks', () => {
  const parser = createFrameParser()
  for (const size of [5, 300, 70_000]) {
    const frame = encodeFrame(OPCODE.binary, Buffer.alloc(size, 7))
    const got = [...parser.push(frame.subarray(0, 3)), ...parser.push(frame.subarray(3))]
    assert.equal(got.length, 1)
    assert.equal(got[0]?.opcode, OPCODE.binary)
    assert.equal(got[0]?.payload.length, size)
  }
})

test('createFrameParser() unmasks client frames', () => {
  const [frame] = createFrameParser().push(masked(OPCODE.text, Buffer.from('hello')))
  assert.equal(frame?.payload.toString(), 'hello')
})

test('acceptWebsocket() handshakes, joins fragments, answers ping and close', async () => {
  const socket = new PassThrough()
  const written: Buffer[] = []
  const origWrite = socket.write.bind(socket)
  socket.write = ((chunk: Buffer | string) => {
    written.push(Buffer.from(chunk))
    return true
  }) as typeof socket.write
  socket.end = ((chunk?: Buffer) => {
    if (chunk) written.push(Buffer.from(chunk))
    return socket
  }) as typeof socket.end
  const ws = acceptWebsocket(socket, { upgrade: 'websocket', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' }, Buffer.alloc(0), { binary: true })
  assert.ok(ws)
  assert.match(written[0]?.toString() ?? '', /^HTTP\/1\.1 101 Switching Protocols\r\n[\s\S]*Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=\r\n\r\n$/)
  const messages: string[] = []
  let closed = false
  ws.onMessage((m) => messages.push(m.toString()))
  ws.onClose(() => (closed = true))
  origWrite(Buffer.concat([masked(OPCODE.text, Buffer.from('he'), false), masked(OPCODE.continuation, Buffer.from('llo')), masked(OPCODE.ping, Buffer.from('p'))]))
  await new Promise((r) => setImmediate(r))
  assert.deepEqual(messages, ['hello'])
  assert.deepEqual(written[1], encodeFrame(OPCODE.pong, Buffer.from('p')))
  ws.send(Buffer.from('out'))
  assert.deepEqual(written[2], encodeFrame(OPCODE.binary, Buffer.from('out')))
  origWrite(masked(OPCODE.close, Buffer.from([0x03, 0xe8])))
  await new Promise((r) => setImmediate(r))
  assert.equal(closed, true)
  assert.equal(written[3]?.[0], 0x80 | OPCODE.close)
})

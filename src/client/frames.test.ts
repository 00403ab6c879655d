import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough, Readable } from 'node:stream'
import { FrameDecoder, demultiplex, encodeFrame } from './frames.js'

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = []
  stream.on('data', (c: Buffer) => chunks.push(c))
  return () => Buffer.concat(chunks).toString()
}

test('FrameDecoder.push() returns frames split across arbitrary chunk boundaries', () => {
  const wire = Buffer.concat([encodeFrame(1, 'hello\n'), encodeFrame(2, 'oops\n'), encodeFrame(1, '')])
  const decoder = new FrameDecoder()
  const frames = []
  for (let i = 0; i < wire.length; i += 3) frames.push(...decoder.push(wire.subarray(i, i + 3)))
  assert.deepEqual(
    frames.map((f) => [f.stream, f.payload.toString()]),
    [[1, 'hello\n'], [2, 'oops\n'], [1, '']],
  )
  assert.equal(decoder.pending, 0)
})

test('FrameDecoder.push() keeps an incomplete frame until the rest arrives', () => {
  const wire = encodeFrame(1, 'abcdef')
  const decoder = new FrameDecoder()
  assert.deepEqual(decoder.push(wire.subarray(0, 10)), [])
  assert.equal(decoder.pending, 10)
  assert.equal(decoder.push(wire.subarray(10))[0]?.payload.toString(), 'abcdef')
})

test('FrameDecoder.push() rejects an unknown stream type', () => {
  const bad = encodeFrame(1, 'x')
  bad[0] = 7
  assert.throws(() => new FrameDecoder().push(bad), /Unrecognized input header: 7/)
})

test('demultiplex() routes stdout and stderr frames to their writers', async () => {
  const out = new PassThrough()
  const err = new PassThrough()
  const outText = collect(out)
  const errText = collect(err)
  const source = Readable.from([Buffer.concat([encodeFrame(1, 'one '), encodeFrame(2, 'two')]), encodeFrame(1, 'three')])
  await demultiplex(source, out, err)
  assert.equal(outText(), 'one three')
  assert.equal(errText(), 'two')
})

test('demultiplex() rejects with the daemon message of a system-error frame', async () => {
  const source = Readable.from([encodeFrame(3, 'container vanished')])
  await assert.rejects(demultiplex(source, new PassThrough(), new PassThrough()), /error from daemon in stream: container vanished/)
})

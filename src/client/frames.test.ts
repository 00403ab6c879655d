import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough, Readable, Writable } from 'node:stream'
import { FrameDecoder, copyRaw, demultiplex, encodeFrame } from './frames.js'

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

test('demultiplex() waits for a full writer to drain before it reads on, and keeps the order', async () => {
  const frames = Array.from({ length: 50 }, (_, i) => encodeFrame(i % 3 === 2 ? 2 : 1, `frame ${i};`))
  const source = new PassThrough()
  let maxBuffered = 0
  const written: string[] = []
  const slow = (name: string): Writable => {
    const w: Writable = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _enc, cb) {
        maxBuffered = Math.max(maxBuffered, w.writableLength)
        written.push(`${name}:${chunk.toString()}`)
        setTimeout(cb, 1)
      },
    })
    return w
  }
  const done = demultiplex(source, slow('out'), slow('err'))
  for (const f of frames) source.write(f)
  source.end()
  await done
  assert.deepEqual(written, frames.map((_, i) => `${i % 3 === 2 ? 'err' : 'out'}:frame ${i};`))
  // Without waiting for 'drain', all 50 frames (~450 bytes) would be buffered at once.
  assert.ok(maxBuffered <= 32, `buffered at most one frame past the high-water mark, saw ${maxBuffered} bytes`)
})

test('demultiplex() and copyRaw() reject when the source closes before its end or fails, and settle for one already ended', async () => {
  const cut = new PassThrough()
  const cutDone = demultiplex(cut, new PassThrough(), new PassThrough())
  cut.write(encodeFrame(1, 'partial'))
  cut.destroy()
  await assert.rejects(cutDone, { code: 'ERR_STREAM_PREMATURE_CLOSE' })
  const failing = new PassThrough()
  const failDone = copyRaw(failing, new PassThrough())
  failing.destroy(new Error('connection reset'))
  await assert.rejects(failDone, /connection reset/)
  const ended = new PassThrough()
  ended.end()
  ended.resume()
  await new Promise((resolve) => ended.on('end', resolve))
  await copyRaw(ended, new PassThrough())
})

test('copyRaw() rejects with the error of the writer it waits for, and destroys the source', async () => {
  const source = new PassThrough()
  const out = new Writable({ highWaterMark: 1, write(_c, _e, cb) { setTimeout(() => cb(new Error('EPIPE')), 1) } })
  out.on('error', () => undefined)
  const done = copyRaw(source, out)
  source.write('abc')
  await assert.rejects(done, /EPIPE/)
  assert.equal(source.destroyed, true)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough, Readable, Writable } from 'node:stream'
import { chunksOf, drainedOrClosed } from './stream-chunks.js'

test('chunksOf() yields every chunk as pushed, without joining those that queued up', async () => {
  const src = new PassThrough()
  for (const s of ['a', 'bb', 'ccc']) src.write(Buffer.from(s))
  src.end()
  const got: string[] = []
  for await (const c of chunksOf(src)) {
    got.push(c.toString())
    await new Promise((r) => setTimeout(r, 5)) // a slow consumer: the rest queue meanwhile
  }
  assert.deepEqual(got, ['a', 'bb', 'ccc'])
})

test('chunksOf() pauses the stream beyond its high-water mark and resumes it when drained', async () => {
  const total = 64
  const src = Readable.from((function* () {
    for (let i = 0; i < total; i++) yield Buffer.alloc(1024, i)
  })(), { objectMode: false })
  const it = chunksOf(src, 4096)[Symbol.asyncIterator]()
  const first = await it.next()
  await new Promise((r) => setTimeout(r, 20))
  assert.equal(src.isPaused(), true)
  let n = first.done ? 0 : 1
  for (let r = await it.next(); !r.done; r = await it.next()) n++
  assert.equal(n, total)
})

test('chunksOf() ends with the stream error, and with an error on a premature close', async () => {
  const failing = new PassThrough()
  failing.write('x')
  setImmediate(() => failing.destroy(new Error('boom')))
  await assert.rejects(async () => {
    for await (const _ of chunksOf(failing)) { /* drain */ }
  }, { message: 'boom' })
  const closed = new PassThrough()
  setImmediate(() => closed.destroy())
  await assert.rejects(async () => {
    for await (const _ of chunksOf(closed)) { /* drain */ }
  }, { code: 'ERR_STREAM_PREMATURE_CLOSE' })
})

test('chunksOf() destroys the stream when the consumer stops early', async () => {
  const src = new PassThrough()
  src.write('a')
  src.write('b')
  for await (const c of chunksOf(src)) {
    assert.equal(c.toString(), 'a')
    break
  }
  assert.equal(src.destroyed, true)
})

test('drainedOrClosed resolves on drain, and on close of a stream that never drains', async () => {
  const slow = new Writable({ highWaterMark: 1, write: (_c, _e, cb) => setImmediate(cb) })
  assert.equal(slow.write(Buffer.alloc(4)), false)
  await drainedOrClosed(slow)
  assert.equal(slow.listenerCount('drain') + slow.listenerCount('close'), 0)
  const stuck = new Writable({ highWaterMark: 1, write: () => undefined })
  assert.equal(stuck.write(Buffer.alloc(4)), false)
  const waiting = drainedOrClosed(stuck)
  stuck.destroy()
  await waiting
})

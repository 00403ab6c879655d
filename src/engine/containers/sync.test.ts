import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Attachment } from './attachment.js'
import { ExitWaiters, KeyedLock } from './sync.js'

test('KeyedLock.run() serializes callbacks per key in call order', async () => {
  const lock = new KeyedLock()
  const order: string[] = []
  let release!: () => void
  const gate = new Promise<void>((r) => (release = r))
  const a = lock.run('x', async () => {
    order.push('a-start')
    await gate
    order.push('a-end')
  })
  const b = lock.run('x', async () => {
    order.push('b')
  })
  const other = lock.run('y', async () => {
    order.push('y')
  })
  await other
  release()
  await Promise.all([a, b])
  assert.deepEqual(order, ['a-start', 'y', 'a-end', 'b'])
})

test('ExitWaiters resolves next-exit waiters on exit and all waiters on removal', async () => {
  const w = new ExitWaiters()
  const exit = w.nextExit('c')
  const removed = w.removed('c')
  w.notifyExit('c', 3)
  assert.equal(await exit, 3)
  const exit2 = w.nextExit('c')
  w.notifyRemoved('c', 4)
  assert.deepEqual(await Promise.all([removed, exit2]), [4, 4])
})

test('ExitWaiters rejects an aborted wait', async () => {
  const w = new ExitWaiters()
  const ac = new AbortController()
  const p = w.nextExit('c', ac.signal)
  ac.abort()
  await assert.rejects(p)
  w.notifyExit('c', 0)
})

test('Attachment buffers output until onData and stdin until connect, then ends once', () => {
  const a = new Attachment({ stdin: true, stdout: true, stderr: false })
  a.emit(1, Buffer.from('early'))
  a.emit(2, Buffer.from('filtered'))
  a.write(Buffer.from('typed'))
  const got: string[] = []
  a.onData((s, d) => got.push(`${s}:${d.toString()}`))
  const written: string[] = []
  let connEnd!: () => void
  let connData!: (s: 1 | 2, d: Buffer) => void
  let closed = false
  a.connect({
    onData: (l) => (connData = l),
    onEnd: (l) => (connEnd = l),
    write: (d) => written.push(d.toString()),
    close: () => (closed = true),
  })
  connData(1, Buffer.from('live'))
  let ends = 0
  a.onEnd(() => ends++)
  connEnd()
  a.end()
  a.close()
  assert.deepEqual(got, ['1:early', '1:live'])
  assert.deepEqual(written, ['typed'])
  assert.equal(ends, 1)
  assert.equal(closed, true)
})

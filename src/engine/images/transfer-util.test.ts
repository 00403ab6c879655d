import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { PassThrough } from 'node:stream'
import { fanOut, limiter } from './transfer-util.js'

const collect = async (s: AsyncIterable<Buffer>): Promise<string> => {
  const parts: Buffer[] = []
  for await (const c of s) parts.push(c)
  return Buffer.concat(parts).toString()
}

async function* chunks(parts: string[], failAfter?: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < parts.length; i++) {
    if (i === failAfter) throw new Error('source broke')
    yield Buffer.from(parts[i] as string)
  }
}

test('limiter runs at most `limit` at once and starts them in call order', async () => {
  const slot = limiter(2)
  let active = 0
  let peak = 0
  const started: number[] = []
  const gates = Array.from({ length: 5 }, () => {
    let resolve = (): void => undefined
    const promise = new Promise<void>((r) => (resolve = r))
    return { promise, resolve }
  })
  const runs = gates.map((g, i) => slot(async () => {
    started.push(i)
    active++
    peak = Math.max(peak, active)
    await g.promise
    active--
    return i * 10
  }))
  await new Promise((r) => setImmediate(r))
  assert.deepEqual(started, [0, 1])
  for (const g of [...gates].reverse()) g.resolve()
  assert.deepEqual(await Promise.all(runs), [0, 10, 20, 30, 40])
  assert.equal(peak, 2)
  assert.deepEqual(started, [0, 1, 2, 3, 4])
})

test('limiter passes a rejection through and keeps running the queue', async () => {
  const slot = limiter(1)
  const failed = slot(() => Promise.reject(new Error('boom')))
  const thrown = slot(() => {
    throw new Error('sync boom')
  })
  const ok = slot(async () => 'ok')
  await assert.rejects(failed, /boom/)
  await assert.rejects(thrown, /sync boom/)
  assert.equal(await ok, 'ok')
})

test('fanOut gives every consumer the whole stream', async () => {
  const parts = Array.from({ length: 50 }, (_, i) => `chunk-${i}-${'x'.repeat(50_000)}`)
  const results = await fanOut<string | number>(chunks(parts), [collect, collect, (s) => collect(s).then((t) => t.length)])
  assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'fulfilled', 'fulfilled'])
  const [a, b, n] = results.map((r) => (r as PromiseFulfilledResult<string | number>).value)
  assert.equal(a, parts.join(''))
  assert.equal(b, a)
  assert.equal(n, a?.toString().length)
})

test('fanOut ends the other consumers when one fails, without hanging on backpressure', async () => {
  const parts = Array.from({ length: 40 }, () => 'y'.repeat(200_000)) // far above the 1 MiB buffers
  const quitter = async (s: PassThrough): Promise<string> => {
    for await (const c of s) {
      void c
      throw new Error('consumer gave up')
    }
    return 'unreachable'
  }
  const [first, second] = await fanOut(chunks(parts), [collect, quitter])
  assert.equal(first?.status, 'rejected')
  assert.equal(second?.status, 'rejected')
  assert.match(String((second as PromiseRejectedResult).reason), /consumer gave up/)
})

test('fanOut passes a source error to every consumer', async () => {
  const results = await fanOut(chunks(['a', 'b', 'c'], 2), [collect, collect])
  for (const r of results) {
    assert.equal(r.status, 'rejected')
    assert.match(String((r as PromiseRejectedResult).reason), /source broke/)
  }
})

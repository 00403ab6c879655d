import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { sha256 } from '../../common/index.js'
import { ContentStore } from './content-store.js'

async function store(t: TestContext): Promise<{ content: ContentStore; root: string }> {
  const root = await mkdtemp('/tmp/berth-content-test-')
  t.after(() => rm(root, { recursive: true, force: true }))
  return { content: new ContentStore(root), root }
}

test('ContentStore.put() stores a blob under its sha256', async (t) => {
  const { content, root } = await store(t)
  const digest = await content.put('hello')
  assert.equal(digest, sha256('hello'))
  assert.equal((await content.read(digest)).toString(), 'hello')
  assert.equal(await content.size(digest), 5)
  assert.deepEqual(await readdir(join(root, 'sha256')), [digest.slice(7)])
})

test('ContentStore.put() never stores a blob whose digest does not match', async (t) => {
  const { content, root } = await store(t)
  const claimed = sha256('expected content')
  await assert.rejects(content.put('tampered content', claimed), { kind: 'InvalidArgument', code: 'DIGEST_MISMATCH' })
  assert.equal(await content.has(claimed), false)
  assert.equal(await content.has(sha256('tampered content')), false)
  assert.deepEqual(await readdir(join(root, 'ingest')), [])
})

test('ContentStore.ingest() streams, verifies size and digest', async (t) => {
  const { content } = await store(t)
  const chunks = [Buffer.from('a'.repeat(70000)), Buffer.from('b'.repeat(70000))]
  const whole = Buffer.concat(chunks)
  const result = await content.ingest(Readable.from(chunks), { digest: sha256(whole), size: whole.length })
  assert.deepEqual(result, { digest: sha256(whole), size: whole.length })
  await assert.rejects(content.ingest(Readable.from([Buffer.from('x')]), { size: 2 }), { code: 'SIZE_MISMATCH' })
  assert.equal(await content.has(sha256('x')), false)
  await assert.rejects(content.ingest([Buffer.from('x')], { digest: 'md5:abc' as never }), { kind: 'InvalidArgument' })
})

test('ContentStore.ingest() writes a blob of many batches in order; a failing source stores nothing', async (t) => {
  const { content, root } = await store(t)
  const chunks = Array.from({ length: 80 }, (_, i) => Buffer.alloc(65_536 + i, i))
  const whole = Buffer.concat(chunks)
  const { digest } = await content.ingest(Readable.from(chunks))
  assert.equal(digest, sha256(whole))
  assert.ok((await content.read(digest)).equals(whole))
  async function* failing(): AsyncGenerator<Buffer> {
    for (const c of chunks.slice(0, 40)) yield c
    throw new Error('source failed')
  }
  await assert.rejects(content.ingest(failing()), { message: 'source failed' })
  assert.deepEqual(await readdir(join(root, 'ingest')), [])
  assert.deepEqual(await readdir(join(root, 'sha256')), [digest.slice(7)])
})

test('ContentStore.openRead() streams a blob and reports a missing one as NotFound', async (t) => {
  const { content } = await store(t)
  const digest = await content.put('streamed')
  const parts: Buffer[] = []
  for await (const c of await content.openRead(digest)) parts.push(c as Buffer)
  assert.equal(Buffer.concat(parts).toString(), 'streamed')
  await assert.rejects(content.openRead(sha256('nothing')), { kind: 'NotFound' })
  await assert.rejects(content.read(sha256('nothing')), { kind: 'NotFound' })
})

test('ContentStore.delete() is idempotent', async (t) => {
  const { content } = await store(t)
  const digest = await content.put('bye')
  await content.delete(digest)
  await content.delete(digest)
  assert.equal(await content.has(digest), false)
})

test('ContentStore.putDerived() serves the gunzip of a stored blob without a second copy, until either goes', async (t) => {
  const { content, root } = await store(t)
  const tar = Buffer.from('layer tar '.repeat(20000))
  const gz = await content.put(gzipSync(tar))
  const diffId = sha256(tar)
  await content.putDerived(diffId, gz, tar.length)
  assert.equal(await content.has(diffId), true)
  assert.equal(await content.size(diffId), tar.length)
  assert.deepEqual(await content.read(diffId), tar)
  const parts: Buffer[] = []
  for await (const c of await content.openRead(diffId)) parts.push(c as Buffer)
  assert.deepEqual(Buffer.concat(parts), tar)
  assert.deepEqual(await readdir(join(root, 'sha256')), [gz.slice(7)], 'only the compressed blob is on disk')

  // Without its source the derived blob is gone; deleting it removes the record.
  await content.delete(gz)
  assert.equal(await content.has(diffId), false)
  await assert.rejects(content.openRead(diffId), { kind: 'NotFound' })
  const gz2 = await content.put(gzipSync(tar))
  assert.equal(await content.has(diffId), true)
  await content.delete(diffId)
  assert.equal(await content.has(diffId), false)
  assert.equal(await content.has(gz2), true)
  await assert.rejects(content.putDerived(diffId, sha256('absent'), 1), { kind: 'NotFound' })
})

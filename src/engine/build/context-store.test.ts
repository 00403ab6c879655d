import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ContextStore, validContextKey, type ReceivedFile } from './context-store.js'

const KEY_A = 'a'.repeat(64)
const KEY_B = 'b'.repeat(64)
const KEY_C = 'c'.repeat(64)

function tmp(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync('/tmp/berth-ctxstore-')
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

const sha = (s: string): string => createHash('sha256').update(s).digest('hex')

/** A file as a build receives it with its data. */
function sent(name: string, fingerprint: string, content: string): ReceivedFile {
  return { name, fingerprint, digest: sha(content), size: Buffer.byteLength(content), write: (dest) => writeFile(dest, content) }
}

/** A file a build received as a cached entry (its blob is in the store). */
function cachedEntry(name: string, fingerprint: string, content: string): ReceivedFile {
  return { name, fingerprint, digest: sha(content), size: Buffer.byteLength(content) }
}

test('ContextStore keeps the files of a key: unchanged fingerprints are not missing and give the content', async (t) => {
  const store = new ContextStore({ root: join(tmp(t), 'store') })
  assert.deepEqual(store.missing(KEY_A, { a: '1', b: '2' }), ['a', 'b'])
  await store.withKey(KEY_A, () => store.remember(KEY_A, [sent('a', '1', 'alpha'), sent('dir/b', '2', 'beta')]))
  assert.deepEqual(store.missing(KEY_A, { a: '1', 'dir/b': '2' }), [])
  assert.deepEqual(store.missing(KEY_A, { a: '1', 'dir/b': '2x', c: '3' }), ['dir/b', 'c'])
  assert.deepEqual(store.missing(KEY_B, { a: '1' }), ['a'], 'another key has nothing')
  const a = store.lookup(KEY_A, 'a', '1')
  assert.ok(a)
  assert.equal(readFileSync(a.path, 'utf8'), 'alpha')
  assert.equal(a.digest, sha('alpha'))
  assert.equal(a.size, 5)
  assert.equal(store.lookup(KEY_A, 'a', 'other'), undefined)
  assert.deepEqual(store.usage(), { keys: 1, bytes: 9, blobs: 2 })
})

test('ContextStore replaces a key\'s index and removes the blobs nothing names any more; equal contents share one blob', async (t) => {
  const root = join(tmp(t), 'store')
  const store = new ContextStore({ root })
  await store.remember(KEY_A, [sent('a', '1', 'same'), sent('b', '2', 'old b')])
  await store.remember(KEY_B, [sent('x', '9', 'same')])
  assert.equal(store.usage().blobs, 2, 'the same content is one blob')
  // Second build of A: a unchanged (a cached entry), b changed, b2 new.
  await store.remember(KEY_A, [cachedEntry('a', '1', 'same'), sent('b', '3', 'new b'), sent('b2', '4', 'b two')])
  const blobs = readdirSync(join(root, 'blobs')).sort()
  assert.deepEqual(blobs, [sha('same'), sha('new b'), sha('b two')].sort())
  assert.equal(store.lookup(KEY_A, 'b', '2'), undefined)
  assert.equal(readFileSync((store.lookup(KEY_A, 'b', '3') as { path: string }).path, 'utf8'), 'new b')
  await store.forget(KEY_A)
  assert.deepEqual(readdirSync(join(root, 'blobs')), [sha('same')], 'B still names it')
  assert.deepEqual(store.missing(KEY_B, { x: '9' }), [])
  assert.equal(await store.clear(), 4)
  assert.deepEqual(readdirSync(join(root, 'blobs')), [])
  assert.deepEqual(store.usage(), { keys: 0, bytes: 0, blobs: 0 })
})

test('ContextStore drops the least recently used keys beyond maxKeys or maxBytes, and keeps no context larger than maxBytes', async (t) => {
  const store = new ContextStore({ root: join(tmp(t), 'store'), maxKeys: 2, maxBytes: 10 })
  await store.remember(KEY_A, [sent('f', '1', 'aaaa')])
  await store.remember(KEY_B, [sent('f', '1', 'bbbb')])
  await store.remember(KEY_A, [cachedEntry('f', '1', 'aaaa')]) // A is now the most recent
  await store.remember(KEY_C, [sent('f', '1', 'cccc')])
  assert.deepEqual(store.missing(KEY_B, { f: '1' }), ['f'], 'B was the least recently used')
  assert.deepEqual(store.missing(KEY_A, { f: '1' }), [])
  assert.deepEqual(store.missing(KEY_C, { f: '1' }), [])
  await store.remember(KEY_B, [sent('f', '1', 'bbbbbbbb')]) // 8 bytes: 16 in all, over maxBytes
  assert.deepEqual(store.missing(KEY_B, { f: '1' }), [])
  assert.ok(store.usage().bytes <= 10)
  await store.remember(KEY_C, [sent('f', '1', 'x'.repeat(11))])
  assert.deepEqual(store.missing(KEY_C, { f: '1' }), ['f'], 'a context over maxBytes is not kept')
})

test('ContextStore: builds of one key take turns; other keys do not wait', async (t) => {
  const store = new ContextStore({ root: join(tmp(t), 'store') })
  const order: string[] = []
  let releaseFirst = (): void => undefined
  const first = store.withKey(KEY_A, async () => {
    order.push('a1 start')
    await new Promise<void>((r) => (releaseFirst = r))
    order.push('a1 end')
  })
  await new Promise((r) => setTimeout(r, 20))
  const second = store.withKey(KEY_A, async () => void order.push('a2'))
  const other = store.withKey(KEY_B, async () => void order.push('b'))
  await other
  assert.deepEqual(order, ['a1 start', 'b'])
  releaseFirst()
  await Promise.all([first, second])
  assert.deepEqual(order, ['a1 start', 'b', 'a1 end', 'a2'])
  await assert.rejects(store.withKey(KEY_A, async () => { throw new Error('boom') }), /boom/)
  assert.equal(await store.withKey(KEY_A, async () => 7), 7, 'a failed build releases the key')
})

test('ContextStore empties what an earlier daemon left; a write that fails keeps the old index and leaves no temp file', async (t) => {
  const root = join(tmp(t), 'store')
  mkdirSync(join(root, 'blobs'), { recursive: true })
  writeFileSync(join(root, 'blobs', sha('stale')), 'not what its name says')
  const store = new ContextStore({ root })
  await store.remember(KEY_A, [sent('a', '1', 'alpha')])
  assert.deepEqual(readdirSync(join(root, 'blobs')), [sha('alpha')])
  const failing: ReceivedFile = { name: 'b', fingerprint: '2', digest: sha('beta'), size: 4, write: async () => { throw new Error('ENOSPC: no space left on device') } }
  await assert.rejects(store.remember(KEY_A, [cachedEntry('a', '1', 'alpha'), failing]), /ENOSPC/)
  assert.deepEqual(store.missing(KEY_A, { a: '1', b: '2' }), ['b'])
  assert.deepEqual(readdirSync(join(root, 'tmp')), [])
  assert.ok(existsSync(join(root, 'blobs', sha('alpha'))))
})

test('validContextKey accepts 64 lowercase hex digits only', () => {
  assert.equal(validContextKey(KEY_A), true)
  assert.equal(validContextKey('A'.repeat(64)), false)
  assert.equal(validContextKey('a'.repeat(63)), false)
  assert.equal(validContextKey('../' + 'a'.repeat(61)), false)
})

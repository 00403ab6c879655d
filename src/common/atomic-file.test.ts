import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeFileAtomic, writeJsonAtomic } from './atomic-file.js'

test('writeFileAtomic() replaces a file, durable or not, with the mode asked for and no temp file left', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-atomic-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const path = join(dir, 'sub', 'f')
  await writeFileAtomic(path, 'one', 0o600)
  assert.equal((await stat(path)).mode & 0o777, 0o600)
  await writeFileAtomic(path, 'two', { durable: false, mode: 0o640 })
  assert.equal(await readFile(path, 'utf8'), 'two')
  assert.equal((await stat(path)).mode & 0o777, 0o640)
  await writeJsonAtomic(path, { a: 1 }, { durable: false })
  assert.deepEqual(JSON.parse(await readFile(path, 'utf8')), { a: 1 })
  assert.deepEqual(await readdir(join(dir, 'sub')), ['f'])
})

test('writeFileAtomic() without fsync: small files (written synchronously) and large ones alike, any bytes, errors as rejections', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-atomic-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  // A directory that does not exist yet is made; multi-byte characters count as their bytes.
  const small = join(dir, 'new', 'dir', 'small')
  const text = 'ünïcødé 日本 '.repeat(100)
  await writeFileAtomic(small, text, { durable: false })
  assert.equal(await readFile(small, 'utf8'), text)
  const big = join(dir, 'big')
  const bytes = Buffer.alloc(200 * 1024, 7)
  await writeFileAtomic(big, bytes, { durable: false })
  assert.ok((await readFile(big)).equals(bytes))
  await writeFileAtomic(big, Uint8Array.from([1, 2, 3]), { durable: false })
  assert.deepEqual([...(await readFile(big))], [1, 2, 3])
  // Into a path under a regular file: the promise rejects (nothing thrown synchronously), nothing is left.
  const written = writeFileAtomic(join(big, 'under-a-file'), 'x', { durable: false })
  await assert.rejects(written, { code: 'ENOTDIR' })
  // A directory in the way of the rename: rejected, and the temp file is not left next to it.
  await writeFileAtomic(join(dir, 'adir', 'f'), 'x', { durable: false })
  await assert.rejects(writeFileAtomic(join(dir, 'adir'), 'x', { durable: false }), { code: 'EISDIR' })
  assert.deepEqual((await readdir(dir)).filter((f) => f.includes('.tmp-')), [])
})

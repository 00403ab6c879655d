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

import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipLevelFor, PUSH_GZIP_LEVEL } from './gzip-level.js'

async function file(t: TestContext, name: string, data: Buffer): Promise<string> {
  const dir = await mkdtemp('/tmp/berth-gzip-level-test-')
  t.after(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, name), data)
  return join(dir, name)
}

test('gzipLevelFor stores a layer of incompressible data and deflates one that compresses', async (t) => {
  assert.equal(await gzipLevelFor(await file(t, 'random', randomBytes(8 << 20))), 0)
  const text = Buffer.from('usr/lib/some/file.so config line\n'.repeat(300_000))
  assert.equal(await gzipLevelFor(await file(t, 'text', text)), PUSH_GZIP_LEVEL)
  // Mostly random with compressible parts the samples reach: still worth deflating.
  const mixed = Buffer.concat([randomBytes(4 << 20), text.subarray(0, 4 << 20)])
  assert.equal(await gzipLevelFor(await file(t, 'mixed', mixed)), PUSH_GZIP_LEVEL)
})

test('gzipLevelFor uses the normal level for small or missing files', async (t) => {
  assert.equal(await gzipLevelFor(await file(t, 'small', randomBytes(64 * 1024))), PUSH_GZIP_LEVEL)
  assert.equal(await gzipLevelFor('/nonexistent/berth/blob'), PUSH_GZIP_LEVEL)
})

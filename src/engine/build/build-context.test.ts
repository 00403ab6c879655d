import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { packTar } from '../layers/index.js'
import { extractContext, prepareContext } from './build-context.js'

function tmp(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync('/tmp/berth-ctx-')
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return join(dir, 'ctx')
}

test('extractContext() unpacks a gzipped tar and drops entries that would leave the directory', async (t) => {
  const dir = tmp(t)
  const tar = await packTar([
    { header: { name: 'Dockerfile', mode: 0o644 }, data: 'FROM busybox\n' },
    { header: { name: 'src/app.js', mode: 0o755 }, data: 'x' },
    { header: { name: '../escape', mode: 0o644 }, data: 'bad' },
    { header: { name: 'link', type: 'symlink', linkname: '/etc' } },
  ])
  await extractContext(Readable.from([gzipSync(tar)]), dir)
  assert.equal(readFileSync(join(dir, 'src/app.js'), 'utf8'), 'x')
  assert.equal(existsSync(join(dir, '..', 'escape')), false)
  assert.equal(existsSync(join(dir, 'link')), true)
})

test('extractContext() writes small and large files whole, with their mode and mtime, and a later entry wins', async (t) => {
  const dir = tmp(t)
  const big = randomBytes(9 << 20) // over the size gathered in memory: streamed
  const medium = randomBytes(300 << 10) // several chunks, written at once
  const mtime = new Date(1_600_000_000_000)
  const tar = await packTar([
    { header: { name: 'big.bin', mode: 0o600, mtime }, data: big },
    { header: { name: 'dir/medium.bin', mode: 0o755, mtime }, data: medium },
    { header: { name: 'dir/medium.bin', mode: 0o640, mtime }, data: 'replaced' },
    { header: { name: 'empty', mode: 0o644, mtime }, data: '' },
  ])
  await extractContext(Readable.from([tar]), dir)
  assert.ok(readFileSync(join(dir, 'big.bin')).equals(big))
  assert.equal(statSync(join(dir, 'big.bin')).mode & 0o777, 0o600)
  assert.equal(readFileSync(join(dir, 'dir/medium.bin'), 'utf8'), 'replaced')
  assert.equal(statSync(join(dir, 'dir/medium.bin')).mode & 0o777, 0o640)
  assert.equal(statSync(join(dir, 'dir/medium.bin')).mtimeMs, mtime.getTime())
  assert.equal(readFileSync(join(dir, 'empty'), 'utf8'), '')
})

test('prepareContext() reads the Dockerfile, then removes what .dockerignore excludes', async (t) => {
  const dir = tmp(t)
  const tar = await packTar([
    { header: { name: 'build.Dockerfile', mode: 0o644 }, data: 'FROM busybox\n' },
    { header: { name: '.dockerignore', mode: 0o644 }, data: '*.Dockerfile\nnode_modules\n' },
    { header: { name: 'node_modules/x/index.js', mode: 0o644 }, data: 'x' },
    { header: { name: 'main.js', mode: 0o644 }, data: 'm' },
  ])
  await extractContext(Readable.from([tar]), dir)
  const loaded = await prepareContext(dir, 'build.Dockerfile')
  assert.equal(loaded.dockerfile, 'FROM busybox\n')
  assert.equal(existsSync(join(dir, 'build.Dockerfile')), false)
  assert.equal(existsSync(join(dir, 'node_modules')), false)
  assert.equal(existsSync(join(dir, 'main.js')), true)
  await assert.rejects(prepareContext(dir, 'Missingfile'), /Cannot locate specified Dockerfile: Missingfile/)
})

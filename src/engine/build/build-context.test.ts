import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
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

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { packTar } from '../layers/index.js'
import { prepareContext, readContext } from './build-context.js'

function opts(t: { after: (fn: () => void) => void }): { root: string; spillPath: string; scratchDir: string } {
  const dir = mkdtempSync('/tmp/berth-ctx-')
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return { root: join(dir, 'ctx'), spillPath: join(dir, 'spill'), scratchDir: dir }
}

test('readContext() reads a gzipped tar and keeps entries naming a parent inside the context', async (t) => {
  const o = opts(t)
  const tar = await packTar([
    { header: { name: 'Dockerfile', mode: 0o644 }, data: 'FROM busybox\n' },
    { header: { name: 'src/app.js', mode: 0o755 }, data: 'x' },
    { header: { name: '../escape', mode: 0o644 }, data: 'bad' },
    { header: { name: 'link', type: 'symlink', linkname: '/etc' } },
  ])
  const tree = await readContext(Readable.from([gzipSync(tar)]), o)
  assert.equal(await tree.readText('src/app.js'), 'x')
  assert.deepEqual((await tree.readdir(o.root)).sort(), ['Dockerfile', 'escape', 'link', 'src'])
  assert.equal(await tree.readlink(join(o.root, 'link')), '/etc')
})

test('readContext() refuses what is not a tar archive, in the words of a tar error', async (t) => {
  const o = opts(t)
  await assert.rejects(readContext(Readable.from([Buffer.alloc(1024, 'x')]), o), /Error processing tar file: invalid tar header/)
  await assert.rejects(readContext(Readable.from([]), o), /empty archive/)
})

test('prepareContext() reads the Dockerfile, then removes what .dockerignore excludes', async (t) => {
  const o = opts(t)
  const tar = await packTar([
    { header: { name: 'build.Dockerfile', mode: 0o644 }, data: 'FROM busybox\n' },
    { header: { name: '.dockerignore', mode: 0o644 }, data: '*.Dockerfile\nnode_modules\nkeep\n!keep/x\n' },
    { header: { name: 'node_modules/x/index.js', mode: 0o644 }, data: 'x' },
    { header: { name: 'keep/x', mode: 0o644 }, data: 'k' },
    { header: { name: 'keep/y', mode: 0o644 }, data: 'y' },
    { header: { name: 'main.js', mode: 0o644 }, data: 'm' },
  ])
  const tree = await readContext(Readable.from([tar]), o)
  const loaded = await prepareContext(tree, 'build.Dockerfile')
  assert.equal(loaded.dockerfile, 'FROM busybox\n')
  assert.deepEqual((await tree.readdir(o.root)).sort(), ['.dockerignore', 'keep', 'main.js'])
  assert.deepEqual(await tree.readdir(join(o.root, 'keep')), ['x'])
  await assert.rejects(prepareContext(tree, 'Missingfile'), /Cannot locate specified Dockerfile: Missingfile/)
})

test('prepareContext() falls back to "dockerfile" and follows a symlinked Dockerfile inside the context', async (t) => {
  const o = opts(t)
  const tar = await packTar([
    { header: { name: 'docker/real', mode: 0o644 }, data: 'FROM scratch\n' },
    { header: { name: 'dockerfile', type: 'symlink', linkname: 'docker/real' } },
  ])
  const loaded = await prepareContext(await readContext(Readable.from([tar]), o), undefined)
  assert.deepEqual(loaded, { dockerfile: 'FROM scratch\n', dockerfileName: 'dockerfile' })
})

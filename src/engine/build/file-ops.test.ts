import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync, statSync, readFileSync, readlinkSync } from 'node:fs'
import { join } from 'node:path'
import { copyTree, hashSources, looksLikeArchive, resolveInRoot, resolveSources } from './file-ops.js'

function tree(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync('/tmp/berth-fileops-')
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'src/sub'), { recursive: true })
  writeFileSync(join(dir, 'src/a.js'), 'a')
  writeFileSync(join(dir, 'src/b.txt'), 'b')
  writeFileSync(join(dir, 'src/sub/c.js'), 'c')
  symlinkSync('/etc', join(dir, 'abs'))
  symlinkSync('../..', join(dir, 'src/up'))
  symlinkSync('sub', join(dir, 'src/inner'))
  return dir
}

test('resolveInRoot() refuses symlinks leading out of a strict root and clamps them otherwise', async (t) => {
  const dir = tree(t)
  await assert.rejects(resolveInRoot(dir, 'abs/passwd', true), /forbidden path outside the build context: abs\/passwd/)
  await assert.rejects(resolveInRoot(dir, 'src/up/x', true), /forbidden path outside the build context/)
  await assert.rejects(resolveInRoot(dir, '../x', true), /forbidden path outside the build context/)
  assert.equal(await resolveInRoot(dir, 'src/inner/c.js', true), join(dir, 'src/sub/c.js'))
  assert.equal(await resolveInRoot(dir, 'abs/passwd', false), join(dir, 'etc/passwd'))
})

test('resolveSources() expands globs per path segment and reports missing files in Docker words', async (t) => {
  const dir = tree(t)
  const found = await resolveSources(dir, 'src/*.js', true, 'COPY')
  assert.deepEqual(found.map((f) => f.rel), ['src/a.js'])
  assert.deepEqual((await resolveSources(dir, './src/', true, 'COPY')).map((f) => f.rel), ['src'])
  await assert.rejects(resolveSources(dir, 'nope.txt', true, 'COPY'), /COPY failed: file not found in build context or excluded by \.dockerignore: stat nope\.txt/)
  await assert.rejects(resolveSources(dir, '../outside', true, 'COPY'), /COPY failed: forbidden path outside the build context: \.\.\/outside/)
})

test('hashSources() changes with content and mode but not with modification time', async (t) => {
  const dir = tree(t)
  const src = [{ rel: 'src', host: join(dir, 'src') }]
  const h1 = await hashSources(src)
  utimesSync(join(dir, 'src/a.js'), new Date(1000), new Date(1000))
  assert.equal(await hashSources(src), h1)
  writeFileSync(join(dir, 'src/a.js'), 'changed')
  const h2 = await hashSources(src)
  assert.notEqual(h2, h1)
  chmodSync(join(dir, 'src/a.js'), 0o600)
  assert.notEqual(await hashSources(src), h2)
})

test('copyTree() copies files, dirs and symlinks with the given owner and mode', async (t) => {
  const dir = tree(t)
  const dest = join(dir, 'dest')
  await copyTree(join(dir, 'src'), dest, { owner: { uid: 1234, gid: 5678 }, mode: 0o750 })
  assert.equal(readFileSync(join(dest, 'sub/c.js'), 'utf8'), 'c')
  assert.equal(statSync(join(dest, 'a.js')).uid, 1234)
  assert.equal(statSync(join(dest, 'a.js')).gid, 5678)
  assert.equal(statSync(join(dest, 'a.js')).mode & 0o7777, 0o750)
  assert.equal(readlinkSync(join(dest, 'up')), '../..')
})

test('looksLikeArchive() knows tar, gzip, bzip2 and xz by their magic', () => {
  const tar = Buffer.alloc(512)
  tar.write('ustar', 257, 'latin1')
  assert.equal(looksLikeArchive(tar), true)
  assert.equal(looksLikeArchive(Buffer.from([0x1f, 0x8b, 8])), true)
  assert.equal(looksLikeArchive(Buffer.from('BZh91AY')), true)
  assert.equal(looksLikeArchive(Buffer.from('plain text')), false)
})

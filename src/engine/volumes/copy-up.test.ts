import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, chown, lstat, mkdir, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { copyUp } from './copy-up.js'

const asRoot = process.getuid?.() === 0 ? false : 'needs root to keep owners'

test('copyUp() copies files, owners, modes and symlinks into an empty volume', { skip: asRoot }, async (t) => {
  const dir = await mkdtemp('/tmp/berth-copyup-')
  t.after(() => rm(dir, { recursive: true, force: true }))
  const src = join(dir, 'src')
  const dst = join(dir, 'dst')
  await mkdir(join(src, 'sub'), { recursive: true })
  await mkdir(dst)
  await writeFile(join(src, 'sub', 'conf'), 'x=1\n')
  await chown(join(src, 'sub', 'conf'), 1234, 5678)
  await chmod(join(src, 'sub', 'conf'), 0o640)
  await symlink('/etc/passwd', join(src, 'abs-link'))
  await chown(src, 99, 98)
  await chmod(src, 0o750)
  assert.equal(await copyUp(src, dst), true)
  assert.equal(await readFile(join(dst, 'sub', 'conf'), 'utf8'), 'x=1\n')
  const st = await stat(join(dst, 'sub', 'conf'))
  assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [1234, 5678, 0o640])
  // A symlink is copied as a link: its target is never read.
  assert.ok((await lstat(join(dst, 'abs-link'))).isSymbolicLink())
  assert.equal(await readlink(join(dst, 'abs-link')), '/etc/passwd')
  const top = await stat(dst)
  assert.deepEqual([top.uid, top.gid, top.mode & 0o7777], [99, 98, 0o750])
})

test('copyUp() leaves a volume that has files alone and ignores a missing source', async (t) => {
  const dir = await mkdtemp('/tmp/berth-copyup-')
  t.after(() => rm(dir, { recursive: true, force: true }))
  await mkdir(join(dir, 'src'))
  await writeFile(join(dir, 'src', 'new'), 'image')
  await mkdir(join(dir, 'dst'))
  await writeFile(join(dir, 'dst', 'old'), 'volume')
  assert.equal(await copyUp(join(dir, 'src'), join(dir, 'dst')), false)
  await assert.rejects(readFile(join(dir, 'dst', 'new')))
  assert.equal(await copyUp(join(dir, 'missing'), join(dir, 'dst')), false)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, mkdir, rm, stat, symlink, writeFile, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PrivateDir } from './private-dir.js'

test('PrivateDir.ready() makes the directory anew with mode 0700, once', async (t) => {
  const parent = await mkdtemp(join(tmpdir(), 'berth-private-'))
  t.after(() => rm(parent, { recursive: true, force: true }))
  const path = join(parent, 'deep', 'own')
  await mkdir(path, { recursive: true })
  await writeFile(join(path, 'stale'), 'x')
  const dir = new PrivateDir(path)
  await dir.ready()
  assert.equal((await stat(path)).mode & 0o777, 0o700)
  assert.deepEqual(await readdir(path), [])
  await writeFile(join(path, 'mine'), 'y')
  await dir.ready()
  assert.deepEqual(await readdir(path), ['mine'])
})

test('PrivateDir.ready() fails on a path it cannot make, and tries again on the next call', async (t) => {
  const parent = await mkdtemp(join(tmpdir(), 'berth-private-'))
  t.after(() => rm(parent, { recursive: true, force: true }))
  await writeFile(join(parent, 'file'), 'x')
  const dir = new PrivateDir(join(parent, 'file', 'own'))
  await assert.rejects(dir.ready(), /ENOTDIR/)
  await rm(join(parent, 'file'))
  await dir.ready()
  assert.equal((await stat(join(parent, 'file', 'own'))).mode & 0o777, 0o700)
})

test('PrivateDir.ready() does not follow a link someone put in its place', async (t) => {
  const parent = await mkdtemp(join(tmpdir(), 'berth-private-'))
  t.after(() => rm(parent, { recursive: true, force: true }))
  const elsewhere = join(parent, 'elsewhere')
  await mkdir(elsewhere)
  await writeFile(join(elsewhere, 'kept'), 'x')
  await symlink(elsewhere, join(parent, 'own'))
  await new PrivateDir(join(parent, 'own')).ready()
  assert.ok((await stat(join(parent, 'own'))).isDirectory())
  assert.deepEqual(await readdir(elsewhere), ['kept'])
})

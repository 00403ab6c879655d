import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { etcMountPoints, missingMountPoints, removeEtcStubs } from './run-mount-points.js'

/** A rootfs (as the RUN sees it) and an upper dir (what the step commits), removed with `t`. */
async function dirs(t: { after(fn: () => Promise<void>): void }): Promise<{ rootfs: string; upper: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-mp-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const rootfs = join(dir, 'rootfs')
  const upper = join(dir, 'upper')
  await mkdir(rootfs)
  await mkdir(upper)
  return { rootfs, upper }
}

/** What the runtime leaves in the upper dir for the mount points: empty files in etc/ (mode 0755 as given). */
async function stubs(upper: string, names: string[], mode = 0o755): Promise<void> {
  await mkdir(join(upper, 'etc'), { recursive: true })
  await chmod(join(upper, 'etc'), mode)
  for (const n of names) await writeFile(join(upper, 'etc', n), '')
}

test('missingMountPoints() names those of proc, sys and dev the rootfs lacks', async (t) => {
  const { rootfs } = await dirs(t)
  await mkdir(join(rootfs, 'proc'))
  await symlink('/nowhere', join(rootfs, 'dev'))
  assert.deepEqual(missingMountPoints(rootfs), ['sys'])
})

test('etcMountPoints() without /etc: both files are bound; removeEtcStubs() removes them and the /etc the runtime made', async (t) => {
  const { rootfs, upper } = await dirs(t)
  const points = etcMountPoints(rootfs)
  assert.deepEqual(points, { bind: ['hosts', 'resolv.conf'], created: ['hosts', 'resolv.conf'], etc: undefined })
  await stubs(upper, ['hosts', 'resolv.conf'])
  await removeEtcStubs(upper, points)
  assert.deepEqual(await readdir(upper), [])
})

test('removeEtcStubs() keeps /etc when the RUN put a file there or changed its mode, and never what the image had', async (t) => {
  const { rootfs, upper } = await dirs(t)
  await mkdir(join(rootfs, 'etc'), { mode: 0o755 })
  await chmod(join(rootfs, 'etc'), 0o755)
  await writeFile(join(rootfs, 'etc', 'hosts'), '127.0.0.1 localhost\n')
  const points = etcMountPoints(rootfs)
  assert.deepEqual(points.bind, ['hosts', 'resolv.conf'])
  assert.deepEqual(points.created, ['resolv.conf'])

  // Only the copy-up of /etc for the stub: it goes.
  await stubs(upper, ['resolv.conf'])
  await removeEtcStubs(upper, points)
  assert.deepEqual(await readdir(upper), [])

  // A file of the RUN's own.
  await stubs(upper, ['resolv.conf', 'motd'])
  await removeEtcStubs(upper, points)
  assert.deepEqual(await readdir(join(upper, 'etc')), ['motd'])
  await rm(join(upper, 'etc'), { recursive: true })

  // `chmod 700 /etc` in the RUN.
  await stubs(upper, ['resolv.conf'], 0o700)
  await removeEtcStubs(upper, points)
  assert.deepEqual(await readdir(join(upper, 'etc')), [])
})

test('etcMountPoints() binds nothing through a symlink: not a linked /etc, not a linked file', async (t) => {
  const { rootfs } = await dirs(t)
  await mkdir(join(rootfs, 'real'))
  await symlink('real', join(rootfs, 'etc'))
  assert.deepEqual(etcMountPoints(rootfs), { bind: [], created: [], etc: undefined })
  await rm(join(rootfs, 'etc'))
  await mkdir(join(rootfs, 'etc'))
  await symlink('/run/systemd/resolve/stub-resolv.conf', join(rootfs, 'etc', 'resolv.conf'))
  const points = etcMountPoints(rootfs)
  assert.deepEqual([points.bind, points.created], [['hosts'], ['hosts']])
})

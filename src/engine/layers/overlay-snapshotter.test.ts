import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { lstat, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { sha256 } from '../../common/index.js'
import { isMountpoint, makeSpecialFiles, mountOverlay, unmount } from '../../sys/mount.js'
import { FakeMounter } from './fake-mounter.js'
import type { Mounter } from './mounter.js'
import { OverlaySnapshotter } from './overlay-snapshotter.js'
import { packTar, type TarEntry } from './pack-tar.js'
import { snapshotterSuite } from './snapshotter.suite.js'

const isRoot = process.getuid?.() === 0
const realMounter: Mounter = { mountOverlay, unmount, isMountpoint, makeSpecialFiles }
const mtime = new Date(1_600_000_000_000)

async function setup(t: TestContext, mounter: Mounter): Promise<{ snapshotter: OverlaySnapshotter; scratch: string; data: string }> {
  const data = await mkdtemp('/tmp/berth-snapshotter-test-')
  const snapshotter = new OverlaySnapshotter({ layersRoot: join(data, 'layers'), snapshotsRoot: join(data, 'containers'), mounter })
  const scratch = join(data, 'mnt')
  await mkdir(scratch)
  // Unmounts whatever a failed test left mounted before deleting anything.
  t.after(async () => {
    for (const name of await readdir(scratch).catch(() => [])) await unmount(join(scratch, name), { lazy: true })
    await rm(data, { recursive: true, force: true })
  })
  return { snapshotter, scratch, data }
}

if (isRoot) snapshotterSuite('OverlaySnapshotter (real overlay)', (t) => setup(t, realMounter))
snapshotterSuite('OverlaySnapshotter (FakeMounter)', (t) => setup(t, new FakeMounter()))

async function apply(s: OverlaySnapshotter, parent: string | undefined, entries: TarEntry[]): Promise<string> {
  const tar = await packTar(entries)
  return (await s.applyLayer(parent, sha256(tar), Readable.from(tar))).chainId
}

test('OverlaySnapshotter mounts copy-on-write snapshots over an unpacked layer', { skip: !isRoot && 'needs root' }, async (t) => {
  const { snapshotter, scratch, data } = await setup(t, realMounter)
  const chain = await apply(snapshotter, undefined, [
    { header: { name: 'etc/', type: 'directory', mode: 0o755, mtime } },
    { header: { name: 'etc/config', mode: 0o640, uid: 7, gid: 8, mtime }, data: 'original' },
    { header: { name: 'bin/sh', type: 'symlink', linkname: 'busybox', mtime } },
  ])
  await snapshotter.prepare('one', chain)
  await snapshotter.prepare('two', chain)
  const one = join(scratch, 'one')
  const two = join(scratch, 'two')
  t.after(async () => {
    await snapshotter.unmount(one)
    await snapshotter.unmount(two)
  })
  await snapshotter.mount('one', one)
  await snapshotter.mount('two', two)
  const st = await lstat(join(one, 'etc/config'))
  assert.equal(st.mode & 0o7777, 0o640)
  assert.equal(st.uid, 7)
  assert.equal(st.mtimeMs, mtime.getTime())
  assert.ok((await lstat(join(one, 'bin/sh'))).isSymbolicLink())

  await writeFile(join(one, 'etc/config'), 'changed')
  await writeFile(join(one, 'new-file'), 'new')
  assert.equal(await readFile(join(one, 'etc/config'), 'utf8'), 'changed')
  assert.equal(await readFile(join(two, 'etc/config'), 'utf8'), 'original')
  assert.equal(await readFile(join(data, 'layers', chain.slice(7), 'diff/etc/config'), 'utf8'), 'original')
  assert.equal(await readFile(join(snapshotter.upperDir('one'), 'etc/config'), 'utf8'), 'changed')
  await assert.rejects(lstat(join(two, 'new-file')), { code: 'ENOENT' })

  await snapshotter.unmount(one)
  assert.equal(await isMountpoint(one), false)
  await snapshotter.mount('one', one, { readonly: true })
  assert.equal(await readFile(join(one, 'etc/config'), 'utf8'), 'changed')
  await assert.rejects(writeFile(join(one, 'etc/config'), 'x'), { code: 'EROFS' })
})

test('OverlaySnapshotter hides files deleted by a whiteout and dirs made opaque', { skip: !isRoot && 'needs root' }, async (t) => {
  const { snapshotter, scratch } = await setup(t, realMounter)
  const base = await apply(snapshotter, undefined, [
    { header: { name: 'keep', mtime }, data: 'k' },
    { header: { name: 'doomed', mtime }, data: 'd' },
    { header: { name: 'cache/old', mtime }, data: 'o' },
  ])
  const top = await apply(snapshotter, base, [
    { header: { name: '.wh.doomed', mtime }, data: '' },
    { header: { name: 'cache/.wh..wh..opq', mtime }, data: '' },
    { header: { name: 'cache/fresh', mtime }, data: 'f' },
  ])
  await snapshotter.prepare('c', top)
  const target = join(scratch, 'c')
  t.after(() => snapshotter.unmount(target))
  await snapshotter.mount('c', target)
  assert.deepEqual((await readdir(target)).sort(), ['cache', 'keep'])
  assert.deepEqual(await readdir(join(target, 'cache')), ['fresh'])
  assert.deepEqual(await snapshotter.lowerDirs(top), [
    join(scratch, '..', 'layers', top.slice(7), 'diff'),
    join(scratch, '..', 'layers', base.slice(7), 'diff'),
  ])
})

test('OverlaySnapshotter mounts a snapshot with no parent as an empty rootfs', { skip: !isRoot && 'needs root' }, async (t) => {
  const { snapshotter, scratch } = await setup(t, realMounter)
  await snapshotter.prepare('empty', undefined)
  const target = join(scratch, 'empty')
  t.after(() => snapshotter.unmount(target))
  await snapshotter.mount('empty', target)
  assert.deepEqual(await readdir(target), [])
  await writeFile(join(target, 'x'), 'y')
  assert.equal(await readFile(join(snapshotter.upperDir('empty'), 'x'), 'utf8'), 'y')
})

test('OverlaySnapshotter.mount() passes the chain top first to the mounter', async (t) => {
  const mounter = new FakeMounter()
  const { snapshotter, scratch, data } = await setup(t, mounter)
  const base = await apply(snapshotter, undefined, [{ header: { name: 'a', mtime }, data: 'a' }])
  const top = await apply(snapshotter, base, [{ header: { name: 'b', mtime }, data: 'b' }])
  await snapshotter.prepare('k', top)
  await snapshotter.mount('k', join(scratch, 'k'), { readonly: true })
  await snapshotter.mount('k', join(scratch, 'k'))
  const mounts = mounter.calls.filter((c) => c.op === 'mountOverlay')
  assert.equal(mounts.length, 1, 'an existing mount point is not mounted twice')
  assert.deepEqual(mounts[0], {
    op: 'mountOverlay',
    opts: {
      lowerdirs: [join(data, 'layers', top.slice(7), 'diff'), join(data, 'layers', base.slice(7), 'diff')],
      upperdir: join(data, 'containers/k/upper'),
      workdir: join(data, 'containers/k/work'),
      target: join(scratch, 'k'),
      readonly: true,
    },
  })
})

test('OverlaySnapshotter.applyLayer() leaves no layer dir behind after a rejected tar', async (t) => {
  const { snapshotter, data } = await setup(t, new FakeMounter())
  const tar = await packTar([{ header: { name: '../escape', mtime }, data: 'x' }])
  await assert.rejects(snapshotter.applyLayer(undefined, sha256(tar), Readable.from(tar)), { kind: 'InvalidArgument' })
  assert.deepEqual(await readdir(join(data, 'layers')), [])
})

test('OverlaySnapshotter mounts a snapshot again, durable or volatile, after a volatile mount', { skip: !isRoot && 'needs root' }, async (t) => {
  const { snapshotter, scratch } = await setup(t, realMounter)
  const chain = await apply(snapshotter, undefined, [{ header: { name: 'etc/', type: 'directory', mode: 0o755, mtime } }])
  // A volatile snapshot's record is as readable as a durable one's.
  await snapshotter.prepare('temp', chain, { volatile: true })
  const target = join(scratch, 'temp')
  t.after(() => snapshotter.unmount(target))
  await snapshotter.mount('temp', target, { volatile: true })
  await writeFile(join(target, 'etc/kept'), 'x')
  await snapshotter.unmount(target)
  await snapshotter.mount('temp', target, { volatile: true })
  await snapshotter.unmount(target)
  await snapshotter.mount('temp', target)
  assert.equal(await readFile(join(target, 'etc/kept'), 'utf8'), 'x')
})

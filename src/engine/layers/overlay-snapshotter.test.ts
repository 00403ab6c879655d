import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, link, lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { sha256 } from '../../common/index.js'
import { isMountpoint, makeSpecialFiles, mountOverlay, unmount } from '../../sys/mount.js'
import { run } from '../../sys/process.js'
import { FakeMounter } from './fake-mounter.js'
import type { Mounter } from './mounter.js'
import { withUpperDirLayer } from './overlay-diff.js'
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

/** What a mounted tree shows: per path, its type, mode, owner, and content or link target. */
async function tree(root: string, rel = ''): Promise<string[]> {
  const out: string[] = []
  for (const name of (await readdir(join(root, rel))).sort()) {
    const path = rel ? `${rel}/${name}` : name
    const st = await lstat(join(root, path))
    const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? `link->${await readlink(join(root, path))}` : st.isFile() ? `file:${await readFile(join(root, path), 'utf8')}` : 'other'
    out.push(`${path} ${kind} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid}`)
    if (st.isDirectory()) out.push(...(await tree(root, path)))
  }
  return out
}

test('OverlaySnapshotter.commitUpperDir() makes an upper dir the layer that unpacking its tar makes', { skip: !isRoot && 'needs root' }, async (t) => {
  const { snapshotter, scratch, data } = await setup(t, realMounter)
  // The same layers unpacked from the tar, in a second store, to compare with.
  const unpacking = new OverlaySnapshotter({ layersRoot: join(data, 'layers2'), snapshotsRoot: join(data, 'containers2'), mounter: realMounter })
  const baseEntries: TarEntry[] = [
    { header: { name: 'keep', mtime }, data: 'k' },
    { header: { name: 'doomed', mtime }, data: 'd' },
    { header: { name: 'cache/', type: 'directory', mode: 0o755, mtime } },
    { header: { name: 'cache/old', mtime }, data: 'o' },
  ]
  const base = await apply(snapshotter, undefined, baseEntries)
  await apply(unpacking, undefined, baseEntries)

  await snapshotter.prepare('step', base, { volatile: true })
  const step = join(scratch, 'step')
  t.after(() => snapshotter.unmount(step))
  await snapshotter.mount('step', step, { volatile: true })
  await writeFile(join(step, 'new'), 'new-file')
  await rm(join(step, 'doomed')) // a whiteout
  await rm(join(step, 'cache'), { recursive: true })
  await mkdir(join(step, 'cache')) // an opaque dir
  await writeFile(join(step, 'cache/fresh'), 'f')
  await symlink('new', join(step, 'link'))
  await link(join(step, 'new'), join(step, 'hard'))
  await chmod(join(step, 'keep'), 0o600) // a copy-up
  await snapshotter.unmount(step)

  const upper = snapshotter.upperDir('step')
  const { tar, reusable } = await withUpperDirLayer(upper, join(data, 'diff.tar'), async (argv) => {
    await run(argv)
  }, async (layer) => {
    const chunks: Buffer[] = []
    for await (const c of layer.tar) chunks.push(c)
    return { tar: Buffer.concat(chunks), reusable: layer.reusableDir() }
  }, { reuseDir: true })
  assert.deepEqual(reusable?.dir, upper)
  const diffId = sha256(tar)
  const unpacked = await unpacking.applyLayer(base, diffId, Readable.from([tar]))
  const committed = await snapshotter.commitUpperDir(base, diffId, upper, reusable?.size ?? -1)
  assert.equal(committed.chainId, unpacked.chainId)
  assert.equal(committed.size, unpacked.size, 'the size unpacking records')
  await assert.rejects(lstat(upper), { code: 'ENOENT' })
  const diff = join(data, 'layers', committed.chainId.slice(7), 'diff')
  assert.equal((await lstat(join(diff, 'hard'))).ino, (await lstat(join(diff, 'new'))).ino)
  assert.equal((await lstat(diff)).mode & 0o7777, 0o755)

  // A child over each: the same tree, and the whiteout and the opaque dir hide what is below.
  await snapshotter.prepare('child', committed.chainId)
  await unpacking.prepare('child', unpacked.chainId)
  const child = join(scratch, 'child')
  const child2 = join(scratch, 'child2')
  t.after(async () => {
    await snapshotter.unmount(child)
    await unpacking.unmount(child2)
  })
  await snapshotter.mount('child', child)
  await unpacking.mount('child', child2)
  const shown = await tree(child)
  assert.deepEqual(shown, await tree(child2))
  assert.deepEqual(shown.map((l) => l.split(' ').slice(0, 2).join(' ')), [
    'cache dir', 'cache/fresh file:f', 'hard file:new-file', 'keep file:k', 'link link->new', 'new file:new-file',
  ])
  assert.equal((await lstat(join(child, 'keep'))).mode & 0o777, 0o600)
  // The committed layer is an ordinary lower: a child can change it without touching it.
  await writeFile(join(child, 'new'), 'changed')
  assert.equal(await readFile(join(diff, 'new'), 'utf8'), 'new-file')
})

test('OverlaySnapshotter.commitUpperDir() fails and registers nothing when the dir cannot be moved', async (t) => {
  const { snapshotter, data } = await setup(t, new FakeMounter())
  const base = await apply(snapshotter, undefined, [{ header: { name: 'a', mtime }, data: 'a' }])
  await assert.rejects(snapshotter.commitUpperDir(base, sha256('x'), join(data, 'no-such-dir'), 1), { code: 'ENOENT' })
  assert.equal(await snapshotter.hasLayer(sha256(`${base} ${sha256('x')}`)), false)
  assert.deepEqual(await readdir(join(data, 'layers')), [base.slice(7)])
})

import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { isMountpoint, makeSpecialFiles, mountOverlay, unmount } from '../../sys/mount.js'
import { EventBus } from '../events/index.js'
import { OverlaySnapshotter, packTar } from '../layers/index.js'
import { ImageStore } from './image-store.js'

const isRoot = process.getuid?.() === 0
const mtime = new Date(1_600_000_000_000)

async function setup(t: TestContext): Promise<{ images: ImageStore; snapshotter: OverlaySnapshotter; dataRoot: string; mounts: string[] }> {
  const dataRoot = await mkdtemp('/tmp/berth-images-overlay-test-')
  const mounts: string[] = []
  t.after(async () => {
    for (const m of mounts) await unmount(m, { lazy: true })
    await rm(dataRoot, { recursive: true, force: true })
  })
  const snapshotter = new OverlaySnapshotter({
    layersRoot: join(dataRoot, 'layers'),
    snapshotsRoot: join(dataRoot, 'containers'),
    mounter: { mountOverlay, unmount, isMountpoint, makeSpecialFiles },
  })
  return { images: new ImageStore({ dataRoot, snapshotter, events: new EventBus() }), snapshotter, dataRoot, mounts }
}

test('ImageStore.importTar() layer mounts copy-on-write in independent snapshots', { skip: !isRoot && 'needs root and overlayfs' }, async (t) => {
  const { images, snapshotter, dataRoot, mounts } = await setup(t)
  const tar = await packTar([
    { header: { name: 'etc/', type: 'directory', mode: 0o755, mtime } },
    { header: { name: 'etc/motd', mode: 0o644, mtime }, data: 'welcome' },
  ])
  const img = await images.importTar(Readable.from([gzipSync(tar)]), { repoTag: 'imported' })
  const chain = img.topChainId as string
  for (const key of ['c1', 'c2']) {
    await snapshotter.prepare(key, chain)
    const target = join(dataRoot, 'containers', key, 'rootfs')
    mounts.push(target)
    await snapshotter.mount(key, target)
  }
  const [r1, r2] = mounts as [string, string]
  await writeFile(join(r1, 'etc/motd'), 'changed in c1')
  assert.equal(await readFile(join(r1, 'etc/motd'), 'utf8'), 'changed in c1')
  assert.equal(await readFile(join(r2, 'etc/motd'), 'utf8'), 'welcome')
  assert.equal(await readFile(join(dataRoot, 'layers', chain.slice(7), 'diff/etc/motd'), 'utf8'), 'welcome')
})

test('ImageStore.createFromLayers() whiteouts in an upper layer hide lower files in the mount', { skip: !isRoot && 'needs root and overlayfs' }, async (t) => {
  const { images, snapshotter, dataRoot, mounts } = await setup(t)
  const base = await packTar([
    { header: { name: 'keep', mtime }, data: 'k' },
    { header: { name: 'remove-me', mtime }, data: 'r' },
    { header: { name: 'dir/old', mtime }, data: 'o' },
  ])
  const top = await packTar([
    { header: { name: '.wh.remove-me', mtime }, data: '' },
    { header: { name: 'dir/.wh..wh..opq', mtime }, data: '' },
    { header: { name: 'dir/new', mtime }, data: 'n' },
  ])
  const img = await images.createFromLayers([Readable.from([base]), Readable.from([top])], { architecture: 'amd64', os: 'linux' }, 'layered')
  await snapshotter.prepare('c', img.topChainId)
  const target = join(dataRoot, 'containers/c/rootfs')
  mounts.push(target)
  await snapshotter.mount('c', target)
  assert.deepEqual((await readdir(target)).sort(), ['dir', 'keep'])
  assert.deepEqual(await readdir(join(target, 'dir')), ['new'])
  // Removing the image removes both layers from disk.
  await snapshotter.unmount(target)
  await snapshotter.removeSnapshot('c')
  const result = await images.remove('layered', { isUsedByContainer: () => false })
  assert.equal(result.deleted.length, 3)
  assert.deepEqual((await readdir(join(dataRoot, 'layers'))).filter((n) => n !== 'empty'), [])
})

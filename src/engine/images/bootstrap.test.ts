import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { access, mkdtemp, readlink, readFile, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { isMountpoint, makeSpecialFiles, mountOverlay, unmount } from '../../sys/mount.js'
import { run } from '../../sys/process.js'
import { EventBus } from '../events/index.js'
import { FakeSnapshotter, OverlaySnapshotter } from '../layers/index.js'
import { bootstrapBusybox, busyboxCreatedBy, busyboxEntries } from './bootstrap.js'
import { ImageStore } from './image-store.js'

const isRoot = process.getuid?.() === 0
const hasBusybox = await access('/bin/busybox').then(() => true, () => false)
const listApplets = async (): Promise<string[]> => (await run(['/bin/busybox', '--list'])).stdout.toString().split('\n').filter(Boolean)

/** A temporary data root; `mounts` under it are unmounted before it is deleted. */
async function dataRoot(t: TestContext, mounts: string[] = []): Promise<string> {
  const dir = await mkdtemp('/tmp/berth-bootstrap-test-')
  t.after(async () => {
    for (const m of mounts) await unmount(m, { lazy: true })
    await rm(dir, { recursive: true, force: true })
  })
  return dir
}

test('busyboxEntries() lists the binary, one symlink per applet and base files in fixed order', () => {
  const when = new Date(0)
  const entries = busyboxEntries(Buffer.from('bin'), ['sh', 'ls', 'busybox', '../x', 'sh'], when)
  const names = entries.map((e) => e.header.name)
  assert.deepEqual(names.slice(0, 4), ['bin/', 'bin/busybox', 'bin/ls', 'bin/sh'])
  assert.ok(names.includes('etc/passwd') && names.includes('tmp/') && names.includes('usr/bin/'))
  assert.equal(entries.find((e) => e.header.name === 'tmp/')?.header.mode, 0o1777)
  assert.ok(entries.every((e) => e.header.mtime === when))
})

test('busyboxCreatedBy() names the Debian package version', () => {
  assert.equal(
    busyboxCreatedBy(Buffer.from('xx BusyBox v1.35.0 (Debian 1:1.35.0-4+b3) multi-call')),
    'BUSYBOX bootstrap from Debian busybox-static 1:1.35.0-4+b3',
  )
  assert.equal(busyboxCreatedBy(Buffer.from('none')), 'BUSYBOX bootstrap from busybox')
})

test('bootstrapBusybox() is idempotent and gives the same id in another data root', { skip: !hasBusybox && 'no /bin/busybox' }, async (t) => {
  const [rootA, rootB] = [await dataRoot(t), await dataRoot(t)]
  const a = new ImageStore({ dataRoot: rootA, snapshotter: new FakeSnapshotter(), events: new EventBus() })
  const b = new ImageStore({ dataRoot: rootB, snapshotter: new FakeSnapshotter(), events: new EventBus() })
  const first = await bootstrapBusybox(a, { listApplets })
  assert.deepEqual(first.repoTags, ['docker.io/library/busybox:latest'])
  assert.deepEqual(first.config.config, { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] })
  assert.match(first.config.history?.[0]?.created_by ?? '', /^BUSYBOX bootstrap from /)
  let listed = 0
  const again = await bootstrapBusybox(a, { listApplets: async () => { listed++; return [] } })
  assert.equal(again.id, first.id)
  assert.equal(listed, 0, 'an existing busybox:latest is returned without rebuilding')
  assert.equal((await bootstrapBusybox(b, { listApplets })).id, first.id)
})

test('bootstrapBusybox() image runs busybox from an overlay mount', { skip: (!isRoot || !hasBusybox) && 'needs root and /bin/busybox' }, async (t) => {
  const mounts: string[] = []
  const root = await dataRoot(t, mounts)
  const target = join(root, 'containers/c/rootfs')
  mounts.push(target)
  const snapshotter = new OverlaySnapshotter({
    layersRoot: join(root, 'layers'),
    snapshotsRoot: join(root, 'containers'),
    mounter: { mountOverlay, unmount, isMountpoint, makeSpecialFiles },
  })
  const images = new ImageStore({ dataRoot: root, snapshotter, events: new EventBus() })
  const img = await bootstrapBusybox(images, { listApplets })
  await snapshotter.prepare('c', img.topChainId)
  await snapshotter.mount('c', target)
  assert.equal(await readlink(join(target, 'bin/sh')), 'busybox')
  assert.match(await readFile(join(target, 'etc/passwd'), 'utf8'), /^root:x:0:0:root:\/root:\/bin\/sh$/m)
  const out = await run(['/usr/sbin/chroot', target, '/bin/sh', '-c', 'echo hello from $(basename $0)'])
  assert.equal(out.stdout.toString(), 'hello from sh\n')
})

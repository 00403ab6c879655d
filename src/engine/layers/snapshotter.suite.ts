import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { join } from 'node:path'
import { sha256 } from '../../common/index.js'
import { packTar } from './pack-tar.js'
import type { Snapshotter } from './snapshotter.js'

export interface SnapshotterSuiteContext {
  snapshotter: Snapshotter
  /** A scratch directory for mount targets; removed by the setup's own t.after. */
  scratch: string
}

const mtime = new Date(1_700_000_000_000)

async function layer(files: Record<string, string>): Promise<{ tar: Buffer; diffId: string; size: number }> {
  const tar = await packTar(Object.entries(files).map(([name, data]) => ({ header: { name, mode: 0o644, mtime }, data })))
  return { tar, diffId: sha256(tar), size: Object.values(files).reduce((n, d) => n + Buffer.byteLength(d), 0) }
}

/** The Snapshotter contract, run by every implementation (containerd's SnapshotterSuite idea). */
export function snapshotterSuite(name: string, setup: (t: TestContext) => Promise<SnapshotterSuiteContext>): void {
  test(`${name}: applyLayer() gives a base layer its diff id as chain id and records size`, async (t) => {
    const { snapshotter } = await setup(t)
    const l = await layer({ 'a.txt': 'hello', 'b.txt': 'world!' })
    const { tarSize, ...info } = await snapshotter.applyLayer(undefined, l.diffId, Readable.from(l.tar))
    assert.deepEqual(info, { chainId: l.diffId, diffId: l.diffId, parentChainId: undefined, size: l.size })
    assert.equal(tarSize, l.tar.length)
    assert.equal(await snapshotter.hasLayer(l.diffId), true)
    assert.deepEqual(await snapshotter.layerInfo(l.diffId), info)
  })

  test(`${name}: applyLayer() chains a child layer to its parent`, async (t) => {
    const { snapshotter } = await setup(t)
    const base = await layer({ 'a.txt': 'base' })
    const child = await layer({ 'b.txt': 'child' })
    await snapshotter.applyLayer(undefined, base.diffId, Readable.from(base.tar))
    const info = await snapshotter.applyLayer(base.diffId, child.diffId, Readable.from(child.tar))
    assert.equal(info.chainId, sha256(`${base.diffId} ${child.diffId}`))
    assert.equal(info.parentChainId, base.diffId)
    assert.equal(info.diffId, child.diffId)
  })

  test(`${name}: applyLayer() is idempotent per chain`, async (t) => {
    const { snapshotter } = await setup(t)
    const l = await layer({ 'a.txt': 'same' })
    const { tarSize, ...first } = await snapshotter.applyLayer(undefined, l.diffId, Readable.from(l.tar))
    const second = await snapshotter.applyLayer(undefined, l.diffId, Readable.from(l.tar))
    assert.equal(tarSize, l.tar.length)
    assert.deepEqual(second, first, 'no tarSize: the second tar was not unpacked')
  })

  test(`${name}: applyLayer() with parentReady unpacks before the parent exists and registers only after it`, async (t) => {
    const { snapshotter } = await setup(t)
    const base = await layer({ 'a.txt': 'base' })
    const child = await layer({ 'b.txt': 'child' })
    const chain = sha256(`${base.diffId} ${child.diffId}`)
    let ready = (): void => undefined
    const parentReady = new Promise<void>((r) => (ready = r))
    let settled = false
    const applying = snapshotter.applyLayer(base.diffId, child.diffId, Readable.from(child.tar), { parentReady }).finally(() => (settled = true))
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r))
    assert.equal(settled, false)
    assert.equal(await snapshotter.hasLayer(chain), false)
    await snapshotter.applyLayer(undefined, base.diffId, Readable.from(base.tar))
    ready()
    const info = await applying
    assert.equal(info.chainId, chain)
    assert.equal(info.parentChainId, base.diffId)
    assert.equal(await snapshotter.hasLayer(chain), true)
  })

  test(`${name}: applyLayer() with a rejected parentReady fails and registers nothing`, async (t) => {
    const { snapshotter } = await setup(t)
    const base = await layer({ 'a.txt': 'base' })
    const child = await layer({ 'b.txt': 'child' })
    const parentReady = Promise.reject(new Error('parent failed'))
    parentReady.catch(() => undefined)
    await assert.rejects(snapshotter.applyLayer(base.diffId, child.diffId, Readable.from(child.tar), { parentReady }), { message: 'parent failed' })
    assert.equal(await snapshotter.hasLayer(sha256(`${base.diffId} ${child.diffId}`)), false)
  })

  test(`${name}: applyLayer() rejects a tar whose digest is not the diff id`, async (t) => {
    const { snapshotter } = await setup(t)
    const l = await layer({ 'a.txt': 'content' })
    const wrong = sha256('something else')
    await assert.rejects(snapshotter.applyLayer(undefined, wrong, Readable.from(l.tar)), { kind: 'InvalidArgument' })
    assert.equal(await snapshotter.hasLayer(wrong), false)
    assert.equal(await snapshotter.hasLayer(l.diffId), false)
  })

  test(`${name}: applyLayer() and layerInfo() report an unknown chain as NotFound`, async (t) => {
    const { snapshotter } = await setup(t)
    const l = await layer({ 'a.txt': 'x' })
    await assert.rejects(snapshotter.applyLayer(sha256('missing'), l.diffId, Readable.from(l.tar)), { kind: 'NotFound' })
    await assert.rejects(snapshotter.layerInfo(sha256('missing')), { kind: 'NotFound' })
    assert.equal(await snapshotter.hasLayer(sha256('missing')), false)
  })

  test(`${name}: removeLayer() deletes the layer`, async (t) => {
    const { snapshotter } = await setup(t)
    const l = await layer({ 'a.txt': 'gone soon' })
    await snapshotter.applyLayer(undefined, l.diffId, Readable.from(l.tar))
    await snapshotter.removeLayer(l.diffId)
    assert.equal(await snapshotter.hasLayer(l.diffId), false)
    await assert.rejects(snapshotter.layerInfo(l.diffId), { kind: 'NotFound' })
  })

  test(`${name}: commitUpperDir() makes a snapshot's upper dir a layer; a second commit of the chain gets the first`, async (t) => {
    const { snapshotter } = await setup(t)
    const base = await layer({ 'a.txt': 'base' })
    await snapshotter.applyLayer(undefined, base.diffId, Readable.from(base.tar))
    await snapshotter.prepare('c1', base.diffId)
    await snapshotter.prepare('c2', base.diffId)
    const diffId = sha256('the tar of c1')
    const info = await snapshotter.commitUpperDir(base.diffId, diffId, snapshotter.upperDir('c1'), 42)
    assert.deepEqual(info, { chainId: sha256(`${base.diffId} ${diffId}`), diffId, parentChainId: base.diffId, size: 42 })
    assert.equal(await snapshotter.hasLayer(info.chainId), true)
    assert.deepEqual(await snapshotter.layerInfo(info.chainId), info)
    assert.deepEqual(await snapshotter.commitUpperDir(base.diffId, diffId, snapshotter.upperDir('c2'), 7), info)
    await snapshotter.removeSnapshot('c1')
    await snapshotter.removeSnapshot('c2')
    await snapshotter.prepare('child', info.chainId)
    await snapshotter.removeSnapshot('child')
    await snapshotter.prepare('c3', undefined)
    await assert.rejects(snapshotter.commitUpperDir(sha256('missing'), diffId, snapshotter.upperDir('c3'), 1), { kind: 'NotFound' })
    await assert.rejects(snapshotter.commitUpperDir(undefined, 'not-a-digest', snapshotter.upperDir('c3'), 1), { kind: 'InvalidArgument' })
    await snapshotter.removeSnapshot('c3')
  })

  test(`${name}: prepare() refuses an existing key and an unknown parent`, async (t) => {
    const { snapshotter } = await setup(t)
    const l = await layer({ 'a.txt': 'x' })
    await snapshotter.applyLayer(undefined, l.diffId, Readable.from(l.tar))
    await snapshotter.prepare('c1', l.diffId)
    await assert.rejects(snapshotter.prepare('c1', l.diffId), { kind: 'Conflict' })
    await assert.rejects(snapshotter.prepare('c2', sha256('missing')), { kind: 'NotFound' })
    assert.match(snapshotter.upperDir('c1'), /c1/)
    await snapshotter.removeSnapshot('c1')
  })

  test(`${name}: mount() returns the target, unmount() and removeSnapshot() release it`, async (t) => {
    const { snapshotter, scratch } = await setup(t)
    const l = await layer({ 'a.txt': 'x' })
    await snapshotter.applyLayer(undefined, l.diffId, Readable.from(l.tar))
    await snapshotter.prepare('c1', l.diffId)
    await snapshotter.prepare('scratch', undefined)
    const target = join(scratch, 'rootfs')
    const target2 = join(scratch, 'rootfs2')
    t.after(async () => {
      await snapshotter.unmount(target)
      await snapshotter.unmount(target2)
    })
    assert.equal(await snapshotter.mount('c1', target), target)
    assert.equal(await snapshotter.mount('scratch', target2, { readonly: true }), target2)
    await snapshotter.unmount(target)
    await snapshotter.unmount(target)
    await snapshotter.unmount(target2)
    await snapshotter.removeSnapshot('c1')
    await snapshotter.removeSnapshot('scratch')
    await assert.rejects(snapshotter.mount('c1', target), { kind: 'NotFound' })
    await snapshotter.removeSnapshot('c1') // idempotent: a retried removal does not fail
  })
}

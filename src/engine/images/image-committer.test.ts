import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { sha256, type Logger } from '../../common/index.js'
import { FakeSnapshotter, packTar, type LayerInfo, type UpperDirLayer } from '../layers/index.js'
import { ContentStore } from './content-store.js'
import { ImageCommitter } from './image-committer.js'
import type { ImageStore } from './image-store.js'

/** A FakeSnapshotter whose commitUpperDir fails with `failure` (an fs error, as EXDEV) when set. */
class MovingSnapshotter extends FakeSnapshotter {
  failure: Error | undefined
  override async commitUpperDir(parentChainId: string | undefined, diffId: string, upperDir: string, size: number): Promise<LayerInfo> {
    if (this.failure) throw this.failure
    return super.commitUpperDir(parentChainId, diffId, upperDir, size)
  }
}

async function setup(t: TestContext): Promise<{ committer: ImageCommitter; snapshotter: MovingSnapshotter; content: ContentStore; warnings: string[] }> {
  const root = await mkdtemp('/tmp/berth-committer-test-')
  t.after(() => rm(root, { recursive: true, force: true }))
  const content = new ContentStore(root)
  const snapshotter = new MovingSnapshotter()
  const warnings: string[] = []
  const logger: Logger = { debug: () => undefined, info: () => undefined, warn: (msg) => warnings.push(msg), error: () => undefined }
  return { committer: new ImageCommitter({ content } as unknown as ImageStore, snapshotter, logger), snapshotter, content, warnings }
}

async function upperLayer(dir: string | undefined): Promise<{ layer: UpperDirLayer; tar: Buffer }> {
  const tar = await packTar([{ header: { name: 'a.txt', mode: 0o644, mtime: new Date(0) }, data: 'hello' }])
  return { tar, layer: { tar: (async function* () { yield tar })(), reusableDir: () => (dir ? { dir, size: 5 } : undefined) } }
}

test('ImageCommitter.commitLayer() stores the blob and makes the upper dir the layer when it may', async (t) => {
  const { committer, snapshotter, content } = await setup(t)
  const { layer, tar } = await upperLayer('/upper')
  const result = await committer.commitLayer(undefined, layer)
  assert.deepEqual(result, { diffId: sha256(tar), chainId: sha256(tar), size: 5 })
  assert.equal(await content.has(sha256(tar)), true)
  assert.equal(snapshotter.committedDirs.get(sha256(tar)), '/upper')
})

test('ImageCommitter.commitLayer() unpacks the blob when the dir may not be used, or cannot be moved', async (t) => {
  const { committer, snapshotter, warnings } = await setup(t)
  const kept = await upperLayer(undefined)
  assert.equal((await committer.commitLayer(undefined, kept.layer)).size, 5)
  assert.equal(snapshotter.committedDirs.size, 0)
  await snapshotter.removeLayer(sha256(kept.tar))
  snapshotter.failure = Object.assign(new Error('EXDEV: cross-device link not permitted'), { code: 'EXDEV' })
  const moved = await upperLayer('/upper')
  assert.deepEqual(await committer.commitLayer(undefined, moved.layer), { diffId: sha256(moved.tar), chainId: sha256(moved.tar), size: 5 })
  assert.equal(snapshotter.committedDirs.size, 0)
  assert.equal(warnings.length, 1)
})

test('ImageCommitter.commitLayer() fails with the snapshotter\'s error for an unknown parent', async (t) => {
  const { committer } = await setup(t)
  const { layer } = await upperLayer('/upper')
  await assert.rejects(committer.commitLayer(sha256('missing'), layer), { kind: 'NotFound' })
})

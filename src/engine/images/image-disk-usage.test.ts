import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Digest } from '../../common/index.js'
import { chainIds } from '../layers/index.js'
import { imageDiskUsage } from './image-disk-usage.js'
import type { ImageRecord } from './types.js'

const d = (n: number): Digest => `sha256:${n.toString(16).padStart(64, '0')}`
const image = (id: number, diffIds: Digest[]): ImageRecord => ({
  id: d(1000 + id),
  repoTags: [],
  repoDigests: [],
  config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: diffIds } },
  topChainId: chainIds(diffIds).at(-1),
  size: 0,
  loadedAt: '',
})

test('imageDiskUsage counts a layer shared by images once and reports it as their SharedSize', async () => {
  const base = image(1, [d(1)])
  const app = image(2, [d(1), d(2)])
  const other = image(3, [d(1), d(2), d(3)])
  const lone = image(4, [d(9)])
  // The same diff id on another parent is another layer (chain id): not shared.
  const rebased = image(5, [d(9), d(1)])
  const sizes = new Map<string, number>()
  const sizeByDiff = new Map([[d(1), 100], [d(2), 20], [d(3), 3], [d(9), 7]])
  for (const img of [base, app, other, lone, rebased]) {
    const chains = chainIds(img.config.rootfs.diff_ids)
    chains.forEach((c, i) => sizes.set(c, sizeByDiff.get(img.config.rootfs.diff_ids[i] as Digest) as number))
  }
  const listed = [base, app, other, lone, rebased]
  const usage = await imageDiskUsage(listed, listed, async (c) => sizes.get(c) ?? 0)
  assert.deepEqual(usage.images.map((u) => u.sharedSize), [100, 120, 120, 7, 7])
  // Layers: base 100, app's 20, other's 3, lone 7, rebased's second layer 100.
  assert.equal(usage.layersSize, 100 + 20 + 3 + 7 + 100)
})

test('imageDiskUsage adds layers of unlisted (intermediate) images to LayersSize only, and a missing layer as 0', async () => {
  const parent = image(1, [d(1)])
  const child = image(2, [d(1), d(2)])
  const usage = await imageDiskUsage([child], [parent, child], async (c) => {
    if (c === chainIds([d(1), d(2)])[1]) throw new Error('gone')
    return 50
  })
  assert.deepEqual(usage.images.map((u) => u.sharedSize), [0])
  assert.equal(usage.layersSize, 50)
})

/**
 * ImageCommitter: how the builder creates images from a parent image plus new layers and a config.
 * Layers go into the content store and become layers on the parent's chain in the image store's
 * snapshotter (the upper dir moved into place, or the blob unpacked); the finished config is registered (and tagged) through ImageStore.registerImage, so
 * the image id is the digest of exactly those config bytes.
 */
import { isEngineError, type Digest, type Logger } from '../../common/index.js'
import { chainIdOf, chainIds, type Snapshotter, type UpperDirLayer } from '../layers/index.js'
import type { ImageStore } from './image-store.js'
import type { ImageRecord } from './types.js'

export class ImageCommitter {
  constructor(private readonly store: ImageStore, private readonly snapshotter: Snapshotter, private readonly logger?: Logger) {}

  /**
   * Stores an upper dir's layer tar as a blob, then makes it a layer on `parentChainId`: from the dir
   * itself when the layer allows it (Snapshotter.commitUpperDir: nothing is unpacked again), else, or
   * when moving the dir fails, by unpacking the blob.
   */
  async commitLayer(parentChainId: string | undefined, layer: UpperDirLayer): Promise<{ diffId: Digest; chainId: string; size: number }> {
    const { digest } = await this.store.content.ingest(layer.tar)
    const reusable = layer.reusableDir()
    if (reusable) {
      try {
        const info = await this.snapshotter.commitUpperDir(parentChainId, digest, reusable.dir, reusable.size)
        return { diffId: digest, chainId: info.chainId, size: info.size }
      } catch (err) {
        if (isEngineError(err)) throw err
        this.logger?.warn('commit: the upper dir cannot become the layer; unpacking its tar instead', { diffId: digest, error: err })
      }
    }
    const info = await this.snapshotter.applyLayer(parentChainId, digest, await this.store.content.layerSource(digest))
    return { diffId: digest, chainId: info.chainId, size: info.size }
  }

  /** Only the unpacked chains are checked: pulled base layers may be stored compressed, under another digest. */
  async hasLayers(diffIds: readonly Digest[]): Promise<boolean> {
    for (const chain of chainIds(diffIds)) if (!(await this.snapshotter.hasLayer(chain))) return false
    return true
  }

  async register(configJson: Uint8Array, tags: readonly string[]): Promise<ImageRecord> {
    let record = await this.store.registerImage(configJson)
    for (const tag of tags) record = await this.store.registerImage(configJson, { repoTag: tag })
    return record
  }

  /**
   * Removes the layers (chains and blobs) of the given diff-id lists that no image uses, top
   * first. Returns the bytes of unpacked layers removed.
   */
  async releaseLayers(diffIdChains: ReadonlyArray<readonly Digest[]>): Promise<number> {
    const keep = new Set<string>()
    for (const img of await this.store.list({ all: true })) {
      for (const c of chainIds(img.config.rootfs.diff_ids)) keep.add(c)
      for (const d of img.config.rootfs.diff_ids) keep.add(d)
    }
    let freed = 0
    const done = new Set<string>()
    for (const diffIds of diffIdChains) {
      const chains: string[] = []
      let parent: string | undefined
      for (const d of diffIds) chains.push((parent = chainIdOf(parent, d)))
      for (let i = chains.length - 1; i >= 0; i--) {
        const chain = chains[i] as string
        const diffId = diffIds[i] as Digest
        if (keep.has(chain) || done.has(chain)) continue
        done.add(chain)
        if (await this.snapshotter.hasLayer(chain)) {
          freed += (await this.snapshotter.layerInfo(chain)).size
          await this.snapshotter.removeLayer(chain)
        }
        if (!keep.has(diffId)) await this.store.content.delete(diffId).catch(() => undefined)
      }
    }
    return freed
  }
}

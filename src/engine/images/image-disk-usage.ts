import { chainIds } from '../layers/index.js'
import type { ImageRecord } from './types.js'

export interface ImageDiskUsage {
  /** Every layer counted once, however many images share it (Docker's LayersSize). */
  layersSize: number
  /** Each listed image with the size of its layers that another listed image also uses. */
  images: Array<{ image: ImageRecord; sharedSize: number }>
}

/**
 * Docker's `system df` image sizes (moby's Images with SharedSize, and LayerDiskUsage): a layer (chain
 * id) is shared when more than one of the listed images has it; LayersSize adds every layer of `all`
 * images once. `layerSize` gives one layer's own size (0 for a layer that is gone).
 */
export async function imageDiskUsage(listed: readonly ImageRecord[], all: readonly ImageRecord[], layerSize: (chainId: string) => Promise<number>): Promise<ImageDiskUsage> {
  const sizes = new Map<string, number>()
  const sizeOf = async (chain: string): Promise<number> => {
    let size = sizes.get(chain)
    if (size === undefined) sizes.set(chain, (size = await layerSize(chain).catch(() => 0)))
    return size
  }
  const users = new Map<string, number>()
  const chainsOf = new Map<ImageRecord, string[]>()
  for (const image of listed) {
    const chains = [...new Set(chainIds(image.config.rootfs.diff_ids))]
    chainsOf.set(image, chains)
    for (const c of chains) users.set(c, (users.get(c) ?? 0) + 1)
  }
  const images: ImageDiskUsage['images'] = []
  for (const image of listed) {
    let sharedSize = 0
    for (const c of chainsOf.get(image) ?? []) if ((users.get(c) ?? 0) > 1) sharedSize += await sizeOf(c)
    images.push({ image, sharedSize })
  }
  const every = new Set<string>()
  for (const image of [...listed, ...all]) for (const c of chainIds(image.config.rootfs.diff_ids)) every.add(c)
  let layersSize = 0
  for (const c of every) layersSize += await sizeOf(c)
  return { layersSize, images }
}

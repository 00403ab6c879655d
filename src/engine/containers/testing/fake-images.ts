/** Minimal ImageService fake: resolve() over a fixed set of images; the rest is not implemented. */
import { EngineError, sha256 } from '../../../common/index.js'
import type { ImageRecord, ImageRuntimeConfig, ImageService } from '../../images/index.js'

export function fakeImage(ref: string, config: ImageRuntimeConfig): ImageRecord {
  return {
    id: sha256(ref),
    repoTags: [ref],
    repoDigests: [],
    config: { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config },
    topChainId: sha256(`${ref}-layer`),
    size: 0,
    loadedAt: '2024-01-01T00:00:00.000Z',
  }
}

export class FakeImages implements ImageService {
  constructor(readonly images: ImageRecord[]) {}

  async resolve(ref: string): Promise<ImageRecord> {
    const found = this.images.find((i) => i.id === ref || i.repoTags.includes(ref) || i.id.slice(7).startsWith(ref))
    if (!found) throw new EngineError('NotFound', 'IMAGE_NOT_FOUND', `No such image: ${ref}`)
    return found
  }
  async list(): Promise<ImageRecord[]> {
    return this.images
  }
  private notFaked(): never {
    throw new EngineError('NotImplemented', 'FAKE', 'not faked')
  }
  async tag(): Promise<void> {
    this.notFaked()
  }
  async remove(): Promise<never> {
    this.notFaked()
  }
  async history(): Promise<never> {
    this.notFaked()
  }
  async importTar(): Promise<never> {
    this.notFaked()
  }
  async createFromLayers(): Promise<never> {
    this.notFaked()
  }
}

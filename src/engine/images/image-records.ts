import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { digestHex, readJsonIfExists, writeJsonAtomic, type Digest } from '../../common/index.js'
import type { ImageConfigBlob } from './types.js'

/** images/<hex>.json: an image without its references (those live in repositories.json). */
export interface StoredImage {
  id: Digest
  config: ImageConfigBlob
  topChainId: string | null
  size: number
  loadedAt: string
  /**
   * Force-deleted while a container still used it: invisible as an image, but its layers are kept
   * until no container uses its id (see ImageStore.pruneLayers).
   */
  removed?: true
}

/**
 * The image metadata on disk, mirrored in memory: images/<hex>.json per image and
 * images/repositories.json mapping each normalized reference ("docker.io/library/busybox:latest",
 * "...@sha256:...") to an image id. Every change is written atomically before it returns.
 * Not safe for concurrent mutation: the ImageStore serializes its writers.
 */
export class ImageRecords {
  private readonly images = new Map<Digest, StoredImage>()
  private readonly refs = new Map<string, Digest>()
  private loading: Promise<void> | undefined

  constructor(private readonly dir: string) {}

  load(): Promise<void> {
    this.loading ??= this.readAll()
    return this.loading
  }

  private async readAll(): Promise<void> {
    const names = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[]
      throw err
    })
    for (const name of names) {
      if (!/^[0-9a-f]{64}\.json$/.test(name)) continue
      const img = await readJsonIfExists<StoredImage>(join(this.dir, name))
      if (img) this.images.set(img.id, img)
    }
    const repos = (await readJsonIfExists<Record<string, Digest>>(this.reposPath())) ?? {}
    for (const [ref, id] of Object.entries(repos)) if (this.get(id)) this.refs.set(ref, id)
  }

  get(id: Digest): StoredImage | undefined {
    const img = this.images.get(id)
    return img?.removed ? undefined : img
  }

  /** Live images. */
  all(): StoredImage[] {
    return [...this.images.values()].filter((i) => !i.removed)
  }

  /** Removed images whose layers are kept for containers. */
  ghosts(): StoredImage[] {
    return [...this.images.values()].filter((i) => i.removed)
  }

  idOf(ref: string): Digest | undefined {
    return this.refs.get(ref)
  }

  /** Normalized references of an image, sorted. */
  refsOf(id: Digest): string[] {
    const out: string[] = []
    for (const [ref, target] of this.refs) if (target === id) out.push(ref)
    return out.sort()
  }

  async putImage(img: StoredImage): Promise<void> {
    await writeJsonAtomic(join(this.dir, `${digestHex(img.id)}.json`), img)
    this.images.set(img.id, img)
  }

  /** Also drops every reference to it. */
  async deleteImage(id: Digest): Promise<void> {
    let changed = false
    for (const [ref, target] of this.refs) {
      if (target === id) {
        this.refs.delete(ref)
        changed = true
      }
    }
    if (changed) await this.saveRefs()
    this.images.delete(id)
    await rm(join(this.dir, `${digestHex(id)}.json`), { force: true })
  }

  /** Points ref at id; returns the image it pointed to before, if any. */
  async setRef(ref: string, id: Digest): Promise<Digest | undefined> {
    const previous = this.refs.get(ref)
    if (previous === id) return previous // nothing to write (a rebuild tagging the same image)
    this.refs.set(ref, id)
    await this.saveRefs()
    return previous
  }

  /** Returns whether the reference existed. */
  async deleteRef(ref: string): Promise<boolean> {
    if (!this.refs.delete(ref)) return false
    await this.saveRefs()
    return true
  }

  private reposPath(): string {
    return join(this.dir, 'repositories.json')
  }

  private async saveRefs(): Promise<void> {
    const sorted = Object.fromEntries([...this.refs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    await writeJsonAtomic(this.reposPath(), sorted)
  }
}

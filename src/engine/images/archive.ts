import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { invalid } from '../../common/index.js'
import { loadArchive } from './archive-load.js'
import { saveArchive, saveSelection } from './archive-save.js'
import type { ExternalDecompressor } from './distribution-types.js'
import type { ImageStore } from './image-store.js'
import type { ImageDeleteResult } from './types.js'

export interface ImagePruneResult {
  deleted: ImageDeleteResult
  spaceReclaimed: number
}

/** save/load of image archives and image prune. */
export interface ImageArchiveService {
  /** A tar stream of the named images; NotFound (before any byte) for an unknown name. */
  save(names: readonly string[]): Promise<Readable>
  /** Loads a Docker or OCI archive; returns Docker's "Loaded image: ..." lines. Stores nothing on failure. */
  load(tar: NodeJS.ReadableStream): Promise<string[]>
  /** Removes dangling images (all unused ones with `all`); filters: until, label, label!. */
  prune(opts: { all?: boolean; filters?: Record<string, string[]>; isUsedByContainer: (imageId: string) => boolean }): Promise<ImagePruneResult>
}

export class ImageArchives implements ImageArchiveService {
  constructor(private readonly deps: {
    store: ImageStore
    dataRoot: string
    decompressor?: ExternalDecompressor
    /** Called after prune removed images (the daemon frees compressed layer blobs there). */
    afterPrune?: () => Promise<void>
  }) {}

  async save(names: readonly string[]): Promise<Readable> {
    if (names.length === 0) throw invalid('INVALID_PARAMETER', 'no image names given')
    return saveArchive(this.deps.store, await saveSelection(this.deps.store, names))
  }

  load(tar: NodeJS.ReadableStream): Promise<string[]> {
    return loadArchive(this.deps.store, tar, { scratchRoot: join(this.deps.dataRoot, 'tmp'), decompressor: this.deps.decompressor })
  }

  async prune(opts: { all?: boolean; filters?: Record<string, string[]>; isUsedByContainer: (imageId: string) => boolean }): Promise<ImagePruneResult> {
    const filters = { ...(opts.filters ?? {}) }
    const dangling = filters.dangling?.[0]
    delete filters.dangling
    for (const key of Object.keys(filters)) {
      if (!['until', 'label', 'label!'].includes(key)) throw invalid('INVALID_FILTER', `invalid filter '${key}'`)
    }
    const negated = filters['label!'] ?? []
    delete filters['label!']
    const all = opts.all || dangling === 'false' || dangling === '0'
    const store = this.deps.store
    const candidates = (await store.list({ filters })).filter((img) => {
      if (!all && img.repoTags.length > 0) return false
      const labels = img.config.config?.Labels ?? {}
      return !negated.some((l) => {
        const [k = '', v] = l.split('=')
        return v === undefined ? k in labels : labels[k] === v
      })
    })
    const result: ImageDeleteResult = { untagged: [], deleted: [] }
    let space = 0
    for (const img of candidates) {
      if (opts.isUsedByContainer(img.id)) continue
      const removeOpts = { isUsedByContainer: opts.isUsedByContainer }
      const removeOne = async (ref: string): Promise<void> => {
        try {
          const r = await store.remove(ref, removeOpts)
          result.untagged.push(...r.untagged)
          result.deleted.push(...r.deleted)
        } catch {
          // Gone with an earlier reference, in use or conflicting: prune leaves it, as Docker does.
        }
      }
      for (const ref of [...img.repoTags, ...img.repoDigests]) await removeOne(ref)
      if (await store.resolve(img.id).then(() => true, () => false)) await removeOne(img.id)
      if (result.deleted.includes(img.id)) space += img.size
    }
    if (result.deleted.length > 0) await this.deps.afterPrune?.()
    return { deleted: result, spaceReclaimed: space }
  }
}

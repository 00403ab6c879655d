import { join } from 'node:path'
import { conflict, EngineError, invalid, isDigest, notFound, shortId, type Digest, isoTime } from '../../common/index.js'
import type { EventBus } from '../events/index.js'
import { chainIdOf, chainIds, type Snapshotter } from '../layers/index.js'
import { ContentStore } from './content-store.js'
import { decompressStream } from './decompress.js'
import { applyChanges } from './image-changes.js'
import { imageDiskUsage, type ImageDiskUsage } from './image-disk-usage.js'
import { danglingFilter, labelsMatch, parseTimestamp, referenceMatches, validateImageFilters } from './image-filters.js'
import { ImageRecords, type StoredImage } from './image-records.js'
import { parsePlatform } from './platform.js'
import { familiarReference, normalizeReference } from './reference.js'
import { isIdPrefix, isSingleReference, repoName, tagReference } from './ref-rules.js'
import type {
  ImageConfigBlob,
  ImageDeleteResult,
  ImageListOptions,
  ImageRecord,
  ImageRemoveOptions,
  ImageService,
} from './types.js'

export interface ImageStoreDeps {
  /** <data>: blobs/ and images/ live under it. */
  dataRoot: string
  snapshotter: Snapshotter
  events: EventBus
  clock?: () => Date
}

type ContainerUse = { containerId: string; running: boolean } | undefined

/**
 * ImageService over a content store (blobs/sha256), image records (images/) and a Snapshotter
 * (layers). An image id is the digest of its config blob, as in Docker. Mutations are serialized;
 * layers being unpacked for an image not yet registered are pinned so removal never deletes them.
 */
export class ImageStore implements ImageService {
  readonly content: ContentStore
  private readonly records: ImageRecords
  private readonly snapshotter: Snapshotter
  private readonly events: EventBus
  private readonly clock: () => Date
  private queue: Promise<unknown> = Promise.resolve()
  private readonly pinned = new Map<string, number>()

  constructor(deps: ImageStoreDeps) {
    this.content = new ContentStore(join(deps.dataRoot, 'blobs'))
    this.records = new ImageRecords(join(deps.dataRoot, 'images'))
    this.snapshotter = deps.snapshotter
    this.events = deps.events
    this.clock = deps.clock ?? (() => new Date())
  }

  /** Reads the records from disk; other methods call it too, so calling it is optional. */
  load(): Promise<void> {
    return this.records.load()
  }

  async resolve(ref: string): Promise<ImageRecord> {
    await this.records.load()
    return this.toRecord(this.find(ref))
  }

  /** `system df`: top-level images with their shared size, and every layer's size counted once. */
  async diskUsage(): Promise<ImageDiskUsage> {
    return imageDiskUsage(await this.list({ all: false }), await this.list({ all: true }), async (c) => (await this.snapshotter.layerInfo(c)).size)
  }

  async list(opts: ImageListOptions = {}): Promise<ImageRecord[]> {
    await this.records.load()
    const filters = opts.filters ?? {}
    validateImageFilters(filters)
    const dangling = danglingFilter(filters)
    const createdOf = (img: StoredImage): number => Date.parse(img.config.created ?? '') || 0
    const before = (filters.before ?? []).map((r) => createdOf(this.find(r)))
    const since = (filters.since ?? []).map((r) => createdOf(this.find(r)))
    const until = (filters.until ?? []).map((v) => parseTimestamp(v, this.clock()))
    const out: Array<{ record: ImageRecord; created: number }> = []
    for (const img of this.records.all()) {
      const created = createdOf(img)
      if (before.some((t) => created >= t) || since.some((t) => created <= t) || until.some((t) => created > t)) continue
      if (filters.label && !labelsMatch(filters.label, img.config.config?.Labels)) continue
      let refs = this.records.refsOf(img.id)
      const patterns = filters.reference
      if (patterns && patterns.length > 0) {
        refs = refs.filter((r) => patterns.some((p) => referenceMatches(p, r)))
        if (refs.length === 0) continue
      }
      const record = this.toRecord(img, refs)
      if (dangling === true && record.repoTags.length > 0) continue
      if (dangling === false && record.repoTags.length === 0) continue
      out.push({ record, created })
    }
    out.sort((a, b) => b.created - a.created || (a.record.id < b.record.id ? -1 : 1))
    return out.map((o) => o.record)
  }

  tag(source: string, target: string): Promise<void> {
    return this.exclusive(async () => {
      const img = this.find(source)
      const ref = tagReference(target)
      await this.records.setRef(ref, img.id)
      this.publish('tag', img, familiarReference(ref))
    })
  }

  remove(ref: string, opts: ImageRemoveOptions): Promise<ImageDeleteResult> {
    return this.exclusive(async () => {
      const img = this.find(ref)
      const id = img.id
      const usedBy = (imageId: string): ContainerUse =>
        opts.containerUsing ? opts.containerUsing(imageId) : opts.isUsedByContainer(imageId) ? { containerId: '', running: false } : undefined
      const using = (): ContainerUse => usedBy(id)
      const result: ImageDeleteResult = { untagged: [], deleted: [] }
      let repoRefs = this.records.refsOf(id)
      let quiet = false
      if (!isIdPrefix(id, ref)) {
        // By reference: untag it; the image goes only with its last reference.
        const user = !opts.force && isSingleReference(repoRefs) ? using() : undefined
        if (user) {
          throw conflict('IMAGE_IN_USE', `conflict: unable to remove repository reference "${ref}" (must force) - container ${shortId(user.containerId)} is using its referenced image ${shortId(id)}`)
        }
        const named = normalizeReference(ref)
        await this.untag(img, named, result)
        repoRefs = this.records.refsOf(id)
        if (!named.includes('@')) {
          // Digest references of the same repository go with its last tag.
          const name = repoName(named)
          if (!repoRefs.some((r) => !r.includes('@') && repoName(r) === name)) {
            for (const r of repoRefs.filter((r) => r.includes('@') && repoName(r) === name)) await this.untag(img, r, result)
            repoRefs = this.records.refsOf(id)
          }
        }
        if (repoRefs.length > 0) return result
        quiet = true
      } else if (isSingleReference(repoRefs)) {
        const c = this.deleteConflict(img, using(), { soft: !opts.force, activeReference: false })
        if (c) throw c.error
        for (const r of repoRefs) await this.untag(img, r, result)
      }
      await this.deleteImage(img, result, opts.force ?? false, quiet, usedBy)
      return result
    })
  }

  async history(ref: string): Promise<Array<{ id: string; created: number; createdBy: string; tags: string[]; size: number; comment: string }>> {
    await this.records.load()
    const img = this.find(ref)
    const chains = chainIds(img.config.rootfs.diff_ids)
    const items: Array<{ id: string; created: number; createdBy: string; tags: string[]; size: number; comment: string }> = []
    let layer = 0
    for (const h of img.config.history ?? []) {
      let size = 0
      if (!h.empty_layer) {
        const chain = chains[layer++]
        if (chain) size = (await this.snapshotter.layerInfo(chain).catch(() => ({ size: 0 }))).size
      }
      const created = Math.floor((Date.parse(h.created ?? '') || 0) / 1000)
      items.unshift({ id: '<missing>', created, createdBy: h.created_by ?? '', tags: [], size, comment: h.comment ?? '' })
    }
    const top = items[0]
    if (top) {
      top.id = img.id
      top.tags = this.records.refsOf(img.id).filter((r) => !r.includes('@')).map(familiarReference)
    }
    return items
  }

  async importTar(
    tar: NodeJS.ReadableStream,
    opts: { repoTag?: string; message?: string; changes?: string[]; platform?: string },
  ): Promise<ImageRecord> {
    const platform = parsePlatform(opts.platform)
    const runtime = applyChanges({}, opts.changes ?? [])
    const repoTag = opts.repoTag ? tagReference(opts.repoTag) : undefined
    return this.withPins(async (pin) => {
      const { digest: diffId } = await this.content.ingest(await decompressStream(tar))
      pin(diffId)
      await this.snapshotter.applyLayer(undefined, diffId, await this.content.layerSource(diffId))
      const created = isoTime(this.clock())
      const comment = opts.message || 'Imported from -'
      const config: ImageConfigBlob = {
        architecture: platform.architecture,
        ...(platform.variant ? { variant: platform.variant } : {}),
        os: platform.os,
        created,
        comment,
        config: runtime,
        rootfs: { type: 'layers', diff_ids: [diffId] },
        history: [{ created, comment }],
      }
      const record = await this.register(config, repoTag)
      this.publish('import', this.records.get(record.id) as StoredImage, record.id)
      return record
    })
  }

  async createFromLayers(layers: NodeJS.ReadableStream[], config: Omit<ImageConfigBlob, 'rootfs'>, repoTag?: string): Promise<ImageRecord> {
    const ref = repoTag ? tagReference(repoTag) : undefined
    return this.withPins(async (pin) => {
      const diffIds: Digest[] = []
      let parent: string | undefined
      for (const layer of layers) {
        const { digest } = await this.content.ingest(layer)
        pin(digest)
        pin(chainIdOf(parent, digest)) // before applying: an existing layer must not be collected meanwhile
        parent = (await this.snapshotter.applyLayer(parent, digest, await this.content.layerSource(digest))).chainId
        diffIds.push(digest)
      }
      return this.register({ ...config, rootfs: { type: 'layers', diff_ids: diffIds } }, ref)
    })
  }

  /**
   * Registers an image from exact config bytes (pull, load): its layers must already be applied.
   * The id is the digest of these bytes. `repoDigest` is "name@sha256:..." for pulled images.
   */
  async registerImage(configJson: Uint8Array, opts: { repoTag?: string; repoDigest?: string } = {}): Promise<ImageRecord> {
    let config: ImageConfigBlob
    try {
      config = JSON.parse(Buffer.from(configJson).toString('utf8')) as ImageConfigBlob
    } catch (err) {
      throw new EngineError('InvalidArgument', 'INVALID_IMAGE_CONFIG', 'invalid image config: not JSON', { cause: err })
    }
    if (!config.rootfs || !Array.isArray(config.rootfs.diff_ids) || !config.rootfs.diff_ids.every(isDigest)) {
      throw invalid('INVALID_IMAGE_CONFIG', 'invalid image config: rootfs.diff_ids missing or malformed')
    }
    const repoTag = opts.repoTag ? tagReference(opts.repoTag) : undefined
    const repoDigest = opts.repoDigest ? normalizeReference(opts.repoDigest) : undefined
    return this.register(config, repoTag, repoDigest, configJson)
  }

  /**
   * Releases the layers of images force-removed while containers used them, once no container
   * does. Call after containers are removed. Returns the removed chain ids.
   */
  pruneLayers(isUsedByContainer: (imageId: string) => boolean): Promise<string[]> {
    // The common case (nothing was force-removed while in use) costs nothing on container removal.
    if ([...this.records.ghosts()].length === 0) return Promise.resolve([])
    return this.exclusive(() => this.collectLayers([], (id) => (isUsedByContainer(id) ? { containerId: '', running: false } : undefined)))
  }

  /** The layer snapshotter, for pull and load which apply layers themselves. */
  get layers(): Snapshotter {
    return this.snapshotter
  }

  /**
   * Runs fn with a pin function: pinned chain ids and diff ids survive concurrent removals, and
   * on failure the pinned blobs nothing else uses are deleted (a failed pull or load leaves none).
   */
  withLayerPins<T>(fn: (pin: (chainOrDiff: string) => void) => Promise<T>): Promise<T> {
    return this.withPins(fn)
  }

  /** Points a normalized reference ("host/repo@sha256:..." after a push) at an image. */
  addReference(ref: string, imageId: Digest): Promise<void> {
    return this.exclusive(async () => {
      if (!this.records.get(imageId)) throw notFound('IMAGE_NOT_FOUND', `No such image: ${imageId}`)
      await this.records.setRef(normalizeReference(ref), imageId)
    })
  }

  private register(config: ImageConfigBlob, repoTag?: string, repoDigest?: string, bytes?: Uint8Array): Promise<ImageRecord> {
    return this.exclusive(async () => {
      const id = await this.content.put(bytes ?? Buffer.from(JSON.stringify(config)))
      let img = this.records.get(id)
      if (!img) {
        const chains = chainIds(config.rootfs.diff_ids)
        let size = 0
        for (const c of chains) size += (await this.snapshotter.layerInfo(c)).size
        img = { id, config, topChainId: chains[chains.length - 1] ?? null, size, loadedAt: isoTime(this.clock()) }
        await this.records.putImage(img)
      }
      if (repoTag) {
        await this.records.setRef(repoTag, id)
        this.publish('tag', img, familiarReference(repoTag))
      }
      if (repoDigest) await this.records.setRef(repoDigest, id)
      return this.toRecord(img)
    })
  }

  private async untag(img: StoredImage, ref: string, result: ImageDeleteResult): Promise<void> {
    await this.records.deleteRef(ref)
    result.untagged.push(familiarReference(ref))
    this.publish('untag', img, img.id)
  }

  /**
   * moby's imageDeleteHelper: conflicts, then references, record, config blob and free layers.
   * An image force-removed while a container uses it stays as a hidden ghost so its layers remain.
   */
  private async deleteImage(
    img: StoredImage,
    result: ImageDeleteResult,
    force: boolean,
    quiet: boolean,
    usedBy: (imageId: string) => ContainerUse,
  ): Promise<void> {
    const user = usedBy(img.id)
    const c = this.deleteConflict(img, user, { soft: !force, activeReference: true })
    if (c) {
      const dangling = this.records.refsOf(img.id).length === 0
      if (quiet && (!dangling || c.used)) return
      throw c.error
    }
    for (const r of this.records.refsOf(img.id)) await this.untag(img, r, result)
    if (user) await this.records.putImage({ ...img, removed: true })
    else await this.records.deleteImage(img.id)
    await this.content.delete(img.id)
    this.publish('delete', img, img.id)
    result.deleted.push(img.id)
    result.deleted.push(...(await this.collectLayers(user ? [] : [img], usedBy)))
  }

  private deleteConflict(img: StoredImage, user: ContainerUse, mask: { soft: boolean; activeReference: boolean }): { error: Error; used: boolean } | undefined {
    const make = (hard: boolean, used: boolean, message: string): { error: Error; used: boolean } => ({
      used,
      error: conflict('IMAGE_CONFLICT', `conflict: unable to delete ${shortId(img.id)} (${hard ? 'cannot be forced' : 'must be forced'}) - ${message}`),
    })
    if (user?.running) return make(true, true, `image is being used by running container ${shortId(user.containerId)}`)
    if (mask.soft && mask.activeReference && this.records.refsOf(img.id).length > 0) {
      return make(false, false, 'image is referenced in multiple repositories')
    }
    if (mask.soft && user) return make(false, true, `image is being used by stopped container ${shortId(user.containerId)}`)
    return undefined
  }

  /**
   * Removes the layers of `candidates` (top first) that no live image, kept ghost or pinned apply
   * needs, and their layer blobs. Ghosts whose containers are gone are released first and become
   * candidates too. Returns the removed chain ids.
   */
  private async collectLayers(candidates: StoredImage[], usedBy: (imageId: string) => ContainerUse): Promise<string[]> {
    const all = [...candidates]
    for (const ghost of this.records.ghosts()) {
      if (usedBy(ghost.id)) continue
      await this.records.deleteImage(ghost.id)
      all.push(ghost)
    }
    const keep = new Set<string>(this.pinned.keys())
    for (const img of [...this.records.all(), ...this.records.ghosts()]) {
      for (const c of chainIds(img.config.rootfs.diff_ids)) keep.add(c)
      for (const d of img.config.rootfs.diff_ids) keep.add(d)
    }
    const removed: string[] = []
    for (const img of all) {
      const diffIds = img.config.rootfs.diff_ids
      const chains = chainIds(diffIds)
      for (let i = chains.length - 1; i >= 0; i--) {
        const chain = chains[i] as string
        const diffId = diffIds[i] as Digest
        if (keep.has(chain) || removed.includes(chain)) continue
        if (await this.snapshotter.hasLayer(chain)) {
          await this.snapshotter.removeLayer(chain)
          removed.push(chain)
        }
        if (!keep.has(diffId)) await this.content.delete(diffId)
      }
    }
    return removed
  }

  private find(ref: string): StoredImage {
    const noSuch = (): Error => notFound('IMAGE_NOT_FOUND', `No such image: ${ref}`)
    const full = /^(?:sha256:)?([0-9a-f]{64})$/.exec(ref)
    if (full) return this.records.get(`sha256:${full[1]}`) ?? throwErr(noSuch())
    const prefix = /^(?:sha256:)?([0-9a-f]+)$/.exec(ref)
    let normalized: string | undefined
    try {
      normalized = normalizeReference(ref)
    } catch (err) {
      if (!prefix) throw err
    }
    const byRef = normalized !== undefined ? this.records.idOf(normalized) : undefined
    const img = byRef && this.records.get(byRef)
    if (img) return img
    if (prefix) {
      const matches = this.records.all().filter((i) => i.id.startsWith(`sha256:${prefix[1]}`))
      if (matches.length === 1) return matches[0] as StoredImage
    }
    throw noSuch()
  }

  private toRecord(img: StoredImage, refs = this.records.refsOf(img.id)): ImageRecord {
    return {
      id: img.id,
      repoTags: refs.filter((r) => !r.includes('@')),
      repoDigests: refs.filter((r) => r.includes('@')),
      config: img.config,
      topChainId: img.topChainId ?? undefined,
      size: img.size,
      loadedAt: img.loadedAt,
    }
  }

  private publish(action: string, img: StoredImage, name: string): void {
    this.events.publish('image', action, img.id, { ...(img.config.config?.Labels ?? {}), name })
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(async () => {
      await this.records.load()
      return fn()
    })
    this.queue = next.catch(() => undefined)
    return next
  }

  private async withPins<T>(fn: (pin: (chainOrDiff: string) => void) => Promise<T>): Promise<T> {
    const mine: string[] = []
    const pin = (key: string): void => {
      mine.push(key)
      this.pinned.set(key, (this.pinned.get(key) ?? 0) + 1)
    }
    let ok = false
    try {
      const result = await fn(pin)
      ok = true
      return result
    } finally {
      for (const key of mine) {
        const n = (this.pinned.get(key) ?? 1) - 1
        if (n === 0) this.pinned.delete(key)
        else this.pinned.set(key, n)
      }
      // A failed import leaves no layer blob nobody refers to.
      if (!ok) await this.exclusive(() => this.discardBlobs(mine)).catch(() => undefined)
    }
  }

  private async discardBlobs(digests: readonly string[]): Promise<void> {
    const used = new Set<string>(this.pinned.keys())
    for (const img of [...this.records.all(), ...this.records.ghosts()]) for (const d of img.config.rootfs.diff_ids) used.add(d)
    for (const d of digests) if (!used.has(d) && isDigest(d)) await this.content.delete(d)
  }
}

function throwErr(err: Error): never {
  throw err
}

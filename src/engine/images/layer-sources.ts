import { join } from 'node:path'
import { readJsonIfExists, writeJsonAtomic, type Digest } from '../../common/index.js'

/** A compressed form of a layer, and the repositories known to hold it (for HEAD checks and mounts). */
export interface LayerSource {
  digest: Digest
  size: number
  mediaType: string
  /** "domain/path" entries, most recent last. */
  repositories: string[]
}

/**
 * <data>/distribution/layer-sources.json: diffID -> compressed blobs of that layer (moby's
 * v2 metadata service). A layer is compressed once for its first push and the blob reused after;
 * pulled layers remember their registry blob, so pushing them back elsewhere can mount or skip it.
 */
export class LayerSources {
  private map: Record<string, LayerSource[]> | undefined
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly dir: string) {}

  private path(): string {
    return join(this.dir, 'layer-sources.json')
  }

  private async load(): Promise<Record<string, LayerSource[]>> {
    this.map ??= (await readJsonIfExists<Record<string, LayerSource[]>>(this.path())) ?? {}
    return this.map
  }

  async get(diffId: Digest): Promise<LayerSource[]> {
    return [...((await this.load())[diffId] ?? [])]
  }

  /** Records a compressed blob of diffId, optionally as present in `repository`. */
  add(diffId: Digest, source: Omit<LayerSource, 'repositories'>, repository?: string): Promise<void> {
    return this.addAll([{ diffId, source }], repository)
  }

  /** add() for several layers (an image's), with one write of the file. */
  addAll(layers: ReadonlyArray<{ diffId: Digest; source: Omit<LayerSource, 'repositories'> }>, repository?: string): Promise<void> {
    const next = this.queue.then(async () => {
      const map = await this.load()
      for (const { diffId, source } of layers) {
        const list = (map[diffId] ??= [])
        let entry = list.find((s) => s.digest === source.digest)
        if (!entry) {
          entry = { ...source, repositories: [] }
          list.push(entry)
        }
        if (repository) {
          entry.repositories = entry.repositories.filter((r) => r !== repository)
          entry.repositories.push(repository)
          if (entry.repositories.length > 20) entry.repositories.shift()
        }
      }
      await writeJsonAtomic(this.path(), map)
    })
    this.queue = next.catch(() => undefined)
    return next
  }

  /** Compressed digests of every layer, for garbage collection of blobs whose layer is gone. */
  async all(): Promise<Array<[Digest, LayerSource[]]>> {
    return Object.entries(await this.load()) as Array<[Digest, LayerSource[]]>
  }

  async forget(diffIds: readonly Digest[]): Promise<void> {
    const next = this.queue.then(async () => {
      const map = await this.load()
      for (const d of diffIds) delete map[d]
      await writeJsonAtomic(this.path(), map)
    })
    this.queue = next.catch(() => undefined)
    return next
  }
}

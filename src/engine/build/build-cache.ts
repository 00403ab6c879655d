/**
 * The build cache: one record per step result, under <data>/build/cache/<key-hex>.json, written
 * atomically so it survives daemon restarts (unsynced: after a host crash a record may be a miss). A step's key (stepCacheKey, pure) covers its parent
 * state, the instruction as it will run (expanded, with the content hash of the files a COPY/ADD
 * copies) and the build args in effect; the record holds the resulting image config, so a hit
 * needs no container at all. A record whose layers are gone is a miss.
 */
import { readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { readJsonIfExists, sha256, writeJsonAtomic, type Digest, isoTime } from '../../common/index.js'
import { chainIdOf } from '../layers/index.js'
import type { ImageConfigBlob } from '../images/index.js'
import type { BuildState } from './types.js'

export function stepCacheKey(parent: Digest, createdBy: string, extra: readonly string[] = []): Digest {
  return sha256(JSON.stringify([parent, createdBy, ...extra]))
}

/** The id of a build state: the digest of its config's JSON, which is the image id once registered. */
export function configJson(config: ImageConfigBlob): Buffer {
  return Buffer.from(JSON.stringify(config))
}

export function stateOf(config: ImageConfigBlob, topChainId: string | undefined): BuildState {
  return { id: sha256(configJson(config)), config, topChainId }
}

/**
 * --cache-from, as the classic builder matches an image it did not build: when the image's history
 * and layers extend `current` and its next history entry has this step's created_by, the step's
 * result is `current` plus that entry and its layer (the runtime config stays ours). 'metadata'
 * when that entry is an empty layer (the step is then just recomputed); undefined: no match.
 */
export function matchCacheImage(current: BuildState, image: ImageConfigBlob, createdBy: string, clearOnBuild: boolean): BuildState | 'metadata' | undefined {
  const cur = current.config
  const history = cur.history ?? []
  const h = image.history ?? []
  const next = h[history.length]
  if (!next || next.created_by !== createdBy) return undefined
  if (!history.every((e, i) => h[i]?.created_by === e.created_by && !!h[i]?.empty_layer === !!e.empty_layer)) return undefined
  const diffIds = image.rootfs.diff_ids
  if (!cur.rootfs.diff_ids.every((d, i) => diffIds[i] === d)) return undefined
  if (next.empty_layer) return 'metadata'
  const layers = h.slice(0, history.length + 1).filter((e) => !e.empty_layer).length
  const diffId = diffIds[layers - 1]
  if (!diffId) return undefined
  const blob = structuredClone(cur)
  if (clearOnBuild && blob.config) delete blob.config.OnBuild
  blob.created = next.created ?? blob.created
  blob.history = [...history, next]
  blob.rootfs = { type: 'layers', diff_ids: [...cur.rootfs.diff_ids, diffId] }
  return stateOf(blob, chainIdOf(current.topChainId, diffId))
}

interface CacheRecord {
  key: Digest
  config: ImageConfigBlob
  topChainId: string | null
  createdAt: string
}

export class BuildCache {
  constructor(private readonly root: string) {}

  private path(key: Digest): string {
    return join(this.root, `${key.slice('sha256:'.length)}.json`)
  }

  async get(key: Digest): Promise<BuildState | undefined> {
    const record = await readJsonIfExists<CacheRecord>(this.path(key)).catch(() => undefined)
    if (!record || record.key !== key) return undefined
    return stateOf(record.config, record.topChainId ?? undefined)
  }

  async put(key: Digest, state: BuildState, now: Date): Promise<void> {
    const record: CacheRecord = { key, config: state.config, topChainId: state.topChainId ?? null, createdAt: isoTime(now) }
    // Not synced: a record lost or cut short by a crash reads as a miss (get() tolerates it).
    await writeJsonAtomic(this.path(key), record, { durable: false })
  }

  /** Every record's key and layers. */
  async all(): Promise<Array<{ key: Digest; diffIds: Digest[]; size: number }>> {
    let names: string[]
    try {
      names = await readdir(this.root)
    } catch {
      return []
    }
    const out: Array<{ key: Digest; diffIds: Digest[]; size: number }> = []
    for (const name of names) {
      if (!name.endsWith('.json')) continue
      const record = await readJsonIfExists<CacheRecord>(join(this.root, name)).catch(() => undefined)
      if (record) out.push({ key: record.key, diffIds: record.config.rootfs.diff_ids, size: 0 })
    }
    return out
  }

  async delete(key: Digest): Promise<void> {
    await rm(this.path(key), { force: true })
  }
}

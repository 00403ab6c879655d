/**
 * ContextStore: what the berth CLI sent in earlier builds, so that a build of the same directory
 * sends only the files that changed (as BuildKit's context transfer does, where the docker CLI's
 * classic builder sends the whole context every time).
 *
 * The client names a context with a key (a hash of its host and directory) and gives each regular
 * file a fingerprint of its stat (size, times, inode...). The store keeps, per key, the fingerprint
 * and content digest of every file of the last context sent under it, and the contents as blobs
 * named by digest (shared between keys). A later build may then send a file as a reference (no
 * data) when the store already holds it under the same name and fingerprint.
 *
 * The store is a cache: it is emptied when the daemon starts (so a crash can never leave a blob
 * that does not match its name, and blobs need no fsync), by `builder prune`, and least recently
 * used keys go when it holds more than `maxKeys` keys or `maxBytes` of blobs.
 */
import { randomBytes } from 'node:crypto'
import { mkdir, rename, rm, unlink } from 'node:fs/promises'
import { join } from 'node:path'
import { KeyedLock } from '../../common/index.js'

/** A stored file: where its content is and what it is. */
export interface StoredFile {
  path: string
  /** sha256 hex of the content. */
  digest: string
  size: number
}

/** A file of a context just received: its fingerprint, digest and a way to write its content. */
export interface ReceivedFile {
  name: string
  fingerprint: string
  digest: string
  size: number
  /** Set for files sent with data: writes the content to `dest`. */
  write?: (dest: string) => Promise<void>
}

export interface ContextStoreOptions {
  root: string
  maxKeys?: number
  maxBytes?: number
}

interface IndexEntry {
  fingerprint: string
  digest: string
  size: number
}

const KEY_RE = /^[0-9a-f]{64}$/

/** True for a key a client may use (64 lowercase hex digits). */
export function validContextKey(key: string): boolean {
  return KEY_RE.test(key)
}

export class ContextStore {
  private readonly maxKeys: number
  private readonly maxBytes: number
  /** Per key, in least-recently-used order (Map iteration order: oldest first). */
  private readonly indexes = new Map<string, Map<string, IndexEntry>>()
  /** digest -> number of index entries naming it, and its size. */
  private readonly blobs = new Map<string, { refs: number; size: number }>()
  private bytes = 0
  private ready: Promise<void> | undefined
  private readonly locks = new KeyedLock()

  constructor(private readonly opts: ContextStoreOptions) {
    this.maxKeys = opts.maxKeys ?? 16
    this.maxBytes = opts.maxBytes ?? 2 * 1024 ** 3
  }

  private blobPath(digest: string): string {
    return join(this.opts.root, 'blobs', digest)
  }

  /** Empties what an earlier daemon left, once. */
  private init(): Promise<void> {
    this.ready ??= (async () => {
      await rm(this.opts.root, { recursive: true, force: true })
      await mkdir(join(this.opts.root, 'blobs'), { recursive: true })
      await mkdir(join(this.opts.root, 'tmp'), { recursive: true })
    })()
    return this.ready
  }

  /** The names among `files` (name -> fingerprint) that the store cannot give for `key`. */
  missing(key: string, files: Readonly<Record<string, string>>): string[] {
    const index = this.indexes.get(key)
    const out: string[] = []
    for (const [name, fingerprint] of Object.entries(files)) {
      if (index?.get(name)?.fingerprint !== fingerprint) out.push(name)
    }
    return out
  }

  /** The stored file `name` of `key`, when its fingerprint is `fingerprint`. */
  lookup(key: string, name: string, fingerprint: string): StoredFile | undefined {
    const entry = this.indexes.get(key)?.get(name)
    if (!entry || entry.fingerprint !== fingerprint) return undefined
    return { path: this.blobPath(entry.digest), digest: entry.digest, size: entry.size }
  }

  /**
   * Runs `fn` as the only user of `key`: a build reads the key's files while it runs and then
   * replaces its index, so two builds of one key take turns.
   */
  async withKey<T>(key: string, fn: () => Promise<T>): Promise<T> {
    await this.init()
    return this.locks.run(key, fn)
  }

  /**
   * Makes `files` the index of `key` (call inside withKey): writes the blobs it lacks, then drops
   * what no index names any more and, beyond the limits, the least recently used other keys.
   * A context larger than maxBytes is not kept.
   */
  async remember(key: string, files: readonly ReceivedFile[]): Promise<void> {
    await this.init()
    const index = new Map<string, IndexEntry>()
    const unique = new Map<string, number>()
    for (const f of files) {
      index.set(f.name, { fingerprint: f.fingerprint, digest: f.digest, size: f.size })
      unique.set(f.digest, f.size)
    }
    let total = 0
    for (const size of unique.values()) total += size
    if (total > this.maxBytes) {
      await this.forget(key)
      return
    }
    const writers = new Map<string, ReceivedFile>()
    for (const f of files) if (f.write && !this.blobs.has(f.digest) && !writers.has(f.digest)) writers.set(f.digest, f)
    const written = new Set<string>()
    for (const f of writers.values()) {
      const tmp = join(this.opts.root, 'tmp', randomBytes(8).toString('hex'))
      try {
        await (f.write as (dest: string) => Promise<void>)(tmp)
        await rename(tmp, this.blobPath(f.digest))
        written.add(f.digest)
      } catch (err) {
        await unlink(tmp).catch(() => undefined)
        throw err
      }
    }
    // Only files whose content is here can be named: a reference's blob is there (it was looked up),
    // a received file's blob was just written.
    for (const [name, e] of index) if (!this.blobs.has(e.digest) && !written.has(e.digest)) index.delete(name)
    for (const d of written) this.blobs.set(d, { refs: 0, size: unique.get(d) as number })
    this.addRefs(index, 1)
    const old = this.indexes.get(key)
    this.indexes.delete(key)
    this.indexes.set(key, index)
    if (old) this.addRefs(old, -1)
    for (const [k] of this.indexes) {
      if (this.indexes.size <= this.maxKeys && this.bytes <= this.maxBytes) break
      if (k === key || this.locks.busy(k)) continue
      this.dropIndex(k)
    }
    await this.collect()
  }

  /** Drops the index of `key` (its blobs go when no other key names them). */
  async forget(key: string): Promise<void> {
    this.dropIndex(key)
    await this.collect()
  }

  /** Drops every index no build is using; returns the bytes of blobs removed. */
  async clear(): Promise<number> {
    await this.init()
    const before = this.bytes
    for (const k of [...this.indexes.keys()]) if (!this.locks.busy(k)) this.dropIndex(k)
    await this.collect()
    return before - this.bytes
  }

  /** Keys and bytes held (for tests and `system df`). */
  usage(): { keys: number; bytes: number; blobs: number } {
    return { keys: this.indexes.size, bytes: this.bytes, blobs: this.blobs.size }
  }

  private dropIndex(key: string): void {
    const index = this.indexes.get(key)
    if (!index) return
    this.indexes.delete(key)
    this.addRefs(index, -1)
  }

  /** Counts `index`'s names in its blobs; `bytes` is the size of the blobs some index names. */
  private addRefs(index: ReadonlyMap<string, IndexEntry>, delta: 1 | -1): void {
    for (const e of index.values()) {
      const b = this.blobs.get(e.digest)
      if (!b) continue
      if (b.refs === 0 && delta > 0) this.bytes += b.size
      b.refs += delta
      if (b.refs === 0) this.bytes -= b.size
    }
  }

  /** Removes blobs no index names. */
  private async collect(): Promise<void> {
    for (const [digest, b] of [...this.blobs]) {
      if (b.refs > 0) continue
      this.blobs.delete(digest)
      await unlink(this.blobPath(digest)).catch(() => undefined)
    }
  }
}

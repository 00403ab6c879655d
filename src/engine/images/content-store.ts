import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { pipeline, Readable } from 'node:stream'
import { chunksOf, invalid, isDigest, notFound, readJsonIfExists, writeFileAtomic, type Digest } from '../../common/index.js'
import type { LayerSource } from '../layers/index.js'
import { zlib } from './lazy-zlib.js'

export interface IngestExpectation {
  digest?: Digest
  size?: number
}

/** Blobs are read (and gunzipped) in 512 KiB chunks: layers are large, and each chunk costs promises and garbage. */
export const READ_CHUNK = 512 * 1024

/** A blob kept as the gunzip of another stored blob (a pulled layer's tar, from its registry blob). */
interface DerivedBlob {
  from: Digest
  size: number
}

/**
 * Content-addressed blobs at <root>/sha256/<hex>. A blob is written to <root>/ingest/ while it is
 * hashed and renamed into place only when its digest (and size, if given) match: a blob stored
 * under a digest always has that digest. Blobs are immutable; delete is the only other change.
 * A blob may also be derived (<root>/derived/<hex>.json): stored as the gunzip of another blob, so a
 * pulled layer's tar costs no second copy on disk; has, size, read and openRead serve it the same.
 */
export class ContentStore {
  constructor(private readonly root: string) {}

  path(digest: Digest): string {
    if (!isDigest(digest)) throw invalid('INVALID_DIGEST', `invalid digest "${digest}"`)
    return join(this.root, 'sha256', digest.slice(7))
  }

  async has(digest: Digest): Promise<boolean> {
    return (await this.size(digest).catch(() => undefined)) !== undefined
  }

  /** Byte size of a stored blob. NotFound when absent. */
  async size(digest: Digest): Promise<number> {
    try {
      return (await stat(this.path(digest))).size
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    const derived = await this.derived(digest)
    if (derived) return derived.size
    throw notFound('BLOB_NOT_FOUND', `blob ${digest} not found`)
  }

  /**
   * Records that `digest` is the gunzip of the stored blob `from` (`size` bytes). The caller has
   * verified it (a layer's diff id, checked while the layer was unpacked).
   */
  async putDerived(digest: Digest, from: Digest, size: number): Promise<void> {
    await this.size(from)
    await mkdir(join(this.root, 'derived'), { recursive: true })
    await writeFileAtomic(this.derivedPath(digest), JSON.stringify({ from, size } satisfies DerivedBlob))
  }

  private derivedPath(digest: Digest): string {
    return join(this.root, 'derived', `${this.path(digest).slice(-64)}.json`)
  }

  /** The derivation of a blob stored only that way, while its source blob is there. */
  private async derived(digest: Digest): Promise<DerivedBlob | undefined> {
    const d = await readJsonIfExists<DerivedBlob>(this.derivedPath(digest))
    if (!d) return undefined
    try {
      await stat(this.path(d.from))
      return d
    } catch {
      return undefined
    }
  }

  /** Stores bytes, verifying `expected` when given. Returns the digest. */
  async put(data: Uint8Array | string, expected?: Digest): Promise<Digest> {
    const buf = typeof data === 'string' ? Buffer.from(data) : data
    return (await this.ingest([buf], expected ? { digest: expected } : {})).digest
  }

  /**
   * Streams a blob in. InvalidArgument when the content does not match `expected`; nothing is
   * stored then.
   */
  async ingest(src: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>, expected: IngestExpectation = {}): Promise<{ digest: Digest; size: number }> {
    if (expected.digest !== undefined && !isDigest(expected.digest)) {
      throw invalid('INVALID_DIGEST', `invalid digest "${expected.digest}"`)
    }
    const dir = join(this.root, 'ingest')
    await mkdir(dir, { recursive: true })
    const tmp = join(dir, randomBytes(8).toString('hex'))
    const hash = createHash('sha256')
    let size = 0
    const fh = await open(tmp, 'wx', 0o644)
    try {
      try {
        // Network chunks are small (16-64 KiB): written in batches of about 1 MiB, one writev each.
        let batch: Uint8Array[] = []
        let batched = 0
        const flush = async (): Promise<void> => {
          if (batched === 0) return
          const buffers = batch
          const total = batched
          batch = []
          batched = 0
          const { bytesWritten } = await fh.writev(buffers)
          if (bytesWritten < total) {
            // A short write (a full disk, usually): the rest one buffer at a time, or the error.
            const rest = Buffer.concat(buffers, total).subarray(bytesWritten)
            let off = 0
            while (off < rest.length) off += (await fh.write(rest, off)).bytesWritten
          }
        }
        // A Readable's own iterator joins (copies) whatever is buffered whenever this loop falls behind.
        for await (const chunk of src instanceof Readable ? chunksOf(src) : src) {
          const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
          hash.update(buf)
          size += buf.length
          batch.push(buf)
          batched += buf.length
          if (batched >= 1 << 20) await flush()
        }
        await flush()
        await fh.sync()
      } finally {
        await fh.close()
      }
      const digest: Digest = `sha256:${hash.digest('hex')}`
      if (expected.digest !== undefined && digest !== expected.digest) {
        throw invalid('DIGEST_MISMATCH', `digest mismatch: expected ${expected.digest}, got ${digest}`)
      }
      if (expected.size !== undefined && size !== expected.size) {
        throw invalid('SIZE_MISMATCH', `size mismatch for ${digest}: expected ${expected.size} bytes, got ${size}`)
      }
      await mkdir(join(this.root, 'sha256'), { recursive: true })
      await rename(tmp, this.path(digest))
      return { digest, size }
    } finally {
      await rm(tmp, { force: true })
    }
  }

  async read(digest: Digest): Promise<Buffer> {
    try {
      return await readFile(this.path(digest))
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    const chunks: Buffer[] = []
    for await (const c of await this.openRead(digest)) chunks.push(c as Buffer)
    return Buffer.concat(chunks)
  }

  /** A stream of the blob. NotFound (before any data) when absent. */
  async openRead(digest: Digest): Promise<Readable> {
    try {
      await stat(this.path(digest))
      return createReadStream(this.path(digest), { highWaterMark: READ_CHUNK })
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    const derived = await this.derived(digest)
    if (!derived) throw notFound('BLOB_NOT_FOUND', `blob ${digest} not found`)
    const gunzip = zlib().createGunzip({ chunkSize: READ_CHUNK })
    pipeline(createReadStream(this.path(derived.from), { highWaterMark: READ_CHUNK }), gunzip, () => {
      // gunzip is destroyed with the error; its reader sees it.
    })
    return gunzip
  }

  /**
   * A layer tar for the snapshotter: the blob's own file when it is stored as one (the unpacker reads it
   * itself), else (a tar derived from a gzip blob) a stream of it. NotFound when absent.
   */
  async layerSource(digest: Digest): Promise<LayerSource> {
    try {
      await stat(this.path(digest))
      return { kind: 'file', path: this.path(digest) }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    return this.openRead(digest)
  }

  /** Idempotent. */
  async delete(digest: Digest): Promise<void> {
    await rm(this.path(digest), { force: true })
    await rm(this.derivedPath(digest), { force: true })
  }
}

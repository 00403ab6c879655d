import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { invalid, isDigest, notFound, type Digest } from '../../common/index.js'

export interface IngestExpectation {
  digest?: Digest
  size?: number
}

/**
 * Content-addressed blobs at <root>/sha256/<hex>. A blob is written to <root>/ingest/ while it is
 * hashed and renamed into place only when its digest (and size, if given) match: a blob stored
 * under a digest always has that digest. Blobs are immutable; delete is the only other change.
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
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound('BLOB_NOT_FOUND', `blob ${digest} not found`)
      throw err
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
        for await (const chunk of src) {
          const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
          hash.update(buf)
          size += buf.length
          let off = 0
          while (off < buf.length) off += (await fh.write(buf, off)).bytesWritten
        }
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
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw notFound('BLOB_NOT_FOUND', `blob ${digest} not found`)
      throw err
    }
  }

  /** A stream of the blob. NotFound (before any data) when absent. */
  async openRead(digest: Digest): Promise<Readable> {
    await this.size(digest)
    return createReadStream(this.path(digest))
  }

  /** Idempotent. */
  async delete(digest: Digest): Promise<void> {
    await rm(this.path(digest), { force: true })
  }
}

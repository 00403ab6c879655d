import { open } from 'node:fs/promises'
import { promisify } from 'node:util'
import { zlib } from './lazy-zlib.js'

let deflateRawAsync: ((buf: Buffer, opts: { level: number }) => Promise<Buffer>) | undefined

/** Level for data that compresses: zlib's fast deflate, about half level 6's CPU for 2-5 % larger blobs. */
export const PUSH_GZIP_LEVEL = 3
/** Samples that save less than this fraction are not worth deflate's CPU. */
const WORTH = 0.02

/**
 * The gzip level to compress a layer tar with: PUSH_GZIP_LEVEL, or 0 (stored blocks, a plain copy)
 * when `samples` slices spread evenly over the file all together save under 2 % (random data,
 * already compressed files), which deflate would otherwise grind through at a few tens of MB/s.
 * Files too small to sample, or unreadable, get PUSH_GZIP_LEVEL.
 */
export async function gzipLevelFor(path: string, opts: { samples?: number; sliceBytes?: number } = {}): Promise<number> {
  const samples = opts.samples ?? 8
  const sliceBytes = opts.sliceBytes ?? 256 * 1024
  let fh
  try {
    fh = await open(path, 'r')
  } catch {
    return PUSH_GZIP_LEVEL
  }
  try {
    const { size } = await fh.stat()
    if (size < samples * sliceBytes * 2) return PUSH_GZIP_LEVEL
    const step = Math.floor((size - sliceBytes) / (samples - 1))
    let raw = 0
    let packed = 0
    for (let i = 0; i < samples; i++) {
      const buf = Buffer.alloc(sliceBytes)
      const { bytesRead } = await fh.read(buf, 0, sliceBytes, i * step)
      raw += bytesRead
      packed += (await (deflateRawAsync ??= promisify(zlib().deflateRaw))(buf.subarray(0, bytesRead), { level: PUSH_GZIP_LEVEL })).length
    }
    return packed >= raw * (1 - WORTH) ? 0 : PUSH_GZIP_LEVEL
  } finally {
    await fh.close()
  }
}

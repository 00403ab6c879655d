import { PassThrough, Readable, pipeline } from 'node:stream'
import { EngineError, chunksOf, drainedOrClosed, invalid, isEngineError, type Digest } from '../../common/index.js'
import { detectCompression } from './decompress.js'
import type { ExternalDecompressor, ProgressSink, RegistryRepository } from './distribution-types.js'
import { zlib } from './lazy-zlib.js'

/** Runs fn over items with at most `limit` in flight; rejects with the first error after all settle. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  let failure: { err: unknown } | undefined
  const worker = async (): Promise<void> => {
    while (next < items.length && !failure) {
      const i = next++
      try {
        results[i] = await fn(items[i] as T, i)
      } catch (err) {
        failure ??= { err }
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  if (failure) throw failure.err
  return results
}

/** Runs the functions given to it with at most `limit` in flight, starting them in call order. */
export function limiter(limit: number): <R>(fn: () => Promise<R>) => Promise<R> {
  let active = 0
  const queue: Array<() => void> = []
  const next = (): void => {
    if (active >= limit) return
    const start = queue.shift()
    if (start) {
      active++
      start()
    }
  }
  return (fn) => new Promise((resolve, reject) => {
    queue.push(() => {
      Promise.resolve().then(fn).then(resolve, reject).finally(() => {
        active--
        next()
      })
    })
    next()
  })
}

/** "sha256:abcdef..." -> "abcdef012345" (Docker's short layer id in progress lines). */
export const shortDigest = (digest: string): string => digest.replace(/^sha256:/, '').slice(0, 12)

/** Calls sink at most every `intervalMs` (and always for the final value). */
export function throttledProgress(sink: ProgressSink, id: string, status: string, total: number | undefined, intervalMs = 100): (current: number, final?: boolean) => void {
  let last = 0
  return (current, final = false) => {
    const now = Date.now()
    if (!final && now - last < intervalMs) return
    last = now
    sink({ id, status, current, ...(total !== undefined ? { total } : {}) })
  }
}

const permanent = new Set(['NotFound', 'Unauthorized', 'Forbidden', 'InvalidArgument', 'NotImplemented'])

/**
 * A blob's bytes from a registry, resuming with a Range request after a dropped connection
 * (skipping what was already read when the registry answers 200 instead of 206).
 */
export async function* resumableBlob(
  repo: RegistryRepository,
  digest: Digest,
  opts: { signal?: AbortSignal; onBytes?: (read: number) => void; retries?: number },
): AsyncGenerator<Buffer> {
  let offset = 0
  let failures = 0
  for (;;) {
    const before = offset
    try {
      const range = await repo.openBlob(digest, offset, opts.signal)
      let skip = offset - range.offset
      const chunks = range.stream instanceof Readable ? chunksOf(range.stream) : range.stream
      for await (const chunk of chunks) {
        let c = chunk
        if (skip > 0) {
          if (c.length <= skip) {
            skip -= c.length
            continue
          }
          c = c.subarray(skip)
          skip = 0
        }
        offset += c.length
        opts.onBytes?.(offset)
        yield c
      }
      return
    } catch (err) {
      if (opts.signal?.aborted || (isEngineError(err) && permanent.has(err.kind))) throw err
      if (offset === before) failures++
      if (failures > (opts.retries ?? 3)) {
        throw new EngineError('Unavailable', 'BLOB_DOWNLOAD_FAILED', `failed to download blob ${digest}: ${(err as Error).message}`, { cause: err })
      }
    }
  }
}

/** A plain tar from a layer blob: gzip via zlib, zstd via the injected decompressor, plain as is. */
export async function decompressLayer(src: AsyncIterable<Buffer>, external: ExternalDecompressor | undefined): Promise<AsyncIterable<Buffer>> {
  return (await openLayerBlob(src, external)).tar
}

/** decompressLayer, also saying which compression the blob's first bytes showed. */
export async function openLayerBlob(src: AsyncIterable<Buffer>, external: ExternalDecompressor | undefined): Promise<{ kind: 'none' | 'gzip' | 'zstd'; tar: AsyncIterable<Buffer> }> {
  const it = src[Symbol.asyncIterator]()
  const first = await it.next()
  if (first.done) throw invalid('EMPTY_LAYER', 'layer blob is empty')
  const head = first.value
  async function* all(): AsyncGenerator<Buffer> {
    yield head
    for (;;) {
      const r = await it.next()
      if (r.done) return
      yield r.value
    }
  }
  const kind = detectCompression(head)
  if (kind === 'none') return { kind, tar: all() }
  if (kind === 'gzip') {
    const gunzip = zlib().createGunzip({ chunkSize: 512 * 1024 })
    pipeline(Readable.from(all(), { objectMode: false }), gunzip, () => {
      // pipeline destroys gunzip with the error; its reader sees it.
    })
    return { kind, tar: gunzip as AsyncIterable<Buffer> }
  }
  if (kind === 'zstd') {
    if (!external) throw invalid('UNSUPPORTED_COMPRESSION', 'zstd-compressed layers need the zstd program on the daemon host')
    return { kind, tar: await external('zstd', all()) }
  }
  throw invalid('UNSUPPORTED_COMPRESSION', `unsupported layer compression: ${kind}`)
}

/** Passes chunks through, reporting the running byte count. */
export async function* counting(src: AsyncIterable<Buffer>, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  let n = 0
  for await (const chunk of src) {
    n += chunk.length
    onBytes(n)
    yield chunk
  }
}

/**
 * Feeds one stream to every consumer at the pace of the slowest. A consumer's failure, or the
 * source's, ends every other consumer's stream with that error; resolves once all have settled.
 */
export async function fanOut<T>(src: AsyncIterable<Buffer>, consumers: Array<(stream: PassThrough) => Promise<T>>): Promise<Array<PromiseSettledResult<T>>> {
  const outs = consumers.map(() => new PassThrough({ highWaterMark: 1 << 20 }))
  let stopped: unknown
  const stop = (err: unknown): void => {
    stopped ??= err
    for (const o of outs) o.destroy(err instanceof Error ? err : new Error(String(err)))
  }
  for (const o of outs) o.on('error', () => undefined) // the consumer sees it; late errors must not crash
  const results = consumers.map((consume, i) => consume(outs[i] as PassThrough))
  for (const r of results) r.catch(stop)
  const feed = (async () => {
    try {
      for await (const chunk of src) {
        if (stopped !== undefined) throw stopped
        const waits = outs.filter((o) => !o.write(chunk)).map((o) => drainedOrClosed(o))
        if (waits.length) await Promise.all(waits)
      }
      for (const o of outs) o.end()
    } catch (err) {
      stop(err)
    }
  })()
  const settled = await Promise.allSettled(results)
  await feed
  return settled
}


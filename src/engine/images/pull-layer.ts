import { PassThrough, Readable } from 'node:stream'
import type { ZlibOptions } from 'node:zlib'
import { EngineError, drainedOrClosed, isEngineError, type Digest } from '../../common/index.js'
import type { AppliedLayer } from '../layers/index.js'
import type { ExternalDecompressor, ProgressSink, RegistryRepository } from './distribution-types.js'
import { READ_CHUNK } from './content-store.js'
import { detectCompression } from './decompress.js'
import type { ImageStore } from './image-store.js'
import { layerCompression, type Descriptor } from './manifest.js'
import { counting, fanOut, openLayerBlob, resumableBlob, shortDigest, throttledProgress } from './transfer-util.js'
import { zlib } from './lazy-zlib.js'

/** What every layer of one pull shares. */
export interface LayerPullContext {
  store: ImageStore
  repo: RegistryRepository
  decompressor?: ExternalDecompressor
  progress: ProgressSink
  /** Keeps a blob or layer this pull stores from being collected, and removes it if the pull fails. */
  pin: (digest: string) => void
  signal: AbortSignal
}

/** One layer to pull: its registry blob, its diff id, and the chain it goes on. */
export interface LayerJob {
  layer: Descriptor
  diffId: Digest
  /** Chain id of the layer below (undefined for the bottom layer). */
  parent: string | undefined
  /** Resolves once the layer below is registered; a layer is unpacked meanwhile but registered only after. */
  parentReady: Promise<unknown>
}

/**
 * Pulls one layer that is not unpacked yet. A blob that is not stored is downloaded and unpacked in the
 * same pass: its bytes are hashed and written to the content store while gunzip feeds the snapshotter
 * (Docker downloads first, then reads the file back to unpack it). The layer is registered only once
 * the blob matched its digest, the tar its diff id and the layer below is registered; on any failure
 * the snapshotter removes what it unpacked and the content store keeps nothing unverified.
 * Progress follows Docker's lines: Downloading, Verifying Checksum, Download complete, Extracting,
 * Pull complete.
 */
export async function pullLayer(ctx: LayerPullContext, job: LayerJob): Promise<void> {
  const { layer } = job
  if (layerCompression(layer.mediaType) === undefined) {
    throw new EngineError('InvalidArgument', 'UNSUPPORTED_MEDIA_TYPE', `unsupported layer media type "${layer.mediaType}"`)
  }
  const id = shortDigest(layer.digest)
  if (await ctx.store.content.has(layer.digest)) {
    ctx.progress({ id, status: 'Download complete' })
    await unpackStored(ctx, job)
  } else {
    ctx.pin(layer.digest)
    await downloadAndUnpack(ctx, job)
  }
  ctx.progress({ id, status: 'Pull complete' })
}

async function downloadAndUnpack(ctx: LayerPullContext, job: LayerJob): Promise<void> {
  const { layer } = job
  const id = shortDigest(layer.digest)
  const report = throttledProgress(ctx.progress, id, 'Downloading', layer.size)
  report(0, true)
  const download = resumableBlob(ctx.repo, layer.digest, { signal: ctx.signal, onBytes: (n) => report(n) })
  const first = await download.next()
  // The unpacking side's copy of the registry bytes: gunzip itself for a gzip blob (most layers), else a
  // pipe to the generic decompression. When unpacking fails early the download still runs to its end,
  // so that a blob with the wrong bytes is reported as such (as Docker, which verifies before it unpacks).
  const gzip = !first.done && detectCompression(first.value) === 'gzip'
  const sink = gzip
    ? zlib().createGunzip({ chunkSize: READ_CHUNK, writableHighWaterMark: 1 << 20 } as ZlibOptions) // zlib passes stream options on
    : new PassThrough({ highWaterMark: 1 << 20 })
  sink.on('error', () => undefined) // the unpacking side sees it
  // Network chunks (16-64 KiB) go to the sink in batches of about 512 KiB: each write is a thread-pool
  // job for gunzip, and each of its outputs a round through the unpacker, so fewer is much cheaper.
  let batch: Buffer[] = []
  let batched = 0
  const flush = async (): Promise<void> => {
    const data = batch.length === 1 ? (batch[0] as Buffer) : Buffer.concat(batch, batched)
    batch = []
    batched = 0
    if (!sink.destroyed && !sink.write(data)) await drainedOrClosed(sink)
  }
  async function* tee(): AsyncGenerator<Buffer> {
    let complete = false
    try {
      for (let r = first; !r.done; r = await download.next()) {
        batch.push(r.value)
        batched += r.value.length
        if (batched >= READ_CHUNK) await flush()
        yield r.value
      }
      if (batched > 0) await flush()
      complete = true
      sink.end()
    } finally {
      if (!complete) {
        sink.destroy(new Error('layer download stopped'))
        await download.return(undefined)
      }
    }
  }
  const ingested = ctx.store.content.ingest(tee(), { digest: layer.digest, size: layer.size }).then(
    () => {
      ctx.progress({ id, status: 'Verifying Checksum' })
      ctx.progress({ id, status: 'Download complete' })
    },
    (err: unknown) => {
      sink.destroy(err instanceof Error ? err : new Error(String(err)))
      throw verificationError(err, layer.digest)
    },
  )
  // The layer is registered only after its blob was verified and stored (and the layer below registered).
  const ready = Promise.all([job.parentReady, ingested])
  ready.catch(() => undefined) // awaited by applyLayer, unless unpacking failed before
  // Once unpacking ends, well or not, the rest of the download no longer waits for it.
  const unpacked = (gzip ? applyTar(ctx, job, 'gzip', sink, ready) : unpackBlob(ctx, job, sink, ready)).finally(() => sink.destroy())
  const [stored, applied] = await Promise.allSettled([ingested, unpacked])
  if (stored.status === 'rejected') throw stored.reason
  if (applied.status === 'rejected') throw applied.reason
  throttledProgress(ctx.progress, id, 'Extracting', layer.size)(layer.size, true)
}

/** A layer whose registry blob is already stored (or whose tar is): unpacked from the content store. */
async function unpackStored(ctx: LayerPullContext, job: LayerJob): Promise<void> {
  const { layer, diffId } = job
  const content = ctx.store.content
  const report = throttledProgress(ctx.progress, shortDigest(layer.digest), 'Extracting', layer.size)
  report(0, true)
  if (await content.has(diffId)) {
    const tar = await content.openRead(diffId)
    await ctx.store.layers.applyLayer(job.parent, diffId, tar, { parentReady: job.parentReady }).catch((err: unknown) => {
      tar.destroy()
      throw diffIdError(err, job)
    })
  } else {
    await unpackBlob(ctx, job, counting((await content.openRead(layer.digest)) as AsyncIterable<Buffer>, (n) => report(n)), job.parentReady)
  }
  report(layer.size, true)
}

/**
 * Decompresses a layer blob and unpacks it. A gzip layer's tar is not stored again: the content store
 * keeps it as derived from the registry blob (the snapshotter verified it against the diff id). A zstd
 * layer's tar is stored as well; a plain tar is its own blob.
 */
async function unpackBlob(ctx: LayerPullContext, job: LayerJob, compressed: AsyncIterable<Buffer>, ready: Promise<unknown>): Promise<void> {
  const { diffId } = job
  const content = ctx.store.content
  const blob = await openLayerBlob(compressed, ctx.decompressor)
  if (blob.kind === 'zstd') {
    const [stored, applied] = await fanOut<unknown>(blob.tar, [
      (tar) => content.ingest(tar, { digest: diffId }),
      (tar) => ctx.store.layers.applyLayer(job.parent, diffId, tar, { parentReady: ready }),
    ])
    if (stored?.status === 'rejected') throw diffIdError(stored.reason, job)
    if (applied?.status === 'rejected') throw diffIdError(applied.reason, job)
    return
  }
  await applyTar(ctx, job, blob.kind, blob.tar instanceof Readable ? blob.tar : Readable.from(blob.tar, { objectMode: false }), ready)
}

/** Unpacks a layer's tar; a gzip layer's tar is then recorded as derived from its registry blob. */
async function applyTar(ctx: LayerPullContext, job: LayerJob, kind: 'none' | 'gzip', tar: Readable, ready: Promise<unknown>): Promise<void> {
  let applied: AppliedLayer
  try {
    applied = await ctx.store.layers.applyLayer(job.parent, job.diffId, tar, { parentReady: ready })
  } catch (err) {
    tar.destroy()
    throw diffIdError(err, job)
  }
  // tarSize is there only when this call unpacked (and so verified) the tar.
  if (kind === 'gzip' && applied.tarSize !== undefined && !(await ctx.store.content.has(job.diffId))) {
    await ctx.store.content.putDerived(job.diffId, job.layer.digest, applied.tarSize)
  }
}

function verificationError(err: unknown, digest: Digest): unknown {
  return isEngineError(err) && (err.code === 'DIGEST_MISMATCH' || err.code === 'SIZE_MISMATCH')
    ? new EngineError('InvalidArgument', 'DIGEST_MISMATCH', `filesystem layer verification failed for digest ${digest}`, { cause: err })
    : err
}

function diffIdError(err: unknown, job: LayerJob): unknown {
  return isEngineError(err) && err.code === 'DIGEST_MISMATCH'
    ? new EngineError('InvalidArgument', 'DIGEST_MISMATCH', `failed to register layer: layer ${job.layer.digest} does not match diff id ${job.diffId} of the image config`, { cause: err })
    : err
}


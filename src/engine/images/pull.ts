import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { finished } from 'node:stream/promises'
import { EngineError, isEngineError, sha256, type Digest } from '../../common/index.js'
import { chainIdOf } from '../layers/index.js'
import type { ExternalDecompressor, ProgressSink, RegistryAuth, RegistryClient, RegistryRepository } from './distribution-types.js'
import type { ImageStore } from './image-store.js'
import type { LayerSources } from './layer-sources.js'
import { choosePlatform, layerCompression, parseManifest, type Descriptor, type ImageManifest } from './manifest.js'
import { parsePlatform } from './platform.js'
import { familiarReference, parseReference } from './reference.js'
import { counting, fanOut, limiter, openLayerBlob, resumableBlob, shortDigest, throttledProgress } from './transfer-util.js'
import type { ImageConfigBlob, ImageRecord } from './types.js'

export interface PullDeps {
  store: ImageStore
  sources: LayerSources
  registry: RegistryClient
  decompressor?: ExternalDecompressor
}

export interface PullOptions {
  auth?: RegistryAuth
  platform?: string
  signal?: AbortSignal
  onProgress?: ProgressSink
  /** Parallel layer downloads (Docker's max-concurrent-downloads, default 3). */
  concurrency?: number
}

/**
 * Pulls an image by tag or digest (Docker's pull flow and progress lines). Every blob is verified
 * while it is written; a failed pull leaves no blob it stored and registers nothing.
 */
export async function pullImage(deps: PullDeps, ref: string, opts: PullOptions = {}): Promise<ImageRecord> {
  const progress: ProgressSink = opts.onProgress ?? (() => undefined)
  const parsed = parseReference(ref)
  const tag = parsed.digest === undefined ? parsed.tag ?? 'latest' : parsed.tag
  const name = `${parsed.domain}/${parsed.path}`
  const repo = deps.registry.repository(parsed.domain, parsed.path, opts.auth, 'pull')
  const tagOrDigest = parsed.digest ?? tag ?? 'latest'
  const top = await fetchManifest(repo, tagOrDigest, parsed.digest as Digest | undefined, name)
  progress({ id: tagOrDigest, status: `Pulling from ${parsed.path}` })
  let manifestDigest = top.digest
  let manifest: ImageManifest
  if (top.parsed.kind === 'index') {
    const entry = choosePlatform(top.parsed.index, parsePlatform(opts.platform))
    const sub = await fetchManifest(repo, entry.digest, entry.digest, name)
    if (sub.parsed.kind !== 'manifest') throw new EngineError('InvalidArgument', 'INVALID_MANIFEST', 'nested manifest index is not supported')
    manifest = sub.parsed.manifest
  } else manifest = top.parsed.manifest
  // Docker reports (and records) the digest that was asked for: the index's for a multi-arch tag.
  manifestDigest = top.digest

  const store = deps.store
  const image = await store.withLayerPins(async (pin) => {
    const configBytes = await readSmallBlob(repo, manifest.config, opts.signal)
    const config = JSON.parse(configBytes.toString('utf8')) as ImageConfigBlob
    const diffIds = config.rootfs?.diff_ids ?? []
    if (diffIds.length !== manifest.layers.length) {
      throw new EngineError('InvalidArgument', 'INVALID_MANIFEST', `image config has ${diffIds.length} layers but the manifest has ${manifest.layers.length}`)
    }
    const existing = await store.resolve(manifest.config.digest).catch(() => undefined)
    const chains: Digest[] = []
    for (const d of diffIds) chains.push(chainIdOf(chains[chains.length - 1], d))
    const present = await Promise.all(chains.map((c) => store.layers.hasLayer(c)))
    for (const c of chains) pin(c)
    for (const d of diffIds) pin(d)

    // Download the layers that are not unpacked yet, 3 at a time, each verified against its digest.
    const missing: number[] = []
    manifest.layers.forEach((layer, i) => {
      const id = shortDigest(layer.digest)
      if (present[i]) progress({ id, status: 'Already exists' })
      else {
        progress({ id, status: 'Pulling fs layer' })
        missing.push(i)
      }
    })
    const limit = opts.concurrency ?? 3
    missing.slice(limit).forEach((i) => progress({ id: shortDigest((manifest.layers[i] as Descriptor).digest), status: 'Waiting' }))
    // Downloads run `limit` at a time, in layer order; layer i is unpacked as soon as it and the layers
    // below it are here, while later layers still download. The first failure aborts the rest, and
    // nothing is left running when this returns or throws (withLayerPins then removes what was stored).
    const abort = new AbortController()
    const signal = opts.signal ? AbortSignal.any([opts.signal, abort.signal]) : abort.signal
    let failure: { err: unknown } | undefined
    const fail = (err: unknown): never => {
      failure ??= { err }
      abort.abort()
      throw err
    }
    const downloads = new Map<number, Promise<void>>()
    const slot = limiter(limit)
    for (const i of missing) {
      const download = slot(() => {
        signal.throwIfAborted()
        return downloadLayer(deps, repo, manifest.layers[i] as Descriptor, progress, pin, signal)
      }).catch(fail)
      download.catch(() => undefined) // awaited in layer order below; a later layer may fail first
      downloads.set(i, download)
    }
    try {
      let parent: string | undefined
      for (let i = 0; i < diffIds.length; i++) {
        const layer = manifest.layers[i] as Descriptor
        const diffId = diffIds[i] as Digest
        if (!present[i]) {
          await downloads.get(i)
          await extractLayer(deps, layer, diffId, parent, progress).catch(fail)
        }
        parent = chains[i]
        await deps.sources.add(diffId, { digest: layer.digest, size: layer.size, mediaType: layer.mediaType }, `${parsed.domain}/${parsed.path}`)
      }
    } catch (err) {
      abort.abort()
      await Promise.allSettled(downloads.values())
      throw failure ? failure.err : err
    }
    const repoTag = tag !== undefined && parsed.digest === undefined ? `${name}:${tag}` : undefined
    const record = await store.registerImage(configBytes, { repoTag, repoDigest: `${name}@${manifestDigest}` })
    return { record, fresh: existing === undefined || !existing.repoTags.includes(repoTag ?? '') }
  })
  progress({ status: `Digest: ${manifestDigest}` })
  const shown = familiarReference(parsed.digest ? `${name}@${parsed.digest}` : `${name}:${tag ?? 'latest'}`)
  progress({ status: image.fresh ? `Status: Downloaded newer image for ${shown}` : `Status: Image is up to date for ${shown}` })
  return image.record
}

async function fetchManifest(repo: RegistryRepository, reference: string, expected: Digest | undefined, name: string): Promise<{ digest: Digest; parsed: ReturnType<typeof parseManifest> }> {
  let fetched
  try {
    fetched = await repo.getManifest(reference)
  } catch (err) {
    if (isEngineError(err, 'NotFound')) {
      const what = reference.startsWith('sha256:') ? `${name}@${reference}` : `${name}:${reference}`
      throw new EngineError('NotFound', 'MANIFEST_UNKNOWN', `manifest for ${familiarReference(what)} not found: manifest unknown: manifest unknown`, { cause: err })
    }
    if (isEngineError(err, 'Unauthorized') || isEngineError(err, 'Forbidden')) {
      // moby's translatePullError: a 404 so that the docker CLI does not prompt for a login.
      throw new EngineError('NotFound', 'PULL_ACCESS_DENIED', `pull access denied for ${familiarReference(name)}, repository does not exist or may require 'docker login': ${err.message}`, { cause: err })
    }
    throw err
  }
  const digest = sha256(fetched.bytes)
  if (expected !== undefined && digest !== expected) {
    throw new EngineError('InvalidArgument', 'DIGEST_MISMATCH', `manifest verification failed for digest ${expected}`)
  }
  return { digest, parsed: parseManifest(fetched.bytes, fetched.mediaType) }
}

/** Config blobs: read whole, stored verified. */
async function readSmallBlob(repo: RegistryRepository, desc: Descriptor, signal?: AbortSignal): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of resumableBlob(repo, desc.digest, { signal })) chunks.push(c)
  const bytes = Buffer.concat(chunks)
  if (sha256(bytes) !== desc.digest) throw new EngineError('InvalidArgument', 'DIGEST_MISMATCH', `image config verification failed for digest ${desc.digest}`)
  return bytes
}

async function downloadLayer(
  deps: PullDeps,
  repo: RegistryRepository,
  layer: Descriptor,
  progress: ProgressSink,
  pin: (digest: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const id = shortDigest(layer.digest)
  if (layerCompression(layer.mediaType) === undefined) {
    throw new EngineError('InvalidArgument', 'UNSUPPORTED_MEDIA_TYPE', `unsupported layer media type "${layer.mediaType}"`)
  }
  const content = deps.store.content
  if (!(await content.has(layer.digest))) {
    pin(layer.digest)
    const report = throttledProgress(progress, id, 'Downloading', layer.size)
    report(0, true)
    try {
      await content.ingest(resumableBlob(repo, layer.digest, { signal, onBytes: (n) => report(n) }), { digest: layer.digest, size: layer.size })
    } catch (err) {
      if (isEngineError(err) && (err.code === 'DIGEST_MISMATCH' || err.code === 'SIZE_MISMATCH')) {
        throw new EngineError('InvalidArgument', 'DIGEST_MISMATCH', `filesystem layer verification failed for digest ${layer.digest}`, { cause: err })
      }
      throw err
    }
    progress({ id, status: 'Verifying Checksum' })
  }
  progress({ id, status: 'Download complete' })
}

/**
 * Unpacks a downloaded layer on its parent, decompressing the blob once. A gzip layer's tar is not
 * stored again: the content store keeps it as derived from the registry blob (verified against the
 * diff id here). Other compressions feed the tar to both the content store and the snapshotter.
 */
async function extractLayer(deps: PullDeps, layer: Descriptor, diffId: Digest, parent: string | undefined, progress: ProgressSink): Promise<void> {
  const id = shortDigest(layer.digest)
  const content = deps.store.content
  const report = throttledProgress(progress, id, 'Extracting', layer.size)
  report(0, true)
  const mismatch = (err: unknown): unknown => isEngineError(err) && err.code === 'DIGEST_MISMATCH'
    ? new EngineError('InvalidArgument', 'DIGEST_MISMATCH', `failed to register layer: layer ${layer.digest} does not match diff id ${diffId} of the image config`, { cause: err })
    : err
  if (await content.has(diffId)) {
    await deps.store.layers.applyLayer(parent, diffId, await content.openRead(diffId))
  } else {
    const compressed = counting((await content.openRead(layer.digest)) as AsyncIterable<Buffer>, (n) => report(n))
    const blob = await openLayerBlob(compressed, deps.decompressor)
    if (blob.kind === 'gzip') {
      const hash = createHash('sha256')
      let size = 0
      const tar = Readable.from((async function* () {
        for await (const chunk of blob.tar) {
          hash.update(chunk)
          size += chunk.length
          yield chunk
        }
      })(), { objectMode: false })
      try {
        await deps.store.layers.applyLayer(parent, diffId, tar)
        await finished(tar) // an existing layer is not read, only drained
      } catch (err) {
        tar.destroy()
        throw mismatch(err)
      }
      const got = `sha256:${hash.digest('hex')}`
      if (got !== diffId) throw mismatch(new EngineError('InvalidArgument', 'DIGEST_MISMATCH', `diff id mismatch: got ${got}`))
      await content.putDerived(diffId, layer.digest, size)
    } else {
      const [ingested, applied] = await fanOut<unknown>(blob.tar, [
        (tar) => content.ingest(tar, { digest: diffId }),
        (tar) => deps.store.layers.applyLayer(parent, diffId, tar),
      ])
      if (ingested?.status === 'rejected') throw mismatch(ingested.reason)
      if (applied?.status === 'rejected') throw mismatch(applied.reason)
    }
  }
  report(layer.size, true)
  progress({ id, status: 'Pull complete' })
}

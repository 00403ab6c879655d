import { EngineError, isEngineError, sha256, type Digest } from '../../common/index.js'
import { chainIdOf } from '../layers/index.js'
import type { ExternalDecompressor, ProgressSink, RegistryAuth, RegistryClient, RegistryRepository } from './distribution-types.js'
import type { ImageStore } from './image-store.js'
import type { LayerSources } from './layer-sources.js'
import { choosePlatform, parseManifest, type Descriptor, type ImageManifest } from './manifest.js'
import { parsePlatform } from './platform.js'
import { familiarReference, parseReference } from './reference.js'
import { pullLayer, type LayerJob, type LayerPullContext } from './pull-layer.js'
import { limiter, resumableBlob, shortDigest } from './transfer-util.js'
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

    // The layers that are not unpacked yet are downloaded, each verified against its digest.
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
    // Layers are fetched `limit` at a time, in layer order, each downloaded and unpacked in one pass;
    // layer i is registered as soon as it and the layers below it are. The first failure aborts the
    // rest, and nothing is left running when this returns or throws (withLayerPins then removes what
    // was stored).
    const abort = new AbortController()
    const signal = opts.signal ? AbortSignal.any([opts.signal, abort.signal]) : abort.signal
    let failure: { err: unknown } | undefined
    const fail = (err: unknown): never => {
      failure ??= { err }
      abort.abort()
      throw err
    }
    const ctx: LayerPullContext = { store, repo, progress, pin, signal, ...(deps.decompressor ? { decompressor: deps.decompressor } : {}) }
    const slot = limiter(limit)
    const tasks: Array<Promise<void>> = []
    let below: Promise<unknown> = Promise.resolve()
    for (const i of missing) {
      const job: LayerJob = { layer: manifest.layers[i] as Descriptor, diffId: diffIds[i] as Digest, parent: chains[i - 1], parentReady: below }
      const task = slot(() => {
        signal.throwIfAborted()
        return pullLayer(ctx, job)
      }).catch(fail)
      task.catch(() => undefined) // awaited below, and by the layer above
      tasks.push(task)
      below = task
    }
    const settled = await Promise.allSettled(tasks)
    if (failure) throw failure.err
    for (const s of settled) if (s.status === 'rejected') throw s.reason
    await deps.sources.addAll(manifest.layers.map((layer, i) => ({
      diffId: diffIds[i] as Digest,
      source: { digest: layer.digest, size: layer.size, mediaType: layer.mediaType },
    })), `${parsed.domain}/${parsed.path}`)
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

import { pipeline } from 'node:stream'
import { EngineError, notFound, type Digest } from '../../common/index.js'
import type { ProgressSink, RegistryAuth, RegistryClient, RegistryRepository } from './distribution-types.js'
import type { ImageStore } from './image-store.js'
import type { LayerSource, LayerSources } from './layer-sources.js'
import { MediaTypes, type Descriptor, type ImageManifest } from './manifest.js'
import { familiarReference, parseReference } from './reference.js'
import { gzipLevelFor } from './gzip-level.js'
import { mapLimit, shortDigest, throttledProgress } from './transfer-util.js'
import type { ImageRecord } from './types.js'
import { zlib } from './lazy-zlib.js'

export interface PushDeps {
  store: ImageStore
  sources: LayerSources
  registry: RegistryClient
}

export interface PushOptions {
  auth?: RegistryAuth
  signal?: AbortSignal
  onProgress?: ProgressSink
  /** Upload PATCH size; 0 or undefined sends each blob in one request. */
  chunkSize?: number
  concurrency?: number
}

export interface PushResult {
  tag: string
  digest: Digest
  size: number
}

/**
 * Pushes every tag of a repository, or one tag (Docker's push flow). Only layers the registry
 * lacks are uploaded: known blobs are checked with HEAD, blobs of another repository on the same
 * registry are mounted, and a layer is gzip-compressed once and the blob remembered for later pushes.
 */
export async function pushImage(deps: PushDeps, name: string, tag: string | undefined, opts: PushOptions = {}): Promise<PushResult[]> {
  const progress: ProgressSink = opts.onProgress ?? (() => undefined)
  const parsed = parseReference(name)
  if (parsed.digest) throw new EngineError('InvalidArgument', 'INVALID_REFERENCE', 'cannot push a digest reference')
  const repoName = `${parsed.domain}/${parsed.path}`
  const wanted = tag ?? parsed.tag
  const images = await deps.store.list()
  const targets: Array<{ tag: string; image: ImageRecord }> = []
  for (const image of images) {
    for (const ref of image.repoTags) {
      const colon = ref.lastIndexOf(':')
      if (ref.slice(0, colon) !== repoName) continue
      const t = ref.slice(colon + 1)
      if (wanted === undefined || wanted === t) targets.push({ tag: t, image })
    }
  }
  if (targets.length === 0) {
    const shown = familiarReference(wanted ? `${repoName}:${wanted}` : repoName)
    throw notFound('IMAGE_NOT_FOUND', wanted ? `tag does not exist: ${shown}` : `An image does not exist locally with the tag: ${shown}`)
  }
  progress({ status: `The push refers to repository [${familiarReference(repoName)}]` })
  const repo = deps.registry.repository(parsed.domain, parsed.path, opts.auth, 'push')
  const results: PushResult[] = []
  for (const { tag: t, image } of targets) {
    results.push(await pushOne(deps, repo, `${parsed.domain}/${parsed.path}`, t, image, progress, opts))
  }
  return results
}

async function pushOne(
  deps: PushDeps,
  repo: RegistryRepository,
  repoKey: string,
  tag: string,
  image: ImageRecord,
  progress: ProgressSink,
  opts: PushOptions,
): Promise<PushResult> {
  const diffIds = image.config.rootfs.diff_ids
  // Docker lists layers top first.
  const order = diffIds.map((_, i) => diffIds.length - 1 - i)
  for (const i of order) progress({ id: shortDigest(diffIds[i] as string), status: 'Preparing' })
  const limit = opts.concurrency ?? 3
  order.slice(limit).forEach((i) => progress({ id: shortDigest(diffIds[i] as string), status: 'Waiting' }))
  const layers = await mapLimit(order, limit, (i) => pushLayer(deps, repo, repoKey, diffIds[i] as Digest, progress, opts))
  layers.reverse()

  const content = deps.store.content
  const configBytes = await content.read(image.id)
  if ((await repo.statBlob(image.id)) === undefined) {
    await repo.uploadBlob(image.id, configBytes.length, async () => (async function* () {
      yield configBytes
    })(), { signal: opts.signal })
  }
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MediaTypes.dockerManifest,
    config: { mediaType: MediaTypes.dockerConfig, size: configBytes.length, digest: image.id },
    layers,
  }
  const bytes = Buffer.from(JSON.stringify(manifest, null, 3))
  const digest = await repo.putManifest(tag, MediaTypes.dockerManifest, bytes)
  await deps.store.addReference(`${repoKey}@${digest}`, image.id)
  progress({ status: `${tag}: digest: ${digest} size: ${bytes.length}` })
  progress({ status: '', aux: { Tag: tag, Digest: digest, Size: bytes.length } })
  return { tag, digest, size: bytes.length }
}

/** Docker manifests use Docker's layer media type for gzip layers. */
function manifestMediaType(source: LayerSource): string {
  return source.mediaType === MediaTypes.ociLayerGzip ? MediaTypes.dockerLayerGzip : source.mediaType
}

async function pushLayer(deps: PushDeps, repo: RegistryRepository, repoKey: string, diffId: Digest, progress: ProgressSink, opts: PushOptions): Promise<Descriptor> {
  const id = shortDigest(diffId)
  const content = deps.store.content
  const sources = await deps.sources.get(diffId)
  const descriptor = (s: LayerSource): Descriptor => ({ mediaType: manifestMediaType(s), size: s.size, digest: s.digest })
  // Known blobs first: the registry may already have one (HEAD), or another repository on it (mount).
  for (const s of sources) {
    if ((await repo.statBlob(s.digest)) !== undefined) {
      progress({ id, status: 'Layer already exists' })
      await deps.sources.add(diffId, s, repoKey)
      return descriptor(s)
    }
  }
  const domain = repoKey.split('/')[0] as string
  for (const s of sources) {
    const from = [...s.repositories].reverse().find((r) => r.startsWith(`${domain}/`) && r !== repoKey)
    if (from && (await repo.mountBlob(s.digest, from.slice(domain.length + 1)))) {
      progress({ id, status: `Mounted from ${from.slice(domain.length + 1)}` })
      await deps.sources.add(diffId, s, repoKey)
      return descriptor(s)
    }
  }
  let source: LayerSource | undefined
  for (const s of sources) if (await content.has(s.digest)) source ??= s
  if (!source) source = await compressLayer(deps, diffId)
  const src = source
  const report = throttledProgress(progress, id, 'Pushing', src.size)
  report(0, true)
  await repo.uploadBlob(src.digest, src.size, async () => (await content.openRead(src.digest)) as AsyncIterable<Buffer>, {
    chunkSize: opts.chunkSize,
    signal: opts.signal,
    onProgress: (n) => report(n),
  })
  report(src.size, true)
  progress({ id, status: 'Pushed' })
  await deps.sources.add(diffId, src, repoKey)
  return descriptor(src)
}

/** gzips the layer's tar (stored under its diff id) into a blob, once per layer. */
async function compressLayer(deps: PushDeps, diffId: Digest): Promise<LayerSource> {
  const content = deps.store.content
  if (!(await content.has(diffId))) {
    throw notFound('LAYER_BLOB_MISSING', `Cannot push layer ${diffId}: its tar is not in the content store`)
  }
  // Compressed once; the blob is kept for later pushes. Incompressible layers go as stored blocks.
  const gzip = zlib().createGzip({ level: await gzipLevelFor(content.path(diffId)), chunkSize: 256 * 1024 })
  pipeline(await content.openRead(diffId), gzip, () => {
    // gzip is destroyed with the error; ingest sees it.
  })
  const { digest, size } = await content.ingest(gzip as AsyncIterable<Buffer>)
  const source = { digest, size, mediaType: MediaTypes.dockerLayerGzip, repositories: [] }
  await deps.sources.add(diffId, source)
  return source
}

import { invalid, isDigest, notFound, type Digest } from '../../common/index.js'
import type { Platform } from './platform.js'

export const MediaTypes = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayerGzip: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
} as const

/** Accept header for manifest GETs: every format berth can pull. */
export const manifestAccept = [MediaTypes.dockerManifest, MediaTypes.dockerList, MediaTypes.ociManifest, MediaTypes.ociIndex].join(', ')

export interface Descriptor {
  mediaType: string
  digest: Digest
  size: number
  platform?: { os: string; architecture: string; variant?: string }
  annotations?: Record<string, string>
  urls?: string[]
}

export interface ImageManifest {
  schemaVersion: 2
  mediaType?: string
  config: Descriptor
  layers: Descriptor[]
}

export interface ImageIndex {
  schemaVersion: 2
  mediaType?: string
  manifests: Descriptor[]
}

export type ParsedManifest = { kind: 'manifest'; manifest: ImageManifest } | { kind: 'index'; index: ImageIndex }

/** Parses a manifest or index; the media type comes from the body or, failing that, Content-Type. */
export function parseManifest(bytes: Uint8Array, contentType?: string): ParsedManifest {
  let doc: Record<string, unknown>
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as Record<string, unknown>
  } catch {
    throw invalid('INVALID_MANIFEST', 'invalid manifest: not JSON')
  }
  const mediaType = typeof doc.mediaType === 'string' ? doc.mediaType : contentType?.split(';')[0]?.trim()
  if (doc.schemaVersion === 1 || mediaType?.startsWith('application/vnd.docker.distribution.manifest.v1')) {
    throw invalid('UNSUPPORTED_MANIFEST', 'Docker Image Format v1 and Docker Image manifest version 2, schema 1 support has been removed')
  }
  if (Array.isArray(doc.manifests) || mediaType === MediaTypes.dockerList || mediaType === MediaTypes.ociIndex) {
    const manifests = (doc.manifests ?? []) as Descriptor[]
    for (const m of manifests) checkDescriptor(m)
    return { kind: 'index', index: { schemaVersion: 2, mediaType, manifests } }
  }
  const config = doc.config as Descriptor | undefined
  const layers = (doc.layers ?? []) as Descriptor[]
  if (!config || !Array.isArray(layers)) throw invalid('INVALID_MANIFEST', 'invalid manifest: config or layers missing')
  checkDescriptor(config)
  for (const l of layers) checkDescriptor(l)
  return { kind: 'manifest', manifest: { schemaVersion: 2, mediaType, config, layers } }
}

function checkDescriptor(d: Descriptor): void {
  if (typeof d !== 'object' || d === null || !isDigest(d.digest) || typeof d.size !== 'number' || d.size < 0) {
    throw invalid('INVALID_MANIFEST', 'invalid manifest: malformed descriptor')
  }
}

/** The index entry for the platform (variant-insensitive unless the wanted one has a variant). */
export function choosePlatform(index: ImageIndex, want: Platform): Descriptor {
  const candidates = index.manifests.filter((m) =>
    m.platform !== undefined &&
    m.platform.os === want.os &&
    m.platform.architecture === want.architecture &&
    (want.variant === undefined || m.platform.variant === want.variant))
  const found = candidates[0]
  if (!found) {
    const name = [want.os, want.architecture, want.variant].filter(Boolean).join('/')
    throw notFound('NO_MATCHING_MANIFEST', `no matching manifest for ${name} in the manifest list entries`)
  }
  return found
}

export type LayerCompression = 'none' | 'gzip' | 'zstd'

/** Compression named by a layer media type; undefined for non-layer types. */
export function layerCompression(mediaType: string): LayerCompression | undefined {
  if (mediaType === MediaTypes.dockerLayerGzip || mediaType === MediaTypes.dockerForeignLayerGzip || mediaType === MediaTypes.ociLayerGzip) return 'gzip'
  if (mediaType === MediaTypes.ociLayerZstd) return 'zstd'
  if (mediaType === MediaTypes.ociLayer || mediaType === 'application/vnd.oci.image.layer.nondistributable.v1.tar') return 'none'
  if (mediaType === 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip') return 'gzip'
  return undefined
}

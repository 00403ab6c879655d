import type { Digest } from '../../common/index.js'

/**
 * Contracts between the image engine and a registry (OCI distribution spec). The HTTP
 * implementation lives in src/registry/client/ and is handed in by the daemon; engine code only
 * sees these types.
 */

/** Credentials as the docker CLI sends them in X-Registry-Auth and POST /auth. */
export interface RegistryAuth {
  username?: string
  password?: string
  /** OAuth refresh token (docker's IdentityToken). */
  identitytoken?: string
  /** A bearer token to send as is. */
  registrytoken?: string
  serveraddress?: string
}

export interface FetchedManifest {
  mediaType: string
  bytes: Buffer
  /** sha256 of bytes (verified against the requested digest when pulling by digest). */
  digest: Digest
}

export interface BlobRange {
  /** Blob bytes starting at `offset` (which may be less than the requested one: 0 when the registry ignored Range). */
  stream: AsyncIterable<Buffer>
  offset: number
}

/**
 * One repository ("library/busybox") on one registry, with its credentials. Errors are
 * EngineErrors: NotFound for unknown manifests/blobs ("manifest unknown"), Unauthorized for 401,
 * Unavailable for network failures.
 */
export interface RegistryRepository {
  /** "127.0.0.1:5000" (docker.io for Docker Hub). */
  readonly domain: string
  readonly path: string
  /** By tag or digest; accepts Docker v2 schema 2 and OCI manifests and indexes. */
  getManifest(reference: string): Promise<FetchedManifest>
  /** GET of a blob from `offset` (Range request when offset > 0). */
  openBlob(digest: Digest, offset: number, signal?: AbortSignal): Promise<BlobRange>
  /** Size of the blob when the registry has it in this repository, else undefined. */
  statBlob(digest: Digest): Promise<number | undefined>
  /** Cross-repository mount; false when the registry started an upload instead (which is cancelled). */
  mountBlob(digest: Digest, fromPath: string): Promise<boolean>
  /** Uploads a blob; `open` may be called more than once. onProgress gets bytes sent so far. */
  uploadBlob(
    digest: Digest,
    size: number,
    open: () => Promise<AsyncIterable<Buffer>>,
    opts?: { chunkSize?: number; onProgress?: (sent: number) => void; signal?: AbortSignal },
  ): Promise<void>
  /** PUT of a manifest under a tag or digest; returns the digest the registry reports (or ours). */
  putManifest(reference: string, mediaType: string, bytes: Buffer): Promise<Digest>
}

export interface RegistryClient {
  repository(domain: string, path: string, auth: RegistryAuth | undefined, scope: 'pull' | 'push'): RegistryRepository
  /**
   * Checks credentials against the registry's /v2/ endpoint (and its token service).
   * Unauthorized with Docker's message when they are refused.
   */
  login(domain: string, auth: RegistryAuth): Promise<{ identityToken?: string }>
  /** Repository names from /v2/_catalog (for `search`). */
  catalog(domain: string, auth: RegistryAuth | undefined): Promise<string[]>
}

/** One progress event of a pull/push/load, rendered as a Docker JSON message by the API. */
export interface ProgressEvent {
  /** Short layer id (12 hex) or tag; absent for whole-operation lines. */
  id?: string
  status: string
  current?: number
  total?: number
  /** Docker's aux payload (push: {Tag, Digest, Size}); sent instead of a status line. */
  aux?: unknown
}

export type ProgressSink = (event: ProgressEvent) => void

/** Turns a compressed stream into a plain one for compressions node has no codec for (zstd). */
export type ExternalDecompressor = (kind: 'zstd', src: AsyncIterable<Buffer>) => AsyncIterable<Buffer>

import type { Digest } from '../../common/index.js'
import type { ImageConfigBlob, ImageRecord } from '../images/index.js'
import type { UpperDirLayer } from '../layers/index.js'

/** What a build reports while it runs; api/ turns these into Docker's JSON stream, cli/ draws them. */
export type BuildEvent =
  /** "Step 2/5 : RUN make" */
  | { type: 'step'; index: number; total: number; instruction: string }
  | { type: 'cache-hit' }
  | { type: 'container-start'; containerId: string }
  | { type: 'output'; stream: 1 | 2; data: Buffer }
  | { type: 'container-removed'; containerId: string }
  /** The step's result: an image state id (config digest). */
  | { type: 'step-done'; imageId: Digest }
  /** Free text lines: trigger notices, warnings. */
  | { type: 'message'; text: string }

export interface BuildOptions {
  /** Tar archive of the context (plain, gzip, bzip2 or xz). */
  context: NodeJS.ReadableStream
  /** Path of the Dockerfile inside the context (default "Dockerfile"). */
  dockerfile?: string
  tags?: string[]
  /** --build-arg: null means "take the value from the client's environment", which the client resolved. */
  buildArgs?: Record<string, string | null>
  target?: string
  noCache?: boolean
  /** Labels added to the final image (as a LABEL step at the end, as dockerd does). */
  labels?: Record<string, string>
  /** Always pull base images: fails while pulling is unavailable. */
  pull?: boolean
  /** Images whose history may satisfy steps (--cache-from). */
  cacheFrom?: string[]
  /** Remove intermediate containers after a successful step (default true). */
  rm?: boolean
  /** Remove intermediate containers even after a failed step (berth always does). */
  forceRm?: boolean
  platform?: string
  /**
   * berth's context transfer: the context's key in the ContextStore (64 hex digits). The archive's
   * fingerprinted files are remembered under it, and its cached entries are read from it.
   */
  contextKey?: string
  signal?: AbortSignal
  onEvent?: (event: BuildEvent) => void
}

export interface BuildResult {
  imageId: Digest
  /** Familiar references tagged ("app:latest"). */
  tags: string[]
  /** --build-arg names no ARG consumed. */
  unusedArgs: string[]
}

export interface BuildPruneResult {
  cachesDeleted: string[]
  spaceReclaimed: number
}

/**
 * Builds images from Dockerfiles. Errors: InvalidArgument for Dockerfile and context problems
 * ("Dockerfile:3: unknown instruction: FORM"), BUILD_STEP_FAILED for a failing RUN, NotFound for
 * a missing base image, NotImplemented for --pull while pulling is unavailable.
 */
export interface BuildService {
  build(opts: BuildOptions): Promise<BuildResult>
  /** Of `files` (name -> stat fingerprint), the names a build with `contextKey` must send with data. */
  contextMissing(contextKey: string, files: Readonly<Record<string, string>>): Promise<string[]>
  /** Drops cache records (all, or those not used by an image) and layers nothing else uses. */
  prune(opts?: { all?: boolean }): Promise<BuildPruneResult>
  /** Removes what an interrupted build left (mounts, runtime state, work dirs). Called at daemon start. */
  cleanup(): Promise<void>
}

/** A build step's result: an image config (not yet registered) and its top layer. */
export interface BuildState {
  id: Digest
  config: ImageConfigBlob
  topChainId: string | undefined
}

/** What the builder needs from the image store: layers in, images out. */
export interface LayerCommitter {
  /** Stores an upper dir's layer tar as a blob and makes it a layer on top of `parentChainId` (ImageCommitter.commitLayer). */
  commitLayer(parentChainId: string | undefined, layer: UpperDirLayer): Promise<{ diffId: Digest; chainId: string; size: number }>
  /** True when every layer of the chain is unpacked. */
  hasLayers(diffIds: readonly Digest[]): Promise<boolean>
  /** Registers an image from exact config bytes and tags it; its layers must be committed. */
  register(configJson: Uint8Array, tags: readonly string[]): Promise<ImageRecord>
  /** Layer chains and blobs that no image needs, among `diffIds` chains; returns bytes freed. */
  releaseLayers(diffIdChains: ReadonlyArray<readonly Digest[]>): Promise<number>
}

/** The final answer to GET <url> (redirects followed). */
export interface UrlResponse {
  status: number
  statusText: string
  /** The Last-Modified header, when the server sent one. */
  lastModified?: string
  body: AsyncIterable<Uint8Array>
}

/**
 * Fetches `ADD <url>` sources: GET, redirects followed as fetch() does, aborted by `signal`. A
 * connection or TLS failure rejects with an Error whose message says what failed.
 */
export type UrlFetcher = (url: string, signal?: AbortSignal) => Promise<UrlResponse>

import type { Digest } from '../../common/index.js'

/** The OCI image config's `config` object (runtime defaults), as stored in the image config blob. */
export interface ImageRuntimeConfig {
  User?: string
  ExposedPorts?: Record<string, object>
  Env?: string[]
  Entrypoint?: string[] | null
  Cmd?: string[] | null
  Volumes?: Record<string, object>
  WorkingDir?: string
  Labels?: Record<string, string>
  StopSignal?: string
  Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number }
  Shell?: string[]
  OnBuild?: string[]
}

export interface ImageHistoryEntry {
  created?: string
  created_by?: string
  author?: string
  comment?: string
  empty_layer?: boolean
}

/** OCI image config (application/vnd.oci.image.config.v1+json). Field names are the standard's. */
export interface ImageConfigBlob {
  created?: string
  author?: string
  architecture: string
  os: string
  variant?: string
  config?: ImageRuntimeConfig
  rootfs: { type: 'layers'; diff_ids: Digest[] }
  history?: ImageHistoryEntry[]
  /** Docker extensions kept for `inspect` compatibility. */
  comment?: string
  docker_version?: string
}

/** An image as the engine knows it. `id` is the config digest, as in Docker. */
export interface ImageRecord {
  id: Digest
  /** Normalized references ("docker.io/library/busybox:latest"). */
  repoTags: string[]
  /** "docker.io/library/busybox@sha256:..." once pushed/pulled. */
  repoDigests: string[]
  config: ImageConfigBlob
  /** Chain id of the top layer (undefined for an image with no layers). */
  topChainId: string | undefined
  /** Sum of the unpacked layer sizes. */
  size: number
  /** Time the image record was created locally (Docker's `Created` comes from config.created). */
  loadedAt: string
}

export interface ImageListOptions {
  all?: boolean
  /** Docker filters: reference, dangling, label, before, since. */
  filters?: Record<string, string[]>
}

export interface ImageDeleteResult {
  untagged: string[]
  deleted: string[]
}

export interface ImageRemoveOptions {
  force?: boolean
  noPrune?: boolean
  isUsedByContainer: (imageId: string) => boolean
  /**
   * Optional, preferred over isUsedByContainer: a container using the image, for Docker's messages
   * ("container 3f2a9c... is using its referenced image") and its hard conflict for running ones.
   */
  containerUsing?: (imageId: string) => { containerId: string; running: boolean } | undefined
}

export interface ImageService {
  /**
   * Frees the layers of images that were force-removed while a container used them, once no container
   * does. Called after a container is removed.
   */
  pruneLayers?(isUsedByContainer: (imageId: string) => boolean): Promise<string[]>
  /** `system df`: listed (top-level) images with Docker's SharedSize, and LayersSize with each layer once. */
  diskUsage?(): Promise<{ layersSize: number; images: Array<{ image: ImageRecord; sharedSize: number }> }>
  /** By id, id prefix (>= 1 hex char, unique), or reference (normalized). NotFound: "No such image: x". */
  resolve(ref: string): Promise<ImageRecord>
  list(opts?: ImageListOptions): Promise<ImageRecord[]>
  /** Adds a tag. InvalidArgument for bad references. */
  tag(source: string, target: string): Promise<void>
  /**
   * Untags or deletes. Conflict (409) when a container uses it and !force, or it has several tags
   * and is referenced by id without force. Returns Docker's Untagged/Deleted list.
   */
  remove(ref: string, opts: ImageRemoveOptions): Promise<ImageDeleteResult>
  history(ref: string): Promise<Array<{ id: string; created: number; createdBy: string; tags: string[]; size: number; comment: string }>>
  /**
   * `docker import`: one layer from a (possibly gzip-compressed) tar stream, with optional
   * Dockerfile-style changes (CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, USER, WORKDIR, VOLUME, STOPSIGNAL).
   */
  importTar(tar: NodeJS.ReadableStream, opts: { repoTag?: string; message?: string; changes?: string[]; platform?: string }): Promise<ImageRecord>
  /** Creates an image from an uncompressed layer tar + config (used by bootstrap and commit). */
  createFromLayers(layers: NodeJS.ReadableStream[], config: Omit<ImageConfigBlob, 'rootfs'>, repoTag?: string): Promise<ImageRecord>
}

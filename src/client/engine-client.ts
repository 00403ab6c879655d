import type {
  NetworkConnectRequestWire, NetworkCreateRequestWire, NetworkCreateResponseWire, NetworkDisconnectRequestWire,
  NetworkPruneResponseWire, NetworkWire,
} from '../api/types/index.js'
import type { Duplex, Readable } from 'node:stream'
import type {
  ContainerCreateRequest,
  ContainerCreateResponse,
  ContainerInspect,
  ContainerSummary,
  ContainerWaitResponse,
  ContainerTopResponse,
  ExecCreateRequest,
  ExecInspect,
  EventMessage,
  Filters,
  ImageDeleteItem,
  ImageHistoryItem,
  ImageInspect,
  ImageSummary,
  JsonMessage,
  SystemInfo,
  SystemVersion,
  Volume,
  VolumeCreateRequest,
  VolumePruneResponse,
} from './types.js'

/** The Docker API version this client speaks at most; it negotiates down to the daemon's. */
export const MAX_API_VERSION = '1.50'

export interface PingResult {
  /** The daemon's maximum API version (Api-Version header); "1.24" when absent, like Docker. */
  apiVersion: string
  osType?: string
  experimental: boolean
}

/** An inspect result: the decoded value and the body exactly as the daemon sent it. */
export interface InspectResult<T> {
  value: T
  raw: string
}

/** An output stream of a container (logs, attach). */
export interface ContainerOutput {
  stream: Readable
  /**
   * From the response Content-Type: true for Docker's 8-byte framed stream, false for raw (TTY)
   * output, undefined when the daemon did not say (callers then decide from Config.Tty).
   */
  multiplexed: boolean | undefined
}

/** A hijacked attach connection: write stdin to `stream`, read output from it. */
export interface HijackedConnection extends ContainerOutput {
  stream: Duplex
  /** Half-closes the connection: the container sees EOF on stdin, output keeps flowing. */
  closeWrite(): void
  close(): void
}

/** A wait request the daemon has accepted (response headers received). */
export interface WaitHandle {
  result: Promise<ContainerWaitResponse>
  cancel(): void
}

export interface ContainerListOptions {
  all?: boolean
  limit?: number
  size?: boolean
  filters?: Filters
}

export interface ContainerLogsOptions {
  follow?: boolean
  stdout?: boolean
  stderr?: boolean
  timestamps?: boolean
  /** Adds the log driver's extra attributes (docker logs --details). */
  details?: boolean
  /** "all" or a number of lines. */
  tail?: string
  /** Unix seconds ("1700000000.000000000") as Docker's client sends them. */
  since?: string
  until?: string
  signal?: AbortSignal
}

export interface ContainerAttachOptions {
  stream?: boolean
  logs?: boolean
  stdin?: boolean
  stdout?: boolean
  stderr?: boolean
  detachKeys?: string
}

export interface ImageBuildOptions {
  dockerfile?: string
  tags?: string[]
  buildArgs?: Record<string, string | null>
  target?: string
  noCache?: boolean
  labels?: Record<string, string>
  quiet?: boolean
  pull?: boolean
  cacheFrom?: string[]
  platform?: string
  /** berth's context transfer: the key the archive's fingerprinted and cached entries belong to. */
  contextKey?: string
  signal?: AbortSignal
}

export interface ImageImportOptions {
  /** Repository (may include a tag), as `docker import file repo:tag` sends it. */
  repo?: string
  tag?: string
  message?: string
  /** Dockerfile instructions (`CMD ["sh"]`, `ENV A=1`...). */
  changes?: string[]
  platform?: string
}

/**
 * What berth's command-line tools need from a Docker-API daemon. Errors are EngineError kinds
 * mapped back from HTTP statuses (404 NotFound, 409 Conflict, 304 NotModified...), plus
 * `Unavailable` (code DAEMON_UNREACHABLE) when the daemon cannot be reached.
 */
export interface EngineClient {
  /** The daemon address, e.g. unix:///run/berth/berth.sock. */
  readonly host: string
  ping(): Promise<PingResult>
  /** The API version requests use (after negotiation). */
  apiVersion(): Promise<string>
  version(): Promise<SystemVersion>
  info(): Promise<SystemInfo>

  containerCreate(
    body: ContainerCreateRequest,
    options?: { name?: string; platform?: string },
  ): Promise<ContainerCreateResponse>
  /** Throws NotModified when already running (Docker's CLI treats that as success). */
  containerStart(nameOrId: string): Promise<void>
  /** Throws NotModified when already stopped. */
  containerStop(nameOrId: string, options?: { timeoutSeconds?: number; signal?: string }): Promise<void>
  containerKill(nameOrId: string, signal?: string): Promise<void>
  containerRemove(nameOrId: string, options?: { force?: boolean; volumes?: boolean }): Promise<void>
  containerList(options?: ContainerListOptions): Promise<ContainerSummary[]>
  containerInspect(nameOrId: string, options?: { size?: boolean }): Promise<InspectResult<ContainerInspect>>
  containerLogs(nameOrId: string, options: ContainerLogsOptions): Promise<ContainerOutput>
  /** Resolves once the daemon accepted the wait, so a following start cannot race the exit. */
  containerWait(nameOrId: string, condition?: 'not-running' | 'next-exit' | 'removed'): Promise<WaitHandle>
  containerAttach(nameOrId: string, options: ContainerAttachOptions): Promise<HijackedConnection>
  containerResize(nameOrId: string, size: { height: number; width: number }): Promise<void>
  containerRename(nameOrId: string, newName: string): Promise<void>
  containerRestart(nameOrId: string, options?: { timeoutSeconds?: number; signal?: string }): Promise<void>
  containerPause(nameOrId: string): Promise<void>
  containerUnpause(nameOrId: string): Promise<void>
  /** POST /containers/{id}/update with the resource fields of HostConfig; returns the daemon's warnings. */
  containerUpdate(nameOrId: string, body: Record<string, unknown>): Promise<{ Warnings: string[] | null }>
  containerPrune(filters?: Filters): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }>
  /** GET /system/df. */
  systemDiskUsage(): Promise<Record<string, any>> // eslint-disable-line @typescript-eslint/no-explicit-any
  /** GET /containers/{id}/stats: one JSON object per sample (one only when stream is false). */
  containerStats(nameOrId: string, options: { stream: boolean; oneShot?: boolean; signal?: AbortSignal }): Promise<AsyncIterable<Record<string, unknown>>>
  containerTop(nameOrId: string, psArgs?: string): Promise<ContainerTopResponse>

  execCreate(containerNameOrId: string, body: ExecCreateRequest): Promise<{ Id: string }>
  /** Detached: resolves once the process runs. Attached: the hijacked stream of the process. */
  execStart(execId: string, options: { detach: true; tty?: boolean; consoleSize?: [number, number] }): Promise<void>
  execStart(execId: string, options: { detach: false; tty?: boolean; consoleSize?: [number, number] }): Promise<HijackedConnection>
  execInspect(execId: string): Promise<ExecInspect>
  execResize(execId: string, size: { height: number; width: number }): Promise<void>

  imageList(options?: { all?: boolean; digests?: boolean; filters?: Filters }): Promise<ImageSummary[]>
  imageInspect(nameOrId: string): Promise<InspectResult<ImageInspect>>
  imageTag(nameOrId: string, target: { repo: string; tag?: string }): Promise<void>
  imageRemove(nameOrId: string, options?: { force?: boolean; noPrune?: boolean }): Promise<ImageDeleteItem[]>
  imageHistory(nameOrId: string): Promise<ImageHistoryItem[]>
  /** Streams a tarball (or names a URL) to POST /images/create?fromSrc=...; yields its messages. */
  imageImport(source: Readable | { url: string }, options?: ImageImportOptions): Promise<AsyncIterable<JsonMessage>>
  /** registryAuth: the X-Registry-Auth header value (base64url JSON credentials). */
  imagePull(ref: string, options?: { platform?: string; registryAuth?: string }): Promise<AsyncIterable<JsonMessage>>
  imagePush(name: string, options?: { tag?: string; registryAuth?: string }): Promise<AsyncIterable<JsonMessage>>
  /** POST /auth: the daemon checks the credentials against the registry. */
  registryLogin(auth: { username?: string; password?: string; serveraddress?: string }): Promise<{ Status: string; IdentityToken?: string }>
  /** GET /images/get?names=...: the archive as a stream. */
  /** HEAD /containers/{id}/archive: the path's stat (docker cp). */
  containerArchiveStat(nameOrId: string, path: string): Promise<import('./http-engine-client.js').ContainerPathStat>
  /** GET /containers/{id}/archive: a tar of the path and its stat. */
  containerArchive(nameOrId: string, path: string): Promise<{ stat: import('./http-engine-client.js').ContainerPathStat; content: Readable }>
  /** PUT /containers/{id}/archive: extracts a tar into a directory of the container. */
  containerExtract(nameOrId: string, path: string, content: Readable, options?: { copyUidGid?: boolean; noOverwriteDirNonDir?: boolean }): Promise<void>
  /** POST /commit: a new image from the container's changes. */
  containerCommit(nameOrId: string, options?: { reference?: string; comment?: string; author?: string; pause?: boolean; changes?: string[] }): Promise<{ Id: string }>
  containerChanges(nameOrId: string): Promise<Array<{ Path: string; Kind: number }>>
  containerExport(nameOrId: string): Promise<Readable>
  imageSave(names: string[]): Promise<Readable>
  imageLoad(source: Readable, options?: { quiet?: boolean }): Promise<AsyncIterable<JsonMessage>>
  imagePrune(filters?: Filters): Promise<{ ImagesDeleted: ImageDeleteItem[] | null; SpaceReclaimed: number }>
  imageSearch(term: string, options?: { limit?: number; registryAuth?: string }): Promise<Array<{ name: string; description: string; star_count: number; is_official: boolean; is_automated: boolean }>>
  /** POST /build with a context archive: Docker's JSON progress messages. */
  imageBuild(context: Readable, options?: ImageBuildOptions): Promise<AsyncIterable<JsonMessage>>
  /**
   * berth-specific: POST /berth/build/context. Of `files` (name -> stat fingerprint), the names a
   * build with `contextKey` must send with their data. A daemon without it (dockerd) answers 404.
   */
  buildContextMissing(contextKey: string, files: Record<string, string>): Promise<string[]>
  /** berth-specific: POST /berth/images/bootstrap?name=... builds a base image from host binaries. */
  imageBootstrap(name: string): Promise<AsyncIterable<JsonMessage>>

  volumeCreate(body: VolumeCreateRequest): Promise<Volume>
  volumeList(options?: { filters?: Filters }): Promise<{ Volumes: Volume[]; Warnings: string[] | null }>
  volumeInspect(name: string): Promise<InspectResult<Volume>>
  volumeRemove(name: string, options?: { force?: boolean }): Promise<void>
  volumePrune(options?: { filters?: Filters }): Promise<VolumePruneResponse>

  events(options?: { since?: string; until?: string; filters?: Filters; signal?: AbortSignal }): Promise<AsyncIterable<EventMessage>>

  networkList(options?: { filters?: Filters }): Promise<NetworkWire[]>
  networkInspect(nameOrId: string): Promise<InspectResult<NetworkWire>>
  networkCreate(body: NetworkCreateRequestWire): Promise<NetworkCreateResponseWire>
  networkRemove(nameOrId: string): Promise<void>
  networkConnect(nameOrId: string, body: NetworkConnectRequestWire): Promise<void>
  networkDisconnect(nameOrId: string, body: NetworkDisconnectRequestWire): Promise<void>
  networkPrune(options?: { filters?: Filters }): Promise<NetworkPruneResponseWire>
  /** Releases pooled connections. */
  close(): void
}

import type { CgroupStats, Digest } from '../../common/index.js'
import type { ImageRuntimeConfig } from '../images/index.js'

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead'

export interface RestartPolicy {
  name: '' | 'no' | 'always' | 'on-failure' | 'unless-stopped'
  maximumRetryCount: number
}

export interface LogConfig {
  type: string
  config: Record<string, string>
}

/** What a client asks for at create time (Docker's Config + HostConfig, the fields berth honours). */
export interface ContainerSpec {
  /** As the client gave it ("busybox"); the record also keeps the resolved image id. */
  image: string
  hostname?: string
  domainname?: string
  user?: string
  env?: string[]
  /** null/undefined = take the image's; [] for Entrypoint means "reset to none". */
  cmd?: string[] | null
  entrypoint?: string[] | null
  workingDir?: string
  labels?: Record<string, string>
  tty?: boolean
  openStdin?: boolean
  stdinOnce?: boolean
  attachStdin?: boolean
  attachStdout?: boolean
  attachStderr?: boolean
  stopSignal?: string
  /** Seconds. */
  stopTimeout?: number
  /** Docker's Config.Healthcheck (durations in ns); test ["NONE"] disables the image's. */
  healthcheck?: HealthcheckConfig
  exposedPorts?: Record<string, object>
  volumes?: Record<string, object>
  /** NetworkingConfig.EndpointsConfig by network name or id (read by the network service). */
  endpointsConfig?: Record<string, EndpointSpec>
  host: HostSpec
}

/** Per-network settings a client asks for (--network-alias, --ip, --link, --mac-address). */
export interface EndpointSpec {
  aliases?: string[]
  links?: string[]
  ipv4Address?: string
  ipv6Address?: string
  macAddress?: string
}

export interface HostSpec {
  autoRemove?: boolean
  readonlyRootfs?: boolean
  init?: boolean
  /** 'none' | 'host' | 'bridge' | 'default' | other (networking issue). */
  networkMode?: string
  restartPolicy?: RestartPolicy
  logConfig?: LogConfig
  privileged?: boolean
  capAdd?: string[]
  capDrop?: string[]
  binds?: string[]
  extraHosts?: string[]
  dns?: string[]
  dnsSearch?: string[]
  dnsOptions?: string[]
  /** Everything else the client sent in HostConfig, kept so inspect echoes it back. */
  raw?: Record<string, unknown>
}

export interface ContainerState {
  status: ContainerStatus
  running: boolean
  paused: boolean
  restarting: boolean
  oomKilled: boolean
  dead: boolean
  pid: number
  exitCode: number
  error: string
  startedAt: string // RFC3339Nano, "0001-01-01T00:00:00Z" when never
  finishedAt: string
  /** Present while a container with a health check runs (and after, with its last value). */
  health?: HealthState
}

export interface HealthcheckConfig {
  test?: string[]
  interval?: number
  timeout?: number
  startPeriod?: number
  startInterval?: number
  retries?: number
}

export interface HealthState {
  status: 'starting' | 'healthy' | 'unhealthy'
  failingStreak: number
  /** The last probes, oldest first (RFC3339 times). */
  log: Array<{ start: string; end: string; exitCode: number; output: string }>
}

/** The persisted container record (containers/<id>/container.json). */
export interface ContainerRecord {
  id: string
  /** Without the leading "/" (API adds it). */
  name: string
  created: string
  /** Resolved image id (config digest). */
  imageId: Digest
  spec: ContainerSpec
  /** The image's defaults at create time, merged with spec to produce the process. */
  imageConfig: ImageRuntimeConfig
  /** Effective process: entrypoint + cmd after Docker's override rules. */
  path: string
  args: string[]
  state: ContainerState
  restartCount: number
  /**
   * Stopped or killed through the API (Docker's HasBeenManuallyStopped): the restart policy does not
   * restart it until the next start. Absent = false.
   */
  manuallyStopped?: boolean
  /** Paths the engine manages for this container. */
  rootfsPath: string
  bundleDir: string
  logPath: string
  hostnamePath: string
  hostsPath: string
  resolvConfPath: string
  /** crun | runc. */
  runtime: string
  /** Volumes, binds and tmpfs mounts the volume service decided at create (inspect's Mounts). */
  mountPoints?: MountPointRecord[]
}

/** One mount of a container as Docker's inspect reports it (plus what berth needs to mount it again). */
export interface MountPointRecord {
  type: 'volume' | 'bind' | 'tmpfs'
  /** Volume name ('' for binds and tmpfs). */
  name: string
  /** Host path: the volume's mountpoint or the bind source ('' for tmpfs). */
  source: string
  /** Absolute path in the container, cleaned. */
  destination: string
  /** Volume driver ('local'); '' for binds and tmpfs. */
  driver: string
  /** The mode string as given ("ro", "z", "rw,shared"...), as Docker shows it. */
  mode: string
  rw: boolean
  /** Bind propagation ("rprivate" by default for binds, '' otherwise). */
  propagation: string
  /** Fill an empty volume with the image's files at the destination on first start. */
  copyData?: boolean
  /** Created for this container (anonymous): removed with the container when asked. */
  anonymous?: boolean
  /** tmpfs mount options (size=..., mode=...). */
  tmpfsOptions?: string[]
  /** A `-v /host:/path` bind: a missing host directory is created at start (not for --mount). */
  createHostPath?: boolean
  /** --mount bind-nonrecursive: submounts of the source are not bound. */
  nonRecursive?: boolean
}

export interface ContainerListOptions {
  all?: boolean
  limit?: number
  size?: boolean
  /** Docker filters: status, name, id, label, ancestor, exited, before, since. */
  filters?: Record<string, string[]>
  /**
   * The caller only reads the records and does not keep them: the live records are returned
   * instead of copies (copying 1000 records was most of a `ps -a`). Never mutate them.
   */
  readOnly?: boolean
}

export interface LogsOptions {
  stdout: boolean
  stderr: boolean
  follow: boolean
  /** Unix seconds (fractional allowed). */
  since?: number
  until?: number
  timestamps: boolean
  /** Number of lines from the end, or 'all'. */
  tail?: number | 'all'
  signal?: AbortSignal
}

export interface LogEntry {
  stream: 'stdout' | 'stderr'
  /** RFC3339Nano. */
  time: string
  /** The text including its trailing "\n" when the line was complete. */
  line: Buffer
}

export type WaitCondition = 'not-running' | 'next-exit' | 'removed'

export interface ContainerService {
  create(spec: ContainerSpec, name?: string): Promise<{ id: string; warnings: string[] }>
  /** By full id, unique id prefix, or name (with or without "/"). NotFound: "No such container: x". */
  resolve(nameOrId: string): Promise<ContainerRecord>
  list(opts?: ContainerListOptions): Promise<ContainerRecord[]>
  /**
   * Grows whenever the container's record is saved, renamed or removed (list caches compare it with
   * the value they were built at; the state object itself is replaced at every state change).
   */
  revision?(containerId: string): number
  /** NotModified when already running. */
  start(nameOrId: string): Promise<void>
  /** NotModified when not running. timeout in seconds (default: spec.stopTimeout ?? 10). */
  stop(nameOrId: string, opts?: { timeout?: number; signal?: string }): Promise<void>
  restart(nameOrId: string, opts?: { timeout?: number; signal?: string }): Promise<void>
  /** Conflict when not running: "Container x is not running". */
  kill(nameOrId: string, signal?: string): Promise<void>
  /** Resolves with the exit code once the condition holds. */
  wait(nameOrId: string, condition?: WaitCondition, signal?: AbortSignal): Promise<{ statusCode: number; error?: string }>
  /** Conflict when running and !force ("You cannot remove a running container ..."). */
  remove(nameOrId: string, opts?: { force?: boolean; removeVolumes?: boolean }): Promise<void>
  rename(nameOrId: string, newName: string): Promise<void>
  /** The log in batches (never empty), so large logs cost one await per read, not per line. */
  logs(nameOrId: string, opts: LogsOptions): AsyncIterable<LogEntry[]>
  /**
   * Attach to stdio. Before start the attachment is held and connected when the container starts;
   * output then flows until the container exits.
   */
  attach(
    nameOrId: string,
    opts: { stdin: boolean; stdout: boolean; stderr: boolean; logs?: boolean; stream?: boolean; detachKeys?: string },
  ): Promise<ContainerAttachment>
  resize(nameOrId: string, rows: number, cols: number): Promise<void>
  /** True while some container (any state) uses the image: images.remove asks this. */
  isImageUsed(imageId: string): boolean
  /** A container using the image (a running one first), for image removal's conflict messages. */
  containerUsingImage(imageId: string): { containerId: string; running: boolean } | undefined
  /** Reconnects to containers that kept running while berthd was down. Called once at daemon start. */
  restore(): Promise<void>
  /** Freezes a running container. Conflict when not running or already paused. */
  pause(nameOrId: string): Promise<void>
  /** Conflict when not paused. */
  unpause(nameOrId: string): Promise<void>
  /**
   * Changes resource limits (Docker HostConfig resource fields, PascalCase as on the wire) and the
   * restart policy (RestartPolicy); live for a running container. InvalidArgument for bad values.
   */
  update(nameOrId: string, update: Record<string, unknown>): Promise<{ warnings: string[] }>
  /** One resource usage sample read from the container's cgroup. */
  stats(nameOrId: string): Promise<ContainerStatsSample>
  /** lstat of a path in the container (cp). NotFound: "Could not find the file X in container". */
  archiveStat?(nameOrId: string, path: string): Promise<import('./container-fs.js').PathStat>
  /** Tar of a path in the container, written to the stream `open` returns once the path is found. */
  archive?(nameOrId: string, path: string, open: (stat: import('./container-fs.js').PathStat) => import('node:stream').Writable): Promise<void>
  /** Extracts a tar into a directory of the container. */
  extractArchive?(nameOrId: string, path: string, input: import('node:stream').Readable, opts?: import('./container-fs.js').ExtractOptions): Promise<void>
  /** The upper dir's changes against the image (docker diff). */
  changes?(nameOrId: string): Promise<import('./container-fs.js').FileChange[]>
  /** Tar of the whole rootfs (docker export). */
  exportRootfs?(nameOrId: string, out: import('node:stream').Writable): Promise<void>
  /** Bytes in the writable layer, and with the image's layers (Docker's SizeRw / SizeRootFs). */
  sizes(nameOrId: string): Promise<{ sizeRw: number; sizeRootFs: number }>
  /** Removes stopped containers (filters: until, label, label!); emits a container 'prune' event. */
  prune(filters?: Record<string, string[]>): Promise<{ deleted: string[]; spaceReclaimed: number }>
}

export interface ContainerStatsSample {
  id: string
  name: string
  read: Date
  /** undefined when the container is not running. */
  usage?: CgroupStats
}

export interface ContainerAttachment {
  onData(listener: (stream: 1 | 2, data: Buffer) => void): void
  /** Called once when the output ends (container exited or detached). */
  onEnd(listener: () => void): void
  write(data: Buffer): void
  /** The client's stdin ended: the container's stdin sees EOF (for StdinOnce). Later writes are dropped. */
  endStdin?(): void
  close(): void
}

/**
 * The normalized ("canonical") form of a Compose project: what the loader produces after reading
 * every file, interpolating variables, applying `extends`/`include`/profiles, merging `-f` files
 * and converting every short syntax into its long form. This is also what `compose config`
 * prints (as YAML, with durations and sizes rendered the way Docker Compose renders them), and
 * the only input of the reconciler: nothing downstream reads YAML or short syntax.
 *
 * Conventions: durations are nanoseconds (numbers), sizes are bytes (numbers), paths are absolute
 * (relative ones were resolved against the directory of the file that declared them), and optional
 * keys are absent rather than null when the user did not set them.
 */

/** A loaded, normalized project. */
export interface ComposeProject {
  /** Project name: `-p`, COMPOSE_PROJECT_NAME, top-level `name:`, or the working directory's base name (normalized). */
  name: string
  /** Directory the project's relative paths were resolved against (the first file's directory or --project-directory). */
  workingDir: string
  /** Absolute paths of the files that were loaded, in order (includes `include`d files after their includer). */
  configFiles: string[]
  /** Services that are enabled under the active profiles, by name. */
  services: Record<string, ServiceConfig>
  /** Services disabled by profiles (kept so `run`/dependency errors can name them). */
  disabledServices: Record<string, ServiceConfig>
  /** Networks, including the implicit `default` network when any service uses it. */
  networks: Record<string, NetworkConfig>
  volumes: Record<string, VolumeConfig>
  secrets: Record<string, SecretOrConfigDefinition>
  configs: Record<string, SecretOrConfigDefinition>
  /** Environment used for interpolation (process env overlaid with .env / --env-file), for commands that need it. */
  environment: Record<string, string>
  /** Absolute paths of the .env / --env-file files that were read (for the environment_file label). */
  envFiles?: string[]
  /** Profiles that were active. */
  profiles?: string[]
  /** Top-level `x-*` extension keys, as written. */
  extensions?: Record<string, unknown>
}

export type DependencyCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully'

export interface ServiceDependency {
  condition: DependencyCondition
  /** When false, a missing/disabled dependency is only a warning. */
  required: boolean
  /** Restart this service when the dependency is updated. */
  restart: boolean
}

export interface ServiceBuild {
  /** Absolute context directory. */
  context: string
  /** Dockerfile path relative to the context (default "Dockerfile"). */
  dockerfile: string
  /** Inline Dockerfile text (`dockerfile_inline`), when given instead of a file. */
  dockerfileInline?: string
  args: Record<string, string | null>
  target?: string
  labels: Record<string, string>
  cacheFrom: string[]
  noCache?: boolean
  pull?: boolean
  /** Extra tags besides the service image name. */
  tags: string[]
  network?: string
  extraHosts: string[]
  shmSize?: number
}

/** One published/exposed port in long syntax. A range in short syntax becomes several entries. */
export interface ServicePort {
  target: number
  /** Host port or range ("8080", "8000-8010"); absent = ephemeral port. */
  published?: string
  hostIp?: string
  protocol: 'tcp' | 'udp' | 'sctp'
  /** Always "ingress" outside swarm; kept for `config` output. */
  mode: 'ingress' | 'host'
  name?: string
  appProtocol?: string
}

export interface ServiceVolume {
  type: 'volume' | 'bind' | 'tmpfs' | 'npipe' | 'image' | 'cluster'
  /**
   * For `volume`: the project-level volume key (e.g. "db-data"), or absent for an anonymous volume;
   * for `bind`: an absolute host path; for `image`: an image reference.
   */
  source?: string
  /** Absolute path inside the container. */
  target: string
  readOnly: boolean
  consistency?: string
  bind?: { propagation?: string; createHostPath: boolean; selinux?: 'z' | 'Z' }
  volume?: { nocopy: boolean; subpath?: string }
  tmpfs?: { size?: number; mode?: number }
}

export interface ServiceNetworkAttachment {
  aliases: string[]
  ipv4Address?: string
  ipv6Address?: string
  linkLocalIps: string[]
  macAddress?: string
  priority: number
  driverOpts: Record<string, string>
}

export interface HealthcheckConfig {
  /** ["NONE"], ["CMD", ...] or ["CMD-SHELL", "..."]; absent = image default. */
  test?: string[]
  interval?: number
  timeout?: number
  retries?: number
  startPeriod?: number
  startInterval?: number
  disable: boolean
}

export interface ResourceSpec {
  /** Number of CPUs (e.g. 0.5). */
  cpus?: number
  memory?: number
  pids?: number
}

export interface DeployConfig {
  mode?: 'replicated' | 'global'
  replicas?: number
  labels: Record<string, string>
  resources: { limits: ResourceSpec; reservations: ResourceSpec }
  restartPolicy?: { condition: 'none' | 'on-failure' | 'any'; delay?: number; maxAttempts?: number; window?: number }
  /** deploy.placement.constraints (used by multi-host orchestration; ignored by local `up`). */
  placementConstraints: string[]
}

export interface UlimitConfig {
  soft: number
  hard: number
}

export interface LoggingConfig {
  driver?: string
  options: Record<string, string>
}

/** A secret or config as mounted into a service. */
export interface ServiceFileReference {
  /** Project-level secret/config key. */
  source: string
  /** Path inside the container (default /run/secrets/<source> for secrets, /<source> for configs). */
  target: string
  uid?: string
  gid?: string
  mode?: number
}

export interface ServiceConfig {
  name: string
  /** Profiles the service belongs to (empty = always enabled). */
  profiles: string[]
  /** Image reference. When absent and `build` is set, the image is named `<project>-<service>`. */
  image?: string
  build?: ServiceBuild
  pullPolicy?: 'always' | 'never' | 'missing' | 'build' | 'if_not_present'
  /** Absent = image default; [] = explicitly empty. Shell-form strings are split like Compose does (shell words). */
  command?: string[]
  entrypoint?: string[]
  /** null value = variable passed through from the environment at run time unset (key only). */
  environment: Record<string, string | null>
  labels: Record<string, string>
  annotations: Record<string, string>
  containerName?: string
  hostname?: string
  domainname?: string
  user?: string
  workingDir?: string
  ports: ServicePort[]
  /** `expose` entries normalized to "port[/proto]" strings. */
  expose: string[]
  volumes: ServiceVolume[]
  volumesFrom: string[]
  tmpfs: string[]
  /** Networks by project-level key; absent networks + absent network_mode = { default: {...} }. */
  networks: Record<string, ServiceNetworkAttachment>
  networkMode?: string
  links: string[]
  externalLinks: string[]
  dependsOn: Record<string, ServiceDependency>
  healthcheck?: HealthcheckConfig
  /** Docker restart policy string ("no", "always", "on-failure[:N]", "unless-stopped"). */
  restart?: string
  /** Number of containers: `scale`, or deploy.replicas, default 1 (`--scale` overrides at run time). */
  scale: number
  deploy?: DeployConfig
  readOnly: boolean
  init?: boolean
  privileged: boolean
  tty: boolean
  stdinOpen: boolean
  capAdd: string[]
  capDrop: string[]
  securityOpt: string[]
  devices: string[]
  dns: string[]
  dnsSearch: string[]
  dnsOpt: string[]
  extraHosts: string[]
  ulimits: Record<string, UlimitConfig>
  sysctls: Record<string, string>
  memLimit?: number
  memReservation?: number
  memswapLimit?: number
  cpus?: number
  cpuShares?: number
  cpuset?: string
  pidsLimit?: number
  shmSize?: number
  oomKillDisable?: boolean
  groupAdd: string[]
  ipc?: string
  pid?: string
  uts?: string
  usernsMode?: string
  cgroupParent?: string
  runtime?: string
  platform?: string
  stopSignal?: string
  stopGracePeriod?: number
  logging?: LoggingConfig
  secrets: ServiceFileReference[]
  configs: ServiceFileReference[]
  /** Keys the loader accepted but berth does not act on (reported by `config` as-is, warned once by `up`). */
  unsupported: Record<string, unknown>
  /** Service-level `mac_address`. */
  macAddress?: string
  /** `x-*` extension keys, as written. */
  extensions?: Record<string, unknown>
}

export interface IpamConfig {
  driver?: string
  config: Array<{ subnet?: string; ipRange?: string; gateway?: string; auxAddresses: Record<string, string> }>
  options: Record<string, string>
}

export interface NetworkConfig {
  /** Name on the engine: `<project>_<key>` unless `name:` or external. */
  name: string
  driver?: string
  driverOpts: Record<string, string>
  ipam?: IpamConfig
  external: boolean
  internal: boolean
  attachable: boolean
  enableIpv6?: boolean
  labels: Record<string, string>
}

export interface VolumeConfig {
  /** Name on the engine: `<project>_<key>` unless `name:` or external. */
  name: string
  driver?: string
  driverOpts: Record<string, string>
  external: boolean
  labels: Record<string, string>
}

export interface SecretOrConfigDefinition {
  name: string
  /** Absolute path of the source file. */
  file?: string
  /** `environment:` source: the variable's name. */
  environment?: string
  /** Inline `content:` (configs). */
  content?: string
  external: boolean
}

/** Where a loader error points: the file and the dotted key path ("services.web.ports[0]"). */
export interface ComposeErrorLocation {
  file?: string
  path?: string
}

/** Options the loader takes (CLI flags and environment). */
export interface LoadOptions {
  /** `-f` files in order; empty = the default file search in workingDir (compose.yaml, compose.yml, docker-compose.yml, docker-compose.yaml, plus the matching override file). */
  files: string[]
  /** `--project-directory`, default: the first file's directory (or cwd). */
  projectDirectory?: string
  /** `-p`. */
  projectName?: string
  /** `--env-file` files (default: `<projectDirectory>/.env` when present). */
  envFiles: string[]
  /** `--profile` (plus COMPOSE_PROFILES). */
  profiles: string[]
  /** Process environment (injected; never read from process.env inside the loader). */
  env: Record<string, string | undefined>
  /** Current directory (injected). */
  cwd: string
  /** Reads standard input, for a `-f -` file (its relative paths resolve against cwd, as in Compose). */
  readStdin?: () => Promise<string>
  /** `config --no-interpolate`: keep `${VAR}` text as written. */
  noInterpolate?: boolean
  /** Receives Compose's warnings (obsolete `version`, unset variables...), worded like Compose's WARN lines. */
  onWarning?: (message: string) => void
}

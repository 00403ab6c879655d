/**
 * Pure OCI runtime config (config.json) generation for a container, shaped like the spec dockerd
 * hands to containerd/runc (moby oci/defaults.go and daemon/oci_linux.go): namespaces, default
 * capabilities, standard mounts, masked and read-only paths, the /etc files, --init, rlimits.
 */
import type { LinuxDeviceCgroup, LinuxNamespace, LinuxResources, Mount, POSIXRlimit, Spec } from '../../common/oci-spec.js'
import { tweakCapabilities } from './capabilities.js'
import { processEnv, resolveWorkingDir, type ResolvedUser } from './process-spec.js'
import { applySecurity, type SecurityContext } from './security-spec.js'
import type { ContainerRecord } from './types.js'
import { applyUserns, usesRemappedUserns } from './userns-spec.js'
import type { IdMappings } from '../../common/index.js'

export const OCI_VERSION = '1.0.2'
export const DEFAULT_INIT_PATH = '/usr/bin/tini-static'
export const INIT_DESTINATION = '/sbin/docker-init'
/** The nofile limit dockerd's containers usually get; lowered to the host's hard limit when above it. */
export const DEFAULT_NOFILE = 1048576
const DEFAULT_SHM_SIZE = 64 * 1024 * 1024

export const MASKED_PATHS: readonly string[] = [
  '/proc/asound', '/proc/acpi', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats',
  '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware',
  '/sys/devices/virtual/powercap',
]
export const READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']

/** Device cgroup rules: deny all, then the devices every container needs (as runc's AllowedDevices). */
const DEVICE_RULES: readonly LinuxDeviceCgroup[] = [
  { allow: false, access: 'rwm' },
  { allow: true, type: 'c', access: 'm' },
  { allow: true, type: 'b', access: 'm' },
  ...([[1, 3], [1, 5], [1, 7], [1, 8], [1, 9], [5, 0], [5, 1], [5, 2], [10, 200]] as const).map(
    ([major, minor]): LinuxDeviceCgroup => ({ allow: true, type: 'c', major, minor, access: 'rwm' }),
  ),
  { allow: true, type: 'c', major: 136, access: 'rwm' },
]

export interface OciSpecOptions {
  /** The host's RLIMIT_NOFILE hard limit; without it no rlimit is set (the runtime's are inherited). */
  hostNofileLimit?: number
  /** Host binary bind-mounted at /sbin/docker-init for HostConfig.Init (default /usr/bin/tini-static). */
  initPath?: string
  /** Capabilities the host can grant (its bounding set); others are never requested. */
  availableCapabilities?: readonly string[]
  /** User mounts (volumes, binds, tmpfs) decided by the volume hook; they replace standard mounts at the same destination. */
  extraMounts?: readonly Mount[]
  /** Join this network namespace instead of creating one (network drivers). */
  networkNamespacePath?: string
  /** Environment set before the spec's own entries (hooks: legacy link variables). */
  extraEnv?: readonly string[]
  /** Host facts for seccomp, devices, container:X namespaces and --group-add (default arch: this host's). */
  security?: Omit<SecurityContext, 'capabilities' | 'arch'> & { arch?: string }
  /** The daemon's --userns-remap mappings: the container gets a user namespace unless its UsernsMode is "host". */
  userns?: IdMappings
}

function num(raw: Record<string, unknown> | undefined, key: string): number | undefined {
  const v = raw?.[key]
  return typeof v === 'number' && Number.isFinite(v) && v !== 0 ? v : undefined
}

/** Resource limits from the Docker HostConfig fields berth honours (kept in HostSpec.raw). */
export function resourcesFromHostConfig(raw: Record<string, unknown> | undefined, privileged: boolean): LinuxResources {
  const resources: LinuxResources = {
    devices: privileged ? [{ allow: true, access: 'rwm' }] : DEVICE_RULES.map((r) => ({ ...r })),
  }
  const memory = num(raw, 'Memory')
  const reservation = num(raw, 'MemoryReservation')
  const swap = num(raw, 'MemorySwap')
  if (memory !== undefined || reservation !== undefined || raw?.['OomKillDisable'] === true) {
    resources.memory = {}
    if (memory !== undefined) resources.memory.limit = memory
    if (reservation !== undefined) resources.memory.reservation = reservation
    if (swap !== undefined && memory !== undefined) resources.memory.swap = swap < 0 ? -1 : swap
    if (raw?.['OomKillDisable'] === true) resources.memory.disableOOMKiller = true
  }
  const swappiness = raw?.['MemorySwappiness']
  if (typeof swappiness === 'number' && swappiness >= 0 && swappiness <= 100) (resources.memory ??= {}).swappiness = swappiness
  const weight = num(raw, 'BlkioWeight')
  if (weight !== undefined) resources.blockIO = { weight }
  const nanoCpus = num(raw, 'NanoCpus')
  const cpu: NonNullable<LinuxResources['cpu']> = {}
  if (nanoCpus !== undefined) {
    cpu.period = 100000
    cpu.quota = Math.round((nanoCpus * 100000) / 1e9)
  }
  const shares = num(raw, 'CpuShares')
  if (shares !== undefined) cpu.shares = shares
  const period = num(raw, 'CpuPeriod')
  if (period !== undefined) cpu.period = period
  const quota = num(raw, 'CpuQuota')
  if (quota !== undefined) cpu.quota = quota
  if (typeof raw?.['CpusetCpus'] === 'string' && raw['CpusetCpus'] !== '') cpu.cpus = raw['CpusetCpus']
  if (typeof raw?.['CpusetMems'] === 'string' && raw['CpusetMems'] !== '') cpu.mems = raw['CpusetMems']
  if (Object.keys(cpu).length > 0) resources.cpu = cpu
  const pids = num(raw, 'PidsLimit')
  if (pids !== undefined) resources.pids = { limit: pids < 0 ? -1 : pids }
  return resources
}

/** The limits `<runtime> update` can change on a running container (no device rules). */
export function updatableResources(raw: Record<string, unknown> | undefined): LinuxResources {
  const { devices: _devices, ...rest } = resourcesFromHostConfig(raw, false)
  return rest
}

/** --ulimit other than nofile (which nofileRlimit handles): RLIMIT_<NAME> as given. */
export function ulimitRlimits(raw: Record<string, unknown> | undefined): POSIXRlimit[] {
  const ulimits = Array.isArray(raw?.['Ulimits']) ? (raw['Ulimits'] as Array<Record<string, unknown>>) : []
  const out: POSIXRlimit[] = []
  for (const u of ulimits) {
    const name = u['Name']
    if (typeof name !== 'string' || name === 'nofile' || typeof u['Soft'] !== 'number' || typeof u['Hard'] !== 'number') continue
    out.push({ type: `RLIMIT_${name.toUpperCase()}`, soft: u['Soft'], hard: u['Hard'] })
  }
  return out
}

/** RLIMIT_NOFILE: the requested (Ulimits "nofile") or default value, never above the host's hard limit. */
export function nofileRlimit(raw: Record<string, unknown> | undefined, hostHard: number | undefined): POSIXRlimit[] {
  if (hostHard === undefined) return []
  let soft = DEFAULT_NOFILE
  let hard = DEFAULT_NOFILE
  const ulimits = Array.isArray(raw?.['Ulimits']) ? (raw['Ulimits'] as Array<Record<string, unknown>>) : []
  const nofile = ulimits.find((u) => u['Name'] === 'nofile')
  if (nofile && typeof nofile['Soft'] === 'number' && typeof nofile['Hard'] === 'number') {
    soft = nofile['Soft']
    hard = nofile['Hard']
  }
  hard = Math.min(hard, hostHard)
  soft = Math.min(soft, hard)
  return [{ type: 'RLIMIT_NOFILE', hard, soft }]
}

function standardMounts(opts: { hostNetwork: boolean; privileged: boolean; shmSize: number }): Mount[] {
  const ro = opts.privileged ? [] : ['ro']
  const sys: Mount = opts.hostNetwork && !opts.privileged
    // sysfs cannot be mounted without owning a network namespace: bind the host's read-only instead.
    ? { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] }
    : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...ro] }
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    sys,
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: [...ro, 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', `size=${Math.floor(opts.shmSize / 1024)}k`] },
  ]
}

function depth(path: string): number {
  return path.split('/').filter((p) => p !== '').length
}

/**
 * The OCI config for `record` run as `user`. root.path is "rootfs", relative to the bundle
 * (record.bundleDir). Throws InvalidArgument for an invalid working dir or capability.
 */
export function ociSpec(record: ContainerRecord, user: ResolvedUser, opts: OciSpecOptions = {}): Spec {
  const { spec, imageConfig } = record
  const host = spec.host
  const raw = host.raw
  const privileged = host.privileged === true
  const networkMode = host.networkMode ?? 'default'
  const hostNetwork = networkMode === 'host'
  const hostname = spec.hostname || record.id.slice(0, 12)
  const tty = spec.tty === true

  let args = [record.path, ...record.args]
  const extra: Mount[] = []
  if (host.init) {
    extra.push({ destination: INIT_DESTINATION, type: 'bind', source: opts.initPath ?? DEFAULT_INIT_PATH, options: ['bind', 'ro'] })
    args = [INIT_DESTINATION, '--', ...args]
  }
  const etcOptions = ['rbind', 'rprivate', ...(host.readonlyRootfs ? ['ro'] : [])]
  extra.push(
    { destination: '/etc/resolv.conf', type: 'bind', source: record.resolvConfPath, options: [...etcOptions] },
    { destination: '/etc/hostname', type: 'bind', source: record.hostnamePath, options: [...etcOptions] },
    { destination: '/etc/hosts', type: 'bind', source: record.hostsPath, options: [...etcOptions] },
  )
  const userMounts = [...(opts.extraMounts ?? [])]
  const userDestinations = new Set(userMounts.map((m) => m.destination))
  const shmSize = num(raw, 'ShmSize') ?? DEFAULT_SHM_SIZE
  const mounts = [
    ...standardMounts({ hostNetwork, privileged, shmSize }).filter((m) => !userDestinations.has(m.destination)),
    // Parents before children (a stable sort), so a mount inside another lands on top of it: a
    // volume on /etc comes before /etc/hosts, as in moby's sortMounts.
    ...[...extra.filter((m) => !userDestinations.has(m.destination)), ...userMounts].sort((a, b) => depth(a.destination) - depth(b.destination)),
  ]

  const namespaces: LinuxNamespace[] = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }]
  if (opts.networkNamespacePath) namespaces.push({ type: 'network', path: opts.networkNamespacePath })
  else if (!hostNetwork) namespaces.push({ type: 'network' })

  const caps = tweakCapabilities({ capAdd: host.capAdd, capDrop: host.capDrop, privileged, available: opts.availableCapabilities })
  const capabilities = user.uid === 0
    ? { bounding: caps, effective: [...caps], permitted: [...caps] }
    // As execve does for a non-root user: nothing effective or permitted.
    : { bounding: caps }

  const rlimits = [...nofileRlimit(raw, opts.hostNofileLimit), ...ulimitRlimits(raw)]
  const sysctl = raw?.['Sysctls'] && typeof raw['Sysctls'] === 'object' ? (raw['Sysctls'] as Record<string, string>) : undefined

  const result: Spec = {
    ociVersion: OCI_VERSION,
    process: {
      terminal: tty,
      // The primary group leads the supplementary groups, as dockerd sets them (CVE-2022-36109 fix).
      user: { uid: user.uid, gid: user.gid, additionalGids: [user.gid, ...user.additionalGids] },
      args,
      env: processEnv({ imageEnv: imageConfig.Env, specEnv: opts.extraEnv?.length ? [...opts.extraEnv, ...(spec.env ?? [])] : spec.env, hostname, tty, home: user.home }),
      cwd: resolveWorkingDir(spec.workingDir, imageConfig),
      capabilities,
      ...(rlimits.length > 0 ? { rlimits } : {}),
      noNewPrivileges: false,
    },
    root: { path: 'rootfs', readonly: host.readonlyRootfs === true },
    hostname,
    mounts,
    linux: {
      namespaces,
      cgroupsPath: `/berth/${record.id}`,
      resources: resourcesFromHostConfig(raw, privileged),
      maskedPaths: privileged ? [] : [...MASKED_PATHS],
      readonlyPaths: privileged ? [] : [...READONLY_PATHS],
      ...(sysctl && Object.keys(sysctl).length > 0 ? { sysctl: { ...sysctl } } : {}),
    },
  }
  if (spec.domainname) result.domainname = spec.domainname
  applySecurity(result, raw, privileged, { ...opts.security, capabilities: caps, arch: opts.security?.arch ?? process.arch })
  if (usesRemappedUserns(raw, opts.userns)) applyUserns(result, opts.userns)
  return result
}

import type { ContainerCreateRequest, HostConfig, PortBinding, RestartPolicy } from '../../../client/index.js'
import { parseEnvFile, parseKeyValues } from './env-file.js'
import { parseMountOpt } from './mount-opt.js'

/** The run/create flags as commander parsed them (see create-flags.ts). */
export interface CreateFlags {
  attach?: string[]
  addHost?: string[]
  healthCmd?: string
  healthInterval?: string
  healthRetries?: number
  healthStartInterval?: string
  healthStartPeriod?: string
  healthTimeout?: string
  /** false for --no-healthcheck (commander's negated flag). */
  healthcheck?: boolean
  blkioWeight?: number
  cpuPeriod?: number
  cpuQuota?: number
  cpuShares?: number
  cpusetCpus?: string
  cpusetMems?: string
  device?: string[]
  deviceCgroupRule?: string[]
  memoryReservation?: string
  memorySwap?: string
  memorySwappiness?: number
  oomKillDisable?: boolean
  pidsLimit?: number
  shmSize?: string
  sysctl?: string[]
  ulimit?: string[]
  userns?: string
  capAdd?: string[]
  capDrop?: string[]
  cpus?: string
  dns?: string[]
  dnsOption?: string[]
  dnsSearch?: string[]
  domainname?: string
  entrypoint?: string
  env?: string[]
  envFile?: string[]
  expose?: string[]
  groupAdd?: string[]
  hostname?: string
  init?: boolean
  interactive?: boolean
  ip?: string
  ipc?: string
  label?: string[]
  labelFile?: string[]
  link?: string[]
  logDriver?: string
  logOpt?: string[]
  macAddress?: string
  memory?: string
  mount?: string[]
  network?: string
  networkAlias?: string[]
  pid?: string
  privileged?: boolean
  publish?: string[]
  publishAll?: boolean
  readOnly?: boolean
  restart?: string
  rm?: boolean
  securityOpt?: string[]
  stopSignal?: string
  stopTimeout?: number
  tmpfs?: string[]
  tty?: boolean
  user?: string
  uts?: string
  volume?: string[]
  volumesFrom?: string[]
  workdir?: string
}

export interface ConfigSources {
  env: NodeJS.ProcessEnv
  readFile: (path: string) => string
}

/** --network-alias, --ip and --mac-address go to the endpoint of the --network given (docker's parseNetworkOpts). */
function endpointsConfig(flags: CreateFlags): Record<string, unknown> {
  const aliases = flags.networkAlias ?? []
  if (aliases.length === 0 && !flags.ip && !flags.macAddress) return {}
  const network = flags.network || 'default'
  if (network === 'default' || network === 'bridge' || network === 'host' || network === 'none' || network.startsWith('container:')) {
    if (aliases.length > 0 || flags.ip) throw new Error('network-scoped aliases and user specified IP address are only supported for user-defined networks')
  }
  return {
    [network]: {
      ...(aliases.length > 0 ? { Aliases: aliases } : {}),
      ...(flags.ip ? { IPAMConfig: { IPv4Address: flags.ip } } : {}),
      ...(flags.macAddress ? { MacAddress: flags.macAddress } : {}),
    },
  }
}

/**
 * docker's container opts parse(): flags -> the POST /containers/create body. Throws an Error
 * with docker's wording for invalid values (the caller reports it with exit status 125).
 */
export function buildCreateRequest(image: string, command: string[], flags: CreateFlags, sources: ConfigSources): ContainerCreateRequest {
  const streams = (flags.attach ?? []).map((s) => s.toLowerCase())
  for (const s of streams) {
    if (s !== 'stdin' && s !== 'stdout' && s !== 'stderr') throw new Error('valid streams are STDIN, STDOUT and STDERR')
  }
  const attachStdin = streams.includes('stdin') || !!flags.interactive
  const attachStdout = streams.length === 0 || streams.includes('stdout')
  const attachStderr = streams.length === 0 || streams.includes('stderr')

  const binds: string[] = []
  const volumes: Record<string, Record<string, never>> = {}
  for (const spec of flags.volume ?? []) {
    if (spec.includes(':')) binds.push(spec)
    else volumes[spec] = {}
  }
  const mounts = (flags.mount ?? []).map((value) => {
    try {
      return parseMountOpt(value)
    } catch (err) {
      throw new Error(`invalid argument "${value}" for "--mount" flag: ${(err as Error).message}`)
    }
  })
  const tmpfs: Record<string, string> = {}
  for (const spec of flags.tmpfs ?? []) {
    const colon = spec.indexOf(':')
    if (colon === -1) tmpfs[spec] = ''
    else tmpfs[spec.slice(0, colon)] = spec.slice(colon + 1)
  }

  const { exposed, bindings } = parsePortSpecs(flags.publish ?? [])
  for (const spec of flags.expose ?? []) {
    if (spec.includes(':')) throw new Error(`invalid port format for --expose: ${spec}`)
    const [range = '', proto = 'tcp'] = spec.split('/')
    const [start, end] = parseRange(range, `invalid range format for --expose: ${spec}`)
    for (let p = start; p <= end; p++) exposed[`${p}/${proto}`] = {}
  }

  const env = [
    ...(flags.envFile ?? []).flatMap((file) => parseEnvFile(sources.readFile(file), sources.env)),
    ...(flags.env ?? []).map((entry) => expandEnv(entry, sources.env)),
  ]
  const labelEntries = [
    ...(flags.labelFile ?? []).flatMap((file) => parseKeyValues(sources.readFile(file))),
    ...(flags.label ?? []),
  ]
  const labels: Record<string, string> = {}
  for (const entry of labelEntries) {
    const eq = entry.indexOf('=')
    if (eq === -1) labels[entry] = ''
    else labels[entry.slice(0, eq)] = entry.slice(eq + 1)
  }

  const restartPolicy = parseRestartPolicy(flags.restart ?? 'no')
  if (flags.rm && restartPolicy.Name !== '' && restartPolicy.Name !== 'no') {
    throw new Error('conflicting options: cannot specify both --restart and --rm')
  }
  const logOpts = parseLogOpts(flags.logDriver ?? '', flags.logOpt ?? [])

  const hostConfig: HostConfig = {
    Binds: binds.length > 0 ? binds : undefined,
    Mounts: mounts.length > 0 ? mounts : undefined,
    VolumesFrom: flags.volumesFrom?.length ? flags.volumesFrom : undefined,
    AutoRemove: !!flags.rm,
    Privileged: !!flags.privileged,
    PortBindings: Object.keys(bindings).length > 0 ? bindings : {},
    PublishAllPorts: !!flags.publishAll,
    Dns: flags.dns ?? [],
    DnsSearch: flags.dnsSearch ?? [],
    DnsOptions: flags.dnsOption ?? [],
    Links: flags.link?.length ? flags.link : undefined,
    ExtraHosts: flags.addHost,
    NetworkMode: flags.network || 'default',
    CapAdd: flags.capAdd,
    CapDrop: flags.capDrop,
    GroupAdd: flags.groupAdd,
    RestartPolicy: restartPolicy,
    SecurityOpt: flags.securityOpt?.map((opt) => inlineSeccompProfile(opt, sources)),
    ReadonlyRootfs: !!flags.readOnly,
    LogConfig: { Type: flags.logDriver ?? '', Config: logOpts },
    IpcMode: flags.ipc,
    PidMode: flags.pid,
    UTSMode: flags.uts,
    Tmpfs: Object.keys(tmpfs).length > 0 ? tmpfs : undefined,
    Memory: flags.memory === undefined ? undefined : ramInBytes(flags.memory, '-m, --memory'),
    NanoCpus: flags.cpus === undefined ? undefined : parseCpus(flags.cpus),
  }
  // Only sent when given, so the daemon's default applies otherwise.
  if (flags.init !== undefined) hostConfig.Init = flags.init
  Object.assign(hostConfig, resourceHostConfig(flags))

  const request: ContainerCreateRequest = {
    Hostname: flags.hostname ?? '',
    Domainname: flags.domainname ?? '',
    User: flags.user ?? '',
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
    ExposedPorts: Object.keys(exposed).length > 0 ? exposed : undefined,
    Tty: !!flags.tty,
    OpenStdin: !!flags.interactive,
    // When allocating stdin in attached mode, close stdin at client disconnect.
    StdinOnce: !!flags.interactive && attachStdin,
    Env: env,
    Cmd: command.length > 0 ? command : undefined,
    Image: image,
    Volumes: Object.keys(volumes).length > 0 ? volumes : undefined,
    WorkingDir: flags.workdir ?? '',
    Entrypoint: flags.entrypoint === undefined ? undefined : [flags.entrypoint],
    Labels: labels,
    HostConfig: hostConfig,
    NetworkingConfig: { EndpointsConfig: endpointsConfig(flags) },
  }
  const healthcheck = healthConfig(flags)
  if (healthcheck) request.Healthcheck = healthcheck
  if (flags.stopSignal !== undefined) request.StopSignal = flags.stopSignal
  if (flags.stopTimeout !== undefined) request.StopTimeout = flags.stopTimeout
  return dropUndefined(request)
}

/** docker's opts.ValidateEnv: "-e VAR" takes VAR's value from the client's environment if set. */
export function expandEnv(entry: string, env: NodeJS.ProcessEnv): string {
  if (entry.includes('=')) return entry
  const value = env[entry]
  return value === undefined ? entry : `${entry}=${value}`
}

/** docker's opts.ParseRestartPolicy: "no", "always", "unless-stopped", "on-failure[:N]". */
export function parseRestartPolicy(policy: string): RestartPolicy {
  if (policy === '') return { Name: '' }
  const colon = policy.indexOf(':')
  const name = colon === -1 ? policy : policy.slice(0, colon)
  const count = colon === -1 ? '' : policy.slice(colon + 1)
  if (colon !== -1 && name === '') throw new Error('invalid restart policy format: no policy provided before colon')
  if (count !== '' && !/^[-+]?\d+$/.test(count)) {
    throw new Error('invalid restart policy format: maximum retry count must be an integer')
  }
  return count === '' ? { Name: name } : { Name: name, MaximumRetryCount: Number(count) }
}

function parseLogOpts(driver: string, opts: string[]): Record<string, string> {
  if (driver === 'none' && opts.length > 0) throw new Error(`invalid logging opts for driver ${driver}`)
  const out: Record<string, string> = {}
  for (const opt of opts) {
    const eq = opt.indexOf('=')
    if (eq === -1) throw new Error(`invalid key value pair format in logging opts: ${opt}`)
    out[opt.slice(0, eq)] = opt.slice(eq + 1)
  }
  return out
}

/**
 * nat.ParsePortSpecs for -p: "[ip:][hostPort:]containerPort[/proto]" with optional ranges;
 * IPv6 addresses go in brackets.
 */
export function parsePortSpecs(specs: string[]): {
  exposed: Record<string, Record<string, never>>
  bindings: Record<string, PortBinding[]>
} {
  const exposed: Record<string, Record<string, never>> = {}
  const bindings: Record<string, PortBinding[]> = {}
  for (const spec of specs) {
    const slash = spec.lastIndexOf('/')
    const proto = slash === -1 ? 'tcp' : spec.slice(slash + 1).toLowerCase()
    const rest = slash === -1 ? spec : spec.slice(0, slash)
    if (!['tcp', 'udp', 'sctp'].includes(proto)) throw new Error(`invalid proto: ${proto}`)
    let ip = ''
    let hostPart = ''
    let containerPart: string
    const bracket = /^\[([^\]]+)\]:(.*)$/.exec(rest)
    const parts = bracket ? [bracket[1]!, ...bracket[2]!.split(':')] : rest.split(':')
    if (bracket || parts.length >= 3) {
      containerPart = parts.at(-1)!
      hostPart = parts.at(-2)!
      ip = parts.slice(0, -2).join(':')
    } else if (parts.length === 2) {
      ;[hostPart, containerPart] = parts as [string, string]
    } else {
      containerPart = parts[0]!
    }
    if (containerPart === '') throw new Error(`no port specified: ${spec}<empty>`)
    const [start, end] = parseRange(containerPart, `invalid containerPort: ${containerPart}`)
    let hostStart = 0
    let hostEnd = 0
    if (hostPart !== '') [hostStart, hostEnd] = parseRange(hostPart, `invalid hostPort: ${hostPart}`)
    const hostIsRange = hostPart !== '' && hostEnd !== hostStart
    if (hostIsRange && end !== start && hostEnd - hostStart !== end - start) {
      throw new Error(`invalid ranges specified for container and host Ports: ${containerPart} and ${hostPart}`)
    }
    for (let p = start; p <= end; p++) {
      const key = `${p}/${proto}`
      exposed[key] = {}
      let hostPort = hostPart
      if (hostIsRange && end !== start) hostPort = String(hostStart + (p - start))
      ;(bindings[key] ??= []).push({ HostIp: ip, HostPort: hostPort })
    }
  }
  return { exposed, bindings }
}

function parseRange(text: string, message: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text)
  if (!m) throw new Error(message)
  const start = Number(m[1])
  const end = m[2] === undefined ? start : Number(m[2])
  if (start > 65535 || end > 65535 || end < start) throw new Error(message)
  return [start, end]
}

/** go-units RAMInBytes: "512m", "1g", "1024" (binary units). */
export function ramInBytes(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)*) ?([kmgtp])?i?b?$/i.exec(text)
  if (!m) throw new Error(`invalid argument "${text}" for "${flag}" flag: invalid size: '${text}'`)
  const units: Record<string, number> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 }
  return Math.trunc(Number(m[1]) * (m[2] ? units[m[2].toLowerCase()]! : 1))
}

export function parseCpus(text: string): number {
  const value = Number(text)
  if (!Number.isFinite(value) || text.trim() === '') {
    throw new Error(`invalid argument "${text}" for "--cpus" flag: failed to parse ${text} as a rational number`)
  }
  return Math.round(value * 1e9)
}

function dropUndefined<T extends object>(value: T): T {
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) delete (value as Record<string, unknown>)[key]
    else if (v && typeof v === 'object' && !Array.isArray(v)) dropUndefined(v as object)
  }
  return value
}

/** The resource and security flags of run/create (docker's opts parse) as HostConfig fields; only the flags given. */
export function resourceHostConfig(flags: CreateFlags): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  if (flags.blkioWeight !== undefined) out.BlkioWeight = flags.blkioWeight
  if (flags.cpuPeriod !== undefined) out.CpuPeriod = flags.cpuPeriod
  if (flags.cpuQuota !== undefined) out.CpuQuota = flags.cpuQuota
  if (flags.cpuShares !== undefined) out.CpuShares = flags.cpuShares
  if (flags.cpusetCpus !== undefined) out.CpusetCpus = flags.cpusetCpus
  if (flags.cpusetMems !== undefined) out.CpusetMems = flags.cpusetMems
  if (flags.memoryReservation !== undefined) out.MemoryReservation = ramInBytes(flags.memoryReservation, '--memory-reservation')
  if (flags.memorySwap !== undefined) out.MemorySwap = flags.memorySwap === '-1' ? -1 : ramInBytes(flags.memorySwap, '--memory-swap')
  if (flags.memorySwappiness !== undefined) out.MemorySwappiness = flags.memorySwappiness
  if (flags.oomKillDisable) out.OomKillDisable = true
  if (flags.pidsLimit !== undefined && flags.pidsLimit !== 0) out.PidsLimit = flags.pidsLimit
  if (flags.shmSize !== undefined) out.ShmSize = ramInBytes(flags.shmSize, '--shm-size')
  if (flags.ulimit?.length) out.Ulimits = flags.ulimit.map(parseUlimit)
  if (flags.device?.length) out.Devices = flags.device.map(parseDevice)
  if (flags.deviceCgroupRule?.length) out.DeviceCgroupRules = flags.deviceCgroupRule
  if (flags.sysctl?.length) {
    const sysctls: Record<string, string> = {}
    for (const entry of flags.sysctl) {
      const eq = entry.indexOf('=')
      if (eq <= 0) throw new Error(`invalid argument "${entry}" for "--sysctl" flag: sysctl '${entry}' is not allowed`)
      sysctls[entry.slice(0, eq)] = entry.slice(eq + 1)
    }
    out.Sysctls = sysctls
  }
  if (flags.userns !== undefined) out.UsernsMode = flags.userns
  return out
}

/** go-units ParseUlimit: "name=soft[:hard]". */
export function parseUlimit(text: string): { Name: string; Soft: number; Hard: number } {
  const bad = (why: string): Error => new Error(`invalid argument "${text}" for "--ulimit" flag: ${why}`)
  const eq = text.indexOf('=')
  if (eq <= 0) throw bad(`invalid ulimit argument: ${text}`)
  const name = text.slice(0, eq)
  const known = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack']
  if (!known.includes(name)) throw bad(`invalid ulimit type: ${name}`)
  const [softText = '', hardText, extra] = text.slice(eq + 1).split(':')
  if (extra !== undefined) throw bad(`too many limit value arguments - ${text.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``)
  const soft = Number(softText)
  const hard = hardText === undefined ? soft : Number(hardText)
  if (!/^-?\d+$/.test(softText) || (hardText !== undefined && !/^-?\d+$/.test(hardText))) throw bad(`invalid ulimit argument: ${text}`)
  if (soft > hard) throw bad(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${hard}`)
  return { Name: name, Soft: soft, Hard: hard }
}

/** docker's parseDevice: "host[:container][:perms]". */
export function parseDevice(text: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const parts = text.split(':')
  const host = parts[0] ?? ''
  let container = host
  let perms = 'rwm'
  if (parts.length === 2) {
    if (/^[rwm]{1,3}$/.test(parts[1]!)) perms = parts[1]!
    else container = parts[1]!
  } else if (parts.length === 3) {
    container = parts[1]!
    perms = parts[2]!
  } else if (parts.length > 3) {
    throw new Error(`invalid argument "${text}" for "--device" flag: invalid device specification: ${text}`)
  }
  if (!/^[rwm]{1,3}$/.test(perms)) throw new Error(`invalid argument "${text}" for "--device" flag: invalid device mode: ${perms}`)
  return { PathOnHost: host, PathInContainer: container || host, CgroupPermissions: perms }
}

/** docker's parseSecurityOpts: `seccomp=<file>` is sent as the file's JSON, compacted. */
export function inlineSeccompProfile(opt: string, sources: ConfigSources): string {
  const m = /^seccomp[=:](.*)$/s.exec(opt)
  if (!m || m[1] === 'unconfined' || m[1] === 'builtin') return opt
  let content: string
  try {
    content = sources.readFile(m[1]!)
  } catch (err) {
    throw new Error(`opening seccomp profile (${m[1]}) failed: ${err instanceof Error ? err.message : String(err)}`)
  }
  try {
    return `seccomp=${JSON.stringify(JSON.parse(content))}`
  } catch (err) {
    throw new Error(`compacting json for seccomp profile (${m[1]}) failed: ${err instanceof Error ? err.message : String(err)}`)
  }
}

/** Go's time.ParseDuration, in ns ("1m30s", "500ms", "2h"). */
export function parseGoDuration(text: string, flag: string): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }
  const bad = (): Error => new Error(`invalid argument "${text}" for "${flag}" flag: time: invalid duration "${text}"`)
  if (text === '0') return 0
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(text)
  if (!m) throw bad()
  let total = 0
  for (const part of text.replace(/^[-+]/, '').matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * units[part[2]!]!
  return Math.round(m[1] === '-' ? -total : total)
}

/** docker's health check flags -> Config.Healthcheck (undefined when none is given). */
export function healthConfig(flags: CreateFlags): Record<string, unknown> | undefined {
  const interval = flags.healthInterval === undefined ? 0 : parseGoDuration(flags.healthInterval, '--health-interval')
  const timeout = flags.healthTimeout === undefined ? 0 : parseGoDuration(flags.healthTimeout, '--health-timeout')
  const startPeriod = flags.healthStartPeriod === undefined ? 0 : parseGoDuration(flags.healthStartPeriod, '--health-start-period')
  const startInterval = flags.healthStartInterval === undefined ? 0 : parseGoDuration(flags.healthStartInterval, '--health-start-interval')
  const retries = flags.healthRetries ?? 0
  const have = !!flags.healthCmd || interval !== 0 || timeout !== 0 || startPeriod !== 0 || startInterval !== 0 || retries !== 0
  if (flags.healthcheck === false) {
    if (have) throw new Error('--no-healthcheck conflicts with --health-* options')
    return { Test: ['NONE'] }
  }
  if (!have) return undefined
  if (interval < 0) throw new Error('--health-interval cannot be negative')
  if (timeout < 0) throw new Error('--health-timeout cannot be negative')
  if (retries < 0) throw new Error('--health-retries cannot be negative')
  if (startPeriod < 0) throw new Error('--health-start-period cannot be negative')
  if (startInterval < 0) throw new Error('--health-start-interval cannot be negative')
  return {
    Test: flags.healthCmd ? ['CMD-SHELL', flags.healthCmd] : null,
    Interval: interval, Timeout: timeout, StartPeriod: startPeriod, StartInterval: startInterval, Retries: retries,
  }
}

import {
  child, fail, isMap, scalarString, toBool, toInt, toNumber, toStringList, toStringMap, type RawContext, type RawMap,
} from './raw.js'
import { splitShellWords } from './shell-words.js'
import { requireDuration, requireSize } from './units.js'
import { toDeploy, toHealthcheck } from './service-sections.js'
import type {
  DependencyCondition, ServiceBuild, ServiceConfig, ServiceDependency, ServiceFileReference, ServiceNetworkAttachment,
  ServicePort, ServiceVolume, UlimitConfig,
} from './types.js'

/** Keys toServiceConfig turns into ServiceConfig fields; any other key lands in `unsupported`. */
const HANDLED = new Set([
  'image', 'build', 'pull_policy', 'command', 'entrypoint', 'environment', 'env_file', 'labels', 'annotations',
  'container_name', 'hostname', 'domainname', 'user', 'working_dir', 'ports', 'expose', 'volumes', 'volumes_from',
  'tmpfs', 'networks', 'network_mode', 'links', 'external_links', 'depends_on', 'healthcheck', 'restart', 'scale',
  'deploy', 'read_only', 'init', 'privileged', 'tty', 'stdin_open', 'cap_add', 'cap_drop', 'security_opt', 'devices',
  'dns', 'dns_search', 'dns_opt', 'extra_hosts', 'ulimits', 'sysctls', 'mem_limit', 'mem_reservation',
  'memswap_limit', 'cpus', 'cpu_shares', 'cpuset', 'pids_limit', 'shm_size', 'oom_kill_disable', 'group_add', 'ipc',
  'pid', 'uts', 'userns_mode', 'cgroup_parent', 'runtime', 'platform', 'stop_signal', 'stop_grace_period', 'logging',
  'secrets', 'configs', 'profiles', 'extends', 'label_file', 'mac_address',
])

/**
 * A canonical raw service (canonical-service.ts, after merging, extends and env_file resolution)
 * → ServiceConfig. `ctx.path` is "services.<name>".
 */
export function toServiceConfig(name: string, s: RawMap, ctx: RawContext): ServiceConfig {
  const at = (key: string) => child(ctx, key)
  const str = (key: string) => (s[key] === undefined || s[key] === null ? undefined : scalarString(s[key]))
  const bool = (key: string) => (s[key] === undefined || s[key] === null ? undefined : toBool(s[key], at(key)))
  const int = (key: string) => (s[key] === undefined || s[key] === null ? undefined : toInt(s[key], at(key)))
  const size = (key: string) => (s[key] === undefined || s[key] === null ? undefined
    : scalarString(s[key]) === '-1' ? -1 : requireSize(s[key], at(key).path, ctx.file))
  const svc: ServiceConfig = {
    name,
    profiles: toStringList(s.profiles),
    environment: (s.environment as Record<string, string | null> | undefined) ?? {},
    labels: (s.labels as Record<string, string> | undefined) ?? {},
    annotations: (s.annotations as Record<string, string> | undefined) ?? {},
    ports: ((s.ports as RawMap[] | undefined) ?? []).map((p, i) => toPort(p, child(at('ports'), i))),
    expose: toStringList(s.expose),
    volumes: ((s.volumes as RawMap[] | undefined) ?? []).map((v, i) => toVolume(v, child(at('volumes'), i))),
    volumesFrom: toStringList(s.volumes_from),
    tmpfs: toStringList(s.tmpfs),
    networks: {},
    links: toStringList(s.links),
    externalLinks: toStringList(s.external_links),
    dependsOn: toDependsOn(s.depends_on, at('depends_on')),
    scale: 1,
    readOnly: bool('read_only') ?? false,
    privileged: bool('privileged') ?? false,
    tty: bool('tty') ?? false,
    stdinOpen: bool('stdin_open') ?? false,
    capAdd: toStringList(s.cap_add),
    capDrop: toStringList(s.cap_drop),
    securityOpt: toStringList(s.security_opt),
    devices: (Array.isArray(s.devices) ? s.devices : []).map((d) => (isMap(d) ? `${scalarString(d.source)}:${scalarString(d.target ?? d.source)}${d.permissions ? `:${scalarString(d.permissions)}` : ''}` : scalarString(d))),
    dns: toStringList(s.dns),
    dnsSearch: toStringList(s.dns_search),
    dnsOpt: toStringList(s.dns_opt),
    extraHosts: Object.entries((s.extra_hosts as Record<string, string[]> | undefined) ?? {}).flatMap(([h, ips]) => ips.map((ip) => `${h}:${ip}`)),
    ulimits: toUlimits(s.ulimits, at('ulimits')),
    sysctls: (s.sysctls as Record<string, string> | undefined) ?? {},
    groupAdd: toStringList(s.group_add),
    secrets: toFileRefs(s.secrets, (src) => `/run/secrets/${src}`, at('secrets')),
    configs: toFileRefs(s.configs, (src) => `/${src}`, at('configs')),
    unsupported: {},
  }
  const optional: Partial<ServiceConfig> = {
    image: str('image'),
    build: s.build === undefined ? undefined : toBuild(s.build as RawMap, at('build')),
    pullPolicy: str('pull_policy') as ServiceConfig['pullPolicy'],
    command: toCommand(s.command, at('command')),
    entrypoint: toCommand(s.entrypoint, at('entrypoint')),
    containerName: str('container_name'),
    hostname: str('hostname'),
    domainname: str('domainname'),
    macAddress: str('mac_address'),
    user: str('user'),
    workingDir: str('working_dir'),
    networkMode: str('network_mode'),
    healthcheck: s.healthcheck === undefined ? undefined : toHealthcheck(s.healthcheck, at('healthcheck')),
    restart: str('restart'),
    deploy: s.deploy === undefined || s.deploy === null ? undefined : toDeploy(s.deploy, at('deploy')),
    init: bool('init'),
    memLimit: size('mem_limit'),
    memReservation: size('mem_reservation'),
    memswapLimit: size('memswap_limit'),
    cpus: s.cpus === undefined ? undefined : toNumber(s.cpus, at('cpus')),
    cpuShares: int('cpu_shares'),
    cpuset: str('cpuset'),
    pidsLimit: int('pids_limit'),
    shmSize: size('shm_size'),
    oomKillDisable: bool('oom_kill_disable'),
    ipc: str('ipc'),
    pid: str('pid'),
    uts: str('uts'),
    usernsMode: str('userns_mode'),
    cgroupParent: str('cgroup_parent'),
    runtime: str('runtime'),
    platform: str('platform'),
    stopSignal: str('stop_signal'),
    stopGracePeriod: s.stop_grace_period === undefined ? undefined : requireDuration(s.stop_grace_period, at('stop_grace_period').path, ctx.file),
    logging: isMap(s.logging) ? { ...(s.logging.driver ? { driver: scalarString(s.logging.driver) } : {}), options: toStringMap(s.logging.options) } : undefined,
  }
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) (svc as unknown as RawMap)[key] = value
  if (svc.networkMode !== undefined && isMap(s.networks) && Object.keys(s.networks).length > 0) {
    fail(ctx, 'declares mutually exclusive `network_mode` and `networks`')
  }
  svc.networks = toNetworks(s.networks, svc.networkMode, at('networks'))
  svc.scale = toScale(s, svc, ctx)
  for (const [key, value] of Object.entries(s)) {
    if (key.startsWith('x-')) (svc.extensions ??= {})[key] = value
    else if (!HANDLED.has(key)) svc.unsupported[key] = value
  }
  return svc
}

function toCommand(value: unknown, ctx: RawContext): string[] | undefined {
  if (value === undefined || value === null) return undefined
  if (Array.isArray(value)) return value.map(scalarString)
  const words = splitShellWords(scalarString(value))
  if (words === null) fail(ctx, `invalid command line: unterminated quote in ${JSON.stringify(value)}`)
  return words
}

function toBuild(b: RawMap, ctx: RawContext): ServiceBuild {
  const build: ServiceBuild = {
    context: scalarString(b.context),
    dockerfile: b.dockerfile === undefined ? 'Dockerfile' : scalarString(b.dockerfile),
    args: (b.args as Record<string, string | null> | undefined) ?? {},
    labels: (b.labels as Record<string, string> | undefined) ?? {},
    cacheFrom: toStringList(b.cache_from),
    tags: toStringList(b.tags),
    extraHosts: Object.entries((b.extra_hosts as Record<string, string[]> | undefined) ?? {}).flatMap(([h, ips]) => ips.map((ip) => `${h}:${ip}`)),
  }
  if (b.dockerfile_inline !== undefined) build.dockerfileInline = scalarString(b.dockerfile_inline)
  if (b.target !== undefined) build.target = scalarString(b.target)
  if (b.no_cache !== undefined) build.noCache = toBool(b.no_cache, child(ctx, 'no_cache'))
  if (b.pull !== undefined) build.pull = toBool(b.pull, child(ctx, 'pull'))
  if (b.network !== undefined) build.network = scalarString(b.network)
  if (b.shm_size !== undefined) build.shmSize = requireSize(b.shm_size, child(ctx, 'shm_size').path, ctx.file)
  return build
}

function toPort(p: RawMap, ctx: RawContext): ServicePort {
  const port: ServicePort = {
    target: toInt(p.target, child(ctx, 'target')),
    protocol: scalarString(p.protocol ?? 'tcp').toLowerCase() as ServicePort['protocol'],
    mode: (p.mode === 'host' ? 'host' : 'ingress'),
  }
  if (p.published !== undefined && p.published !== null && p.published !== '') port.published = scalarString(p.published)
  if (p.host_ip !== undefined) port.hostIp = scalarString(p.host_ip)
  if (p.name !== undefined) port.name = scalarString(p.name)
  if (p.app_protocol !== undefined) port.appProtocol = scalarString(p.app_protocol)
  return port
}

function toVolume(v: RawMap, ctx: RawContext): ServiceVolume {
  if (v.target === undefined) fail(ctx, 'missing target')
  const vol: ServiceVolume = {
    type: scalarString(v.type ?? 'volume') as ServiceVolume['type'],
    target: scalarString(v.target),
    readOnly: v.read_only === undefined ? false : toBool(v.read_only, child(ctx, 'read_only')),
  }
  if (v.source !== undefined && v.source !== null && v.source !== '') vol.source = scalarString(v.source)
  if (v.consistency !== undefined) vol.consistency = scalarString(v.consistency)
  if (isMap(v.bind)) {
    vol.bind = { createHostPath: v.bind.create_host_path === undefined ? false : toBool(v.bind.create_host_path, child(ctx, 'bind.create_host_path')) }
    if (v.bind.propagation !== undefined) vol.bind.propagation = scalarString(v.bind.propagation)
    if (v.bind.selinux === 'z' || v.bind.selinux === 'Z') vol.bind.selinux = v.bind.selinux
  }
  if (isMap(v.volume)) {
    vol.volume = { nocopy: v.volume.nocopy === undefined ? false : toBool(v.volume.nocopy, child(ctx, 'volume.nocopy')) }
    if (v.volume.subpath !== undefined) vol.volume.subpath = scalarString(v.volume.subpath)
  }
  if (isMap(v.tmpfs)) {
    vol.tmpfs = {}
    if (v.tmpfs.size !== undefined) vol.tmpfs.size = requireSize(v.tmpfs.size, child(ctx, 'tmpfs.size').path, ctx.file)
    if (v.tmpfs.mode !== undefined) vol.tmpfs.mode = typeof v.tmpfs.mode === 'string' ? parseInt(v.tmpfs.mode, 8) : toInt(v.tmpfs.mode, child(ctx, 'tmpfs.mode'))
  }
  if (vol.type === 'bind' && vol.source === undefined) fail(ctx, 'bind mount requires a source')
  return vol
}

function toNetworks(value: unknown, networkMode: string | undefined, ctx: RawContext): Record<string, ServiceNetworkAttachment> {
  const out: Record<string, ServiceNetworkAttachment> = {}
  if (!isMap(value)) return networkMode === undefined ? { default: emptyAttachment() } : out
  for (const [name, att] of Object.entries(value)) {
    const a = emptyAttachment()
    if (isMap(att)) {
      const c = child(ctx, name)
      a.aliases = toStringList(att.aliases)
      a.linkLocalIps = toStringList(att.link_local_ips)
      if (att.ipv4_address !== undefined) a.ipv4Address = scalarString(att.ipv4_address)
      if (att.ipv6_address !== undefined) a.ipv6Address = scalarString(att.ipv6_address)
      if (att.mac_address !== undefined) a.macAddress = scalarString(att.mac_address)
      if (att.priority !== undefined) a.priority = toInt(att.priority, child(c, 'priority'))
      a.driverOpts = toStringMap(att.driver_opts)
    }
    out[name] = a
  }
  return out
}

function emptyAttachment(): ServiceNetworkAttachment {
  return { aliases: [], linkLocalIps: [], priority: 0, driverOpts: {} }
}

const CONDITIONS: DependencyCondition[] = ['service_started', 'service_healthy', 'service_completed_successfully']

function toDependsOn(value: unknown, ctx: RawContext): Record<string, ServiceDependency> {
  const out: Record<string, ServiceDependency> = {}
  for (const [name, dep] of Object.entries(isMap(value) ? value : {})) {
    const d = isMap(dep) ? dep : {}
    const condition = scalarString(d.condition ?? 'service_started') as DependencyCondition
    if (!CONDITIONS.includes(condition)) fail(child(child(ctx, name), 'condition'), `invalid condition ${JSON.stringify(condition)}`)
    out[name] = {
      condition,
      required: d.required === undefined ? true : toBool(d.required, child(child(ctx, name), 'required')),
      restart: d.restart === undefined ? false : toBool(d.restart, child(child(ctx, name), 'restart')),
    }
  }
  return out
}

function toUlimits(value: unknown, ctx: RawContext): Record<string, UlimitConfig> {
  const out: Record<string, UlimitConfig> = {}
  for (const [name, u] of Object.entries(isMap(value) ? value : {})) {
    const m = u as RawMap
    out[name] = { soft: toInt(m.soft, child(child(ctx, name), 'soft')), hard: toInt(m.hard, child(child(ctx, name), 'hard')) }
  }
  return out
}

function toFileRefs(value: unknown, defaultTarget: (source: string) => string, ctx: RawContext): ServiceFileReference[] {
  return ((value as RawMap[] | undefined) ?? []).map((r, i) => {
    const source = scalarString(r.source)
    const target = r.target === undefined ? defaultTarget(source) : scalarString(r.target)
    const ref: ServiceFileReference = { source, target: target.startsWith('/') ? target : defaultTarget(target) }
    if (r.uid !== undefined) ref.uid = scalarString(r.uid)
    if (r.gid !== undefined) ref.gid = scalarString(r.gid)
    if (r.mode !== undefined) ref.mode = typeof r.mode === 'string' ? parseInt(r.mode, 8) : toInt(r.mode, child(child(ctx, i), 'mode'))
    return ref
  })
}

function toScale(s: RawMap, svc: ServiceConfig, ctx: RawContext): number {
  const scale = s.scale === undefined ? undefined : toInt(s.scale, child(ctx, 'scale'))
  const replicas = svc.deploy?.replicas
  if (scale !== undefined && replicas !== undefined && scale !== replicas) {
    fail(ctx, `can't set distinct values on 'scale' and 'deploy.replicas'`)
  }
  return scale ?? replicas ?? 1
}

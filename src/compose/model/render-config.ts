import { stringify } from 'yaml'
import { formatDuration } from './units.js'
import type {
  ComposeProject, DeployConfig, HealthcheckConfig, NetworkConfig, ResourceSpec, SecretOrConfigDefinition, ServiceBuild,
  ServiceConfig, ServicePort, ServiceVolume, VolumeConfig,
} from './types.js'

export interface RenderConfigOptions {
  format: 'yaml' | 'json'
  /** `--services`: service names, one per line. */
  services?: boolean
  /** `--volumes`: top-level volume keys, one per line. */
  volumes?: boolean
  /** `--networks`: top-level network keys, one per line. */
  networks?: boolean
  /** `--profiles`: profile names used by any service, one per line. */
  profiles?: boolean
  /** `--images`: image names (build services: `<project>-<service>`), one per line. */
  images?: boolean
}

type Out = Record<string, unknown>

/** Drops undefined values and empty lists/mappings (Go's `omitempty`), keeping key order. */
function compact(obj: Out): Out {
  const out: Out = {}
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue
    if (Array.isArray(v) && v.length === 0) continue
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0 && !KEEP_EMPTY.has(k)) continue
    out[k] = v
  }
  return out
}
const KEEP_EMPTY = new Set(['volume'])

function sorted<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}

const dur = (ns: number | undefined) => (ns === undefined ? undefined : formatDuration(ns))
const bytes = (n: number | undefined) => (n === undefined ? undefined : String(n))

function renderBuild(b: ServiceBuild): Out {
  return compact({
    context: b.context, dockerfile: b.dockerfile, dockerfile_inline: b.dockerfileInline, args: sorted(b.args),
    labels: sorted(b.labels), cache_from: b.cacheFrom, no_cache: b.noCache, pull: b.pull,
    extra_hosts: b.extraHosts.map(hostEntry).sort(), network: b.network, target: b.target, tags: b.tags, shm_size: bytes(b.shmSize),
  })
}

/** "host:ip" (engine form) → "host=ip" (how Compose prints extra_hosts). */
function hostEntry(entry: string): string {
  const i = entry.indexOf(':')
  return i < 0 ? entry : `${entry.slice(0, i)}=${entry.slice(i + 1)}`
}

function renderPort(p: ServicePort): Out {
  return compact({ name: p.name, mode: p.mode, host_ip: p.hostIp, target: p.target, published: p.published, protocol: p.protocol, app_protocol: p.appProtocol })
}

function renderVolume(v: ServiceVolume): Out {
  return compact({
    type: v.type, source: v.source, target: v.target, read_only: v.readOnly || undefined, consistency: v.consistency,
    bind: v.bind && compact({ selinux: v.bind.selinux, propagation: v.bind.propagation, create_host_path: v.bind.createHostPath || undefined }),
    volume: v.volume && compact({ nocopy: v.volume.nocopy || undefined, subpath: v.volume.subpath }),
    tmpfs: v.tmpfs && compact({ size: bytes(v.tmpfs.size), mode: v.tmpfs.mode }),
  })
}

function renderHealthcheck(h: HealthcheckConfig): Out {
  return compact({
    test: h.test, timeout: dur(h.timeout), interval: dur(h.interval), retries: h.retries,
    start_period: dur(h.startPeriod), start_interval: dur(h.startInterval), disable: h.disable || undefined,
  })
}

function renderResources(r: ResourceSpec): Out {
  return compact({ cpus: r.cpus, memory: bytes(r.memory), pids: r.pids })
}

function renderDeploy(d: DeployConfig): Out {
  const p = d.restartPolicy
  return compact({
    mode: d.mode, replicas: d.replicas, labels: sorted(d.labels),
    resources: compact({ limits: renderResources(d.resources.limits), reservations: renderResources(d.resources.reservations) }),
    restart_policy: p && compact({ condition: p.condition, delay: dur(p.delay), max_attempts: p.maxAttempts, window: dur(p.window) }),
    placement: d.placementConstraints.length > 0 ? { constraints: d.placementConstraints } : undefined,
  })
}

/** One service in compose-go's field order (the order `docker compose config` prints). */
export function renderService(s: ServiceConfig): Out {
  const networks: Out = {}
  for (const [name, a] of Object.entries(sorted(s.networks))) {
    const att = compact({
      priority: a.priority || undefined, aliases: a.aliases, driver_opts: sorted(a.driverOpts), ipv4_address: a.ipv4Address,
      ipv6_address: a.ipv6Address, link_local_ips: a.linkLocalIps, mac_address: a.macAddress,
    })
    networks[name] = Object.keys(att).length > 0 ? att : null
  }
  const dependsOn: Out = {}
  for (const [name, d] of Object.entries(sorted(s.dependsOn))) dependsOn[name] = { condition: d.condition, ...(d.restart ? { restart: true } : {}), required: d.required }
  const ulimits: Out = {}
  for (const [name, u] of Object.entries(sorted(s.ulimits))) ulimits[name] = u.soft === u.hard ? u.soft : { soft: u.soft, hard: u.hard }
  return compact({
    profiles: s.profiles, annotations: sorted(s.annotations), build: s.build && renderBuild(s.build),
    cap_add: s.capAdd, cap_drop: s.capDrop, cgroup_parent: s.cgroupParent, cpus: s.cpus, cpuset: s.cpuset, cpu_shares: s.cpuShares,
    command: s.command, configs: s.configs.map((c) => fileRef(c.target === `/${c.source}` ? { ...c, target: undefined } : c)), container_name: s.containerName,
    depends_on: dependsOn, deploy: s.deploy && renderDeploy(s.deploy), devices: s.devices,
    dns: s.dns, dns_opt: s.dnsOpt, dns_search: s.dnsSearch, domainname: s.domainname, entrypoint: s.entrypoint,
    environment: sorted(s.environment), expose: s.expose, external_links: s.externalLinks,
    extra_hosts: s.extraHosts.map(hostEntry).sort(), group_add: s.groupAdd, hostname: s.hostname,
    healthcheck: s.healthcheck && renderHealthcheck(s.healthcheck), image: s.image, init: s.init, ipc: s.ipc,
    labels: sorted(s.labels), links: s.links, logging: s.logging && compact({ driver: s.logging.driver, options: sorted(s.logging.options) }),
    mem_limit: bytes(s.memLimit), mem_reservation: bytes(s.memReservation), memswap_limit: bytes(s.memswapLimit),
    mac_address: s.macAddress, network_mode: s.networkMode, networks, oom_kill_disable: s.oomKillDisable || undefined, pid: s.pid, pids_limit: s.pidsLimit,
    platform: s.platform, ports: s.ports.map(renderPort), privileged: s.privileged || undefined, pull_policy: s.pullPolicy,
    read_only: s.readOnly || undefined, restart: s.restart, runtime: s.runtime,
    scale: s.scale !== 1 && s.deploy?.replicas === undefined ? s.scale : undefined,
    secrets: s.secrets.map(fileRef), security_opt: s.securityOpt, shm_size: bytes(s.shmSize), stdin_open: s.stdinOpen || undefined,
    stop_grace_period: dur(s.stopGracePeriod), stop_signal: s.stopSignal, sysctls: sorted(s.sysctls), tmpfs: s.tmpfs,
    tty: s.tty || undefined, ulimits, user: s.user, userns_mode: s.usernsMode, uts: s.uts,
    volumes: s.volumes.map(renderVolume), volumes_from: s.volumesFrom, working_dir: s.workingDir,
    ...s.unsupported,
    ...sorted(s.extensions ?? {}),
  })
}

/** A service secret/config reference; a config's default target (/<source>) is left out, as Compose prints it. */
function fileRef(r: { source: string; target?: string; uid?: string; gid?: string; mode?: number }): Out {
  return compact({ source: r.source, target: r.target, uid: r.uid, gid: r.gid, mode: r.mode })
}

function renderNetwork(n: NetworkConfig): Out {
  return compact({
    name: n.name, driver: n.driver, driver_opts: sorted(n.driverOpts),
    ipam: n.ipam && compact({
      driver: n.ipam.driver,
      config: n.ipam.config.map((c) => compact({ subnet: c.subnet, gateway: c.gateway, ip_range: c.ipRange, aux_addresses: sorted(c.auxAddresses) })),
      options: sorted(n.ipam.options),
    }),
    external: n.external || undefined, internal: n.internal || undefined, attachable: n.attachable || undefined,
    labels: sorted(n.labels), enable_ipv6: n.enableIpv6,
  })
}

function renderVolumeDef(v: VolumeConfig): Out {
  return compact({ name: v.name, driver: v.driver, driver_opts: sorted(v.driverOpts), external: v.external || undefined, labels: sorted(v.labels) })
}

function renderSecret(s: SecretOrConfigDefinition): Out {
  return compact({ name: s.name, file: s.file, environment: s.environment, content: s.content, external: s.external || undefined })
}

const mapValues = <T>(record: Record<string, T>, fn: (v: T) => Out): Out =>
  Object.fromEntries(Object.entries(sorted(record)).map(([k, v]) => [k, fn(v)]))

/** The project as `docker compose config` prints it (before YAML/JSON encoding). */
export function projectDocument(project: ComposeProject): Out {
  return compact({
    name: project.name,
    services: mapValues(project.services, renderService),
    networks: mapValues(project.networks, renderNetwork),
    volumes: mapValues(project.volumes, renderVolumeDef),
    secrets: mapValues(project.secrets, renderSecret),
    configs: mapValues(project.configs, renderSecret),
    ...sorted(project.extensions ?? {}),
  })
}

/**
 * `compose config` output: the normalized project in Docker Compose's canonical YAML/JSON
 * (long syntax, Go-style durations like "1m30s", sizes as byte strings), or one of the listing
 * options (--services, --volumes...), one name per line.
 */
export function renderConfig(project: ComposeProject, options: RenderConfigOptions): string {
  const lines = (names: string[]) => names.map((n) => `${n}\n`).join('')
  if (options.services) return lines(Object.keys(project.services).sort())
  if (options.volumes) return lines(Object.keys(project.volumes).sort())
  if (options.networks) return lines(Object.keys(project.networks).sort())
  if (options.profiles) return lines([...new Set(Object.values({ ...project.services, ...project.disabledServices }).flatMap((s) => s.profiles))].sort())
  if (options.images) {
    return lines(Object.values(project.services).sort((a, b) => (a.name < b.name ? -1 : 1)).map((s) => s.image ?? `${project.name}-${s.name}`))
  }
  const doc = projectDocument(project)
  if (options.format === 'json') return `${JSON.stringify(doc, null, 2)}\n`
  // The YAML 1.1 schema quotes strings like "no", "on" or "y" the way Go's yaml.v3 does, so that
  // YAML 1.1 readers (docker-compose 1.x, PyYAML) read them back as strings.
  return stringify(doc, { indent: 2, indentSeq: true, lineWidth: 0, minContentWidth: 0, nullStr: 'null', schema: 'yaml-1.1' })
}

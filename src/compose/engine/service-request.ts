/**
 * ServiceConfig → POST /containers/create body, as Docker Compose's getCreateConfigs builds it.
 * Pure: everything that needs the engine (image id, other services' containers, volumes inherited
 * from a replaced container) is resolved by the caller and passed in.
 */
import type { ContainerCreateRequest } from '../../client/index.js'
import {
  COMPOSE_VERSION, LABEL_CONFIG_FILES, LABEL_CONFIG_HASH, LABEL_CONTAINER_NUMBER, LABEL_DEPENDS_ON, LABEL_ENVIRONMENT_FILE, LABEL_IMAGE,
  LABEL_ONEOFF, LABEL_PROJECT, LABEL_SERVICE, LABEL_VERSION, LABEL_WORKING_DIR,
} from '../labels.js'
import { ComposeError } from '../model/index.js'
import type { ComposeProject, ServiceConfig, ServiceFileReference, ServiceNetworkAttachment } from '../model/index.js'

export interface ServiceRequestOptions {
  /** Container name (also the first network alias). */
  containerName: string
  number: number
  configHash: string
  /** Image reference to create from (the service image or `<project>-<service>`). */
  image: string
  /** Image id for LABEL_IMAGE (detects a rebuilt/re-pulled image). */
  imageId?: string
  oneoff?: boolean
  /** Anonymous volumes of a replaced container to keep: container path -> volume name. */
  inheritedVolumes?: Record<string, string>
  /** HostConfig.Links, already resolved to container names. */
  links?: string[]
  /** `service:x` references (network_mode, ipc, pid, volumes_from) -> a container id of x. */
  serviceContainer?: (service: string) => string | undefined
  /** Publish the service's ports (false for `run` without --service-ports). */
  publishPorts?: boolean
  /** The service name and network aliases as DNS names (false for `run` without --use-aliases). */
  useAliases?: boolean
  /** Extra labels (run's --label). */
  labels?: Record<string, string>
  /** `run --rm`: HostConfig.AutoRemove. */
  autoRemove?: boolean
  /** `run` attached with stdin (AttachStdin, StdinOnce). */
  attachStdin?: boolean
}

/** A file to copy into the container after create (secrets/configs from `environment:` or `content:`). */
export interface InjectedFile {
  target: string
  content: string
  mode: number
  uid: number
  gid: number
}

export interface ServiceRequest {
  body: ContainerCreateRequest
  /** Platform for the create query, when the service sets one. */
  platform?: string
  inject: InjectedFile[]
}

/** Networks in the order Compose connects them: highest priority first, then by key. */
export function networksByPriority(service: ServiceConfig): string[] {
  return Object.entries(service.networks)
    .sort(([ka, a], [kb, b]) => (b.priority - a.priority) || (ka < kb ? -1 : ka > kb ? 1 : 0))
    .map(([key]) => key)
}

export function serviceLabels(project: ComposeProject, service: ServiceConfig, options: ServiceRequestOptions): Record<string, string> {
  const dependsOn = Object.entries(service.dependsOn).map(([name, d]) => `${name}:${d.condition}:${d.restart}`).join(',')
  return {
    ...service.labels,
    ...options.labels,
    [LABEL_PROJECT]: project.name,
    [LABEL_SERVICE]: service.name,
    [LABEL_CONTAINER_NUMBER]: String(options.number),
    [LABEL_ONEOFF]: options.oneoff ? 'True' : 'False',
    [LABEL_CONFIG_HASH]: options.configHash,
    [LABEL_VERSION]: COMPOSE_VERSION,
    [LABEL_WORKING_DIR]: project.workingDir,
    [LABEL_CONFIG_FILES]: project.configFiles.join(','),
    [LABEL_DEPENDS_ON]: dependsOn,
    ...(project.envFiles?.length ? { [LABEL_ENVIRONMENT_FILE]: project.envFiles.join(',') } : {}),
    ...(options.imageId ? { [LABEL_IMAGE]: options.imageId } : {}),
  }
}

export function serviceCreateRequest(project: ComposeProject, service: ServiceConfig, options: ServiceRequestOptions): ServiceRequest {
  const exposed: Record<string, object> = {}
  const bindings: Record<string, Array<{ HostIp?: string; HostPort?: string }>> = {}
  for (const p of service.ports) {
    const key = `${p.target}/${p.protocol}`
    exposed[key] = {}
    if (options.publishPorts === false) continue
    ;(bindings[key] ??= []).push({ ...(p.hostIp ? { HostIp: p.hostIp } : {}), HostPort: p.published ?? '' })
  }
  for (const e of service.expose) exposed[e.includes('/') ? e : `${e}/tcp`] = {}

  const host: Record<string, unknown> = {
    ...(Object.keys(bindings).length ? { PortBindings: bindings } : {}),
    Mounts: mounts(project, service, options),
    ...resources(service),
    RestartPolicy: restartPolicy(service),
    ...(options.autoRemove ? { AutoRemove: true } : {}),
  }
  const set = (key: string, value: unknown): void => {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) return
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0) return
    host[key] = value
  }
  set('CapAdd', service.capAdd)
  set('CapDrop', service.capDrop)
  set('SecurityOpt', service.securityOpt)
  if (service.privileged) host['Privileged'] = true
  if (service.readOnly) host['ReadonlyRootfs'] = true
  if (service.init !== undefined) host['Init'] = service.init
  set('Dns', service.dns)
  set('DnsSearch', service.dnsSearch)
  set('DnsOptions', service.dnsOpt)
  set('ExtraHosts', service.extraHosts.map(extraHost))
  set('GroupAdd', service.groupAdd)
  set('Sysctls', service.sysctls)
  set('Annotations', service.annotations)
  set('Tmpfs', tmpfsMap(service.tmpfs))
  set('Links', options.links)
  set('CgroupParent', service.cgroupParent)
  set('Runtime', service.runtime)
  set('UsernsMode', service.usernsMode)
  set('UTSMode', service.uts)
  set('IpcMode', resolveServiceMode(service.ipc, options))
  set('PidMode', resolveServiceMode(service.pid, options))
  set('VolumesFrom', service.volumesFrom.map((v) => resolveVolumesFrom(v, options)))
  if (service.logging?.driver || Object.keys(service.logging?.options ?? {}).length) {
    host['LogConfig'] = { Type: service.logging?.driver ?? '', Config: service.logging?.options ?? {} }
  }

  let endpoints: Record<string, unknown> | undefined
  if (service.networkMode !== undefined) {
    host['NetworkMode'] = resolveServiceMode(service.networkMode, options)
  } else {
    const keys = networksByPriority(service)
    if (keys.length > 0) {
      host['NetworkMode'] = networkName(project, keys[0]!)
      endpoints = {}
      for (const key of keys) endpoints[networkName(project, key)] = endpointConfig(service, service.networks[key]!, options)
    }
  }

  const env = Object.entries(service.environment).map(([k, v]) => (v === null ? k : `${k}=${v}`))
  const body: ContainerCreateRequest = {
    Image: options.image,
    Labels: serviceLabels(project, service, options),
    Env: env,
    AttachStdin: options.attachStdin === true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: service.tty,
    OpenStdin: service.stdinOpen,
    StdinOnce: options.attachStdin === true && service.stdinOpen,
    ...(service.hostname ? { Hostname: service.hostname } : {}),
    ...(service.domainname ? { Domainname: service.domainname } : {}),
    ...(service.user ? { User: service.user } : {}),
    ...(service.workingDir ? { WorkingDir: service.workingDir } : {}),
    ...(service.command !== undefined ? { Cmd: service.command } : {}),
    ...(service.entrypoint !== undefined ? { Entrypoint: service.entrypoint } : {}),
    ...(Object.keys(exposed).length ? { ExposedPorts: exposed } : {}),
    ...(service.stopSignal ? { StopSignal: service.stopSignal } : {}),
    ...(service.stopGracePeriod !== undefined ? { StopTimeout: Math.floor(service.stopGracePeriod / 1e9) } : {}),
    ...(service.networkMode === 'disabled' ? { NetworkDisabled: true } : {}),
    ...(healthcheck(service) ? { Healthcheck: healthcheck(service) } : {}),
    HostConfig: host,
    ...(endpoints ? { NetworkingConfig: { EndpointsConfig: endpoints } } : {}),
  }
  return { body, inject: injectedFiles(project, service), ...(service.platform ? { platform: service.platform } : {}) }
}

function networkName(project: ComposeProject, key: string): string {
  return project.networks[key]?.name ?? `${project.name}_${key}`
}

function endpointConfig(service: ServiceConfig, net: ServiceNetworkAttachment, options: ServiceRequestOptions): Record<string, unknown> {
  const aliases = [options.containerName]
  if (options.useAliases !== false) aliases.push(service.name, ...net.aliases)
  const ipam: Record<string, unknown> = {}
  if (net.ipv4Address) ipam['IPv4Address'] = net.ipv4Address
  if (net.ipv6Address) ipam['IPv6Address'] = net.ipv6Address
  if (net.linkLocalIps.length) ipam['LinkLocalIPs'] = net.linkLocalIps
  return {
    Aliases: [...new Set(aliases)],
    ...(Object.keys(ipam).length ? { IPAMConfig: ipam } : {}),
    ...(net.macAddress ? { MacAddress: net.macAddress } : {}),
    ...(Object.keys(net.driverOpts).length ? { DriverOpts: net.driverOpts } : {}),
    ...(net.priority ? { GwPriority: net.priority } : {}),
    ...(options.links?.length ? { Links: options.links } : {}),
  }
}

/** `service:x` → `container:<id>`; other modes unchanged. */
function resolveServiceMode(mode: string | undefined, options: ServiceRequestOptions): string | undefined {
  if (!mode?.startsWith('service:')) return mode
  const name = mode.slice('service:'.length)
  const id = options.serviceContainer?.(name)
  if (!id) throw new ComposeError(`cannot share namespace with service ${name}: container missing`)
  return `container:${id}`
}

function resolveVolumesFrom(entry: string, options: ServiceRequestOptions): string {
  const parts = entry.split(':')
  if (parts[0] === 'container') return parts.slice(1).join(':')
  const [name, mode] = parts[0] === 'service' ? [parts[1]!, parts[2]] : [parts[0]!, parts[1]]
  const id = options.serviceContainer?.(name)
  if (!id) throw new ComposeError(`cannot share volume with service ${name}: container missing`)
  return mode ? `${id}:${mode}` : id
}

/** Compose writes extra_hosts as "host:ip"; the loader may keep "host=ip". */
function extraHost(entry: string): string {
  const eq = entry.indexOf('=')
  return eq > 0 && !entry.slice(0, eq).includes(':') ? `${entry.slice(0, eq)}:${entry.slice(eq + 1)}` : entry
}

function tmpfsMap(entries: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const t of entries) {
    const colon = t.indexOf(':')
    if (colon < 0) out[t] = ''
    else out[t.slice(0, colon)] = t.slice(colon + 1)
  }
  return out
}

function mounts(project: ComposeProject, service: ServiceConfig, options: ServiceRequestOptions): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = []
  for (const v of service.volumes) {
    const base = { Target: v.target, ...(v.readOnly ? { ReadOnly: true } : {}), ...(v.consistency ? { Consistency: v.consistency } : {}) }
    switch (v.type) {
      case 'volume': {
        const source = v.source !== undefined ? (project.volumes[v.source]?.name ?? v.source) : options.inheritedVolumes?.[v.target]
        const volumeOptions = {
          ...(v.volume?.nocopy ? { NoCopy: true } : {}),
          ...(v.volume?.subpath ? { Subpath: v.volume.subpath } : {}),
        }
        out.push({ Type: 'volume', ...(source ? { Source: source } : {}), ...base, ...(Object.keys(volumeOptions).length ? { VolumeOptions: volumeOptions } : {}) })
        break
      }
      case 'bind':
        out.push({
          Type: 'bind', Source: v.source, ...base,
          BindOptions: { ...(v.bind?.propagation ? { Propagation: v.bind.propagation } : {}), CreateMountpoint: v.bind?.createHostPath ?? true },
        })
        break
      case 'tmpfs': {
        const tmpfsOptions = {
          ...(v.tmpfs?.size !== undefined ? { SizeBytes: v.tmpfs.size } : {}),
          ...(v.tmpfs?.mode !== undefined ? { Mode: v.tmpfs.mode } : {}),
        }
        out.push({ Type: 'tmpfs', ...base, ...(Object.keys(tmpfsOptions).length ? { TmpfsOptions: tmpfsOptions } : {}) })
        break
      }
      default:
        out.push({ Type: v.type, ...(v.source ? { Source: v.source } : {}), ...base })
    }
  }
  // Anonymous volumes of a replaced container that the service does not declare (the image's VOLUMEs).
  const declared = new Set(out.map((m) => m['Target']))
  for (const [target, name] of Object.entries(options.inheritedVolumes ?? {})) {
    if (!declared.has(target)) out.push({ Type: 'volume', Source: name, Target: target })
  }
  // File-based secrets and configs are bind-mounted read-only, as Compose does outside swarm.
  for (const [refs, defs, prefix] of [[service.secrets, project.secrets, '/run/secrets/'], [service.configs, project.configs, '/']] as const) {
    for (const ref of refs) {
      const def = defs[ref.source]
      if (!def?.file) continue
      out.push({ Type: 'bind', Source: def.file, Target: fileTarget(ref, prefix), ReadOnly: true })
    }
  }
  return out
}

function fileTarget(ref: ServiceFileReference, prefix: string): string {
  if (!ref.target) return prefix + ref.source
  return ref.target.startsWith('/') ? ref.target : prefix + ref.target
}

/** Secrets/configs whose content comes from `environment:` or `content:` (copied in after create). */
function injectedFiles(project: ComposeProject, service: ServiceConfig): InjectedFile[] {
  const out: InjectedFile[] = []
  for (const [refs, defs, prefix] of [[service.secrets, project.secrets, '/run/secrets/'], [service.configs, project.configs, '/']] as const) {
    for (const ref of refs) {
      const def = defs[ref.source]
      if (!def || def.file) continue
      let content: string | undefined = def.content
      if (def.environment !== undefined) content = project.environment[def.environment] ?? ''
      if (content === undefined) continue
      out.push({
        target: fileTarget(ref, prefix), content, mode: ref.mode ?? 0o444,
        uid: Number(ref.uid ?? 0) || 0, gid: Number(ref.gid ?? 0) || 0,
      })
    }
  }
  return out
}

function healthcheck(service: ServiceConfig): Record<string, unknown> | undefined {
  const hc = service.healthcheck
  if (!hc) return undefined
  if (hc.disable) return { Test: ['NONE'] }
  const out: Record<string, unknown> = {}
  if (hc.test) out['Test'] = hc.test
  if (hc.interval !== undefined) out['Interval'] = hc.interval
  if (hc.timeout !== undefined) out['Timeout'] = hc.timeout
  if (hc.retries !== undefined) out['Retries'] = hc.retries
  if (hc.startPeriod !== undefined) out['StartPeriod'] = hc.startPeriod
  if (hc.startInterval !== undefined) out['StartInterval'] = hc.startInterval
  return out
}

/** restart: or deploy.restart_policy (Compose's getRestartPolicy). */
export function restartPolicy(service: ServiceConfig): { Name: string; MaximumRetryCount?: number } {
  if (service.restart) {
    const [name, count] = service.restart.split(':')
    return count !== undefined ? { Name: name!, MaximumRetryCount: Number(count) } : { Name: name! }
  }
  const rp = service.deploy?.restartPolicy
  if (rp) {
    const name = rp.condition === 'none' ? 'no' : rp.condition === 'any' ? 'always' : 'on-failure'
    return rp.maxAttempts !== undefined ? { Name: name, MaximumRetryCount: rp.maxAttempts } : { Name: name }
  }
  return { Name: 'no' }
}

function resources(service: ServiceConfig): Record<string, unknown> {
  const limits = service.deploy?.resources.limits ?? {}
  const reservations = service.deploy?.resources.reservations ?? {}
  const out: Record<string, unknown> = {}
  const memory = service.memLimit ?? limits.memory
  if (memory !== undefined) out['Memory'] = memory
  const cpus = service.cpus ?? limits.cpus
  if (cpus !== undefined) out['NanoCpus'] = Math.round(cpus * 1e9)
  const pids = service.pidsLimit ?? limits.pids
  if (pids !== undefined) out['PidsLimit'] = pids
  const reservation = service.memReservation ?? reservations.memory
  if (reservation !== undefined) out['MemoryReservation'] = reservation
  if (service.memswapLimit !== undefined) out['MemorySwap'] = service.memswapLimit
  if (service.cpuShares !== undefined) out['CpuShares'] = service.cpuShares
  if (service.cpuset !== undefined) out['CpusetCpus'] = service.cpuset
  if (service.shmSize !== undefined) out['ShmSize'] = service.shmSize
  if (service.oomKillDisable !== undefined) out['OomKillDisable'] = service.oomKillDisable
  const ulimits = Object.entries(service.ulimits).map(([Name, u]) => ({ Name, Soft: u.soft, Hard: u.hard }))
  if (ulimits.length) out['Ulimits'] = ulimits
  const devices = service.devices.map(parseDevice)
  if (devices.length) out['Devices'] = devices
  return out
}

/** "host[:container[:permissions]]" (docker's --device syntax). */
function parseDevice(text: string): { PathOnHost: string; PathInContainer: string; CgroupPermissions: string } {
  const [host = '', second, third] = text.split(':')
  if (second !== undefined && third === undefined && /^[rwm]+$/.test(second)) return { PathOnHost: host, PathInContainer: host, CgroupPermissions: second }
  return { PathOnHost: host, PathInContainer: second ?? host, CgroupPermissions: third ?? 'rwm' }
}

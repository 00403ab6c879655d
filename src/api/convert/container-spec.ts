import { invalid } from '../../common/index.js'
import type { ContainerSpec, EndpointSpec, HostSpec, RestartPolicy } from '../../engine/containers/index.js'
import type { ContainerCreateRequest, HostConfigWire } from '../types/index.js'

/** Docker's strslice: a JSON string or array of strings; null stays null ("not given"). */
function strSlice(value: string[] | string | null | undefined, field: string): string[] | null | undefined {
  if (value === undefined || value === null) return value
  if (typeof value === 'string') return [value]
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value
  throw invalid('INVALID_PARAMETER', `invalid JSON: ${field} must be a string or an array of strings`)
}

function nonEmpty<T>(xs: T[] | null | undefined): T[] | undefined {
  return xs && xs.length > 0 ? xs : undefined
}

const restartPolicyNames: ReadonlySet<string> = new Set(['', 'no', 'always', 'on-failure', 'unless-stopped'])

function restartPolicy(wire: HostConfigWire['RestartPolicy']): RestartPolicy | undefined {
  if (!wire) return undefined
  const name = wire.Name ?? ''
  if (!restartPolicyNames.has(name)) throw invalid('INVALID_RESTART_POLICY', `invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`)
  return { name: name as RestartPolicy['name'], maximumRetryCount: wire.MaximumRetryCount ?? 0 }
}

function hostSpec(wire: HostConfigWire | null | undefined): HostSpec {
  if (!wire) return {}
  const host: HostSpec = { raw: { ...wire } }
  if (wire.AutoRemove !== undefined) host.autoRemove = wire.AutoRemove
  if (wire.ReadonlyRootfs !== undefined) host.readonlyRootfs = wire.ReadonlyRootfs
  if (wire.Init !== undefined && wire.Init !== null) host.init = wire.Init
  if (wire.NetworkMode) host.networkMode = wire.NetworkMode
  const rp = restartPolicy(wire.RestartPolicy)
  if (rp) host.restartPolicy = rp
  // The docker CLI sends Type "" with the --log-opt values when no --log-driver is given: the engine's default driver applies.
  if (wire.LogConfig && (wire.LogConfig.Type || Object.keys(wire.LogConfig.Config ?? {}).length > 0)) {
    host.logConfig = { type: wire.LogConfig.Type ?? '', config: wire.LogConfig.Config ?? {} }
  }
  if (wire.Privileged !== undefined) host.privileged = wire.Privileged
  const lists: Array<[keyof HostSpec, string[] | null | undefined]> = [
    ['capAdd', wire.CapAdd], ['capDrop', wire.CapDrop], ['binds', wire.Binds], ['extraHosts', wire.ExtraHosts],
    ['dns', wire.Dns], ['dnsSearch', wire.DnsSearch], ['dnsOptions', wire.DnsOptions],
  ]
  for (const [key, value] of lists) {
    const v = nonEmpty(value)
    if (v) (host as Record<string, unknown>)[key] = v
  }
  return host
}

/** NetworkingConfig.EndpointsConfig -> per-network aliases, links, --ip and --mac-address. */
export function endpointsConfig(wire: Record<string, unknown> | null | undefined): Record<string, EndpointSpec> | undefined {
  if (!wire || typeof wire !== 'object') return undefined
  const out: Record<string, EndpointSpec> = {}
  for (const [name, raw] of Object.entries(wire)) {
    const e = (raw ?? {}) as { Aliases?: string[] | null; Links?: string[] | null; IPAMConfig?: { IPv4Address?: string; IPv6Address?: string } | null; MacAddress?: string }
    const spec: EndpointSpec = {}
    if (e.Aliases?.length) spec.aliases = e.Aliases
    if (e.Links?.length) spec.links = e.Links
    if (e.IPAMConfig?.IPv4Address) spec.ipv4Address = e.IPAMConfig.IPv4Address
    if (e.IPAMConfig?.IPv6Address) spec.ipv6Address = e.IPAMConfig.IPv6Address
    if (e.MacAddress) spec.macAddress = e.MacAddress
    out[name] = spec
  }
  return Object.keys(out).length > 0 ? out : undefined
}

/** POST /containers/create body -> ContainerSpec. InvalidArgument for an empty body or malformed fields. */
export function containerSpecFromCreate(body: ContainerCreateRequest | undefined): ContainerSpec {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('EMPTY_CONFIG', 'config cannot be empty in order to create a container')
  }
  const spec: ContainerSpec = { image: typeof body.Image === 'string' ? body.Image : '', host: hostSpec(body.HostConfig) }
  if (body.Hostname) spec.hostname = body.Hostname
  if (body.Domainname) spec.domainname = body.Domainname
  if (body.User) spec.user = body.User
  const env = nonEmpty(body.Env)
  if (env) spec.env = env
  const cmd = strSlice(body.Cmd, 'Cmd')
  if (cmd !== undefined) spec.cmd = cmd && cmd.length > 0 ? cmd : null
  // An empty Entrypoint array is meaningful: `--entrypoint ""` resets the image's entrypoint.
  const entrypoint = strSlice(body.Entrypoint, 'Entrypoint')
  if (entrypoint !== undefined) spec.entrypoint = entrypoint
  if (body.WorkingDir) spec.workingDir = body.WorkingDir
  if (body.Labels && Object.keys(body.Labels).length > 0) spec.labels = body.Labels
  for (const [wireKey, key] of [
    ['Tty', 'tty'], ['OpenStdin', 'openStdin'], ['StdinOnce', 'stdinOnce'],
    ['AttachStdin', 'attachStdin'], ['AttachStdout', 'attachStdout'], ['AttachStderr', 'attachStderr'],
  ] as const) {
    if (typeof body[wireKey] === 'boolean') spec[key] = body[wireKey]
  }
  const hc = body.Healthcheck as Record<string, unknown> | undefined | null
  if (hc && typeof hc === 'object') {
    const num = (k: string): number | undefined => (typeof hc[k] === 'number' ? (hc[k] as number) : undefined)
    spec.healthcheck = {
      test: Array.isArray(hc['Test']) ? (hc['Test'] as string[]) : undefined,
      interval: num('Interval'), timeout: num('Timeout'), startPeriod: num('StartPeriod'), startInterval: num('StartInterval'), retries: num('Retries'),
    }
  }
  if (body.StopSignal) spec.stopSignal = body.StopSignal
  if (typeof body.StopTimeout === 'number') spec.stopTimeout = body.StopTimeout
  if (body.ExposedPorts && Object.keys(body.ExposedPorts).length > 0) spec.exposedPorts = body.ExposedPorts
  if (body.Volumes && Object.keys(body.Volumes).length > 0) spec.volumes = body.Volumes
  const endpoints = endpointsConfig(body.NetworkingConfig?.EndpointsConfig)
  if (endpoints) spec.endpointsConfig = endpoints
  return spec
}

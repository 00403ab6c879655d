import { join } from 'node:path'
import { ZERO_TIME, type ContainerRecord } from '../../engine/containers/index.js'
import type {
  ContainerConfigWire, ContainerInspectResponse, ContainerSummary, EndpointSettingsWire, NetworkSettingsWire,
} from '../types/index.js'
import type { ContainerNetworkView } from '../../engine/networks/index.js'
import { containerStatusText } from './human-duration.js'
import { mountPointView } from './volume-view.js'
import { networkSettingsView, summaryPorts } from './network-view.js'

/** Name of the storage driver containers report in GraphDriver/Driver. */
export const containerGraphDriver = 'overlay'

function envKey(entry: string): string {
  const i = entry.indexOf('=')
  return i < 0 ? entry : entry.slice(0, i)
}

/**
 * The container's Config as Docker reports it: the create request merged with the image's
 * defaults by moby's rules (daemon/commit.go merge): user values win, image Env entries and
 * labels fill in missing keys, Cmd comes from the image only when neither Cmd nor Entrypoint was given.
 */
export function effectiveConfig(record: ContainerRecord): ContainerConfigWire {
  const spec = record.spec
  const image = record.imageConfig ?? {}
  const userEnv = spec.env ?? []
  const userKeys = new Set(userEnv.map(envKey))
  const env = [...userEnv, ...(image.Env ?? []).filter((e) => !userKeys.has(envKey(e)))]
  const entrypointGiven = spec.entrypoint !== undefined && spec.entrypoint !== null && spec.entrypoint.length > 0
  let cmd = spec.cmd ?? null
  let entrypoint = spec.entrypoint ?? null
  if (!entrypointGiven) {
    if (!cmd || cmd.length === 0) cmd = image.Cmd ?? null
    if (spec.entrypoint === undefined || spec.entrypoint === null) entrypoint = image.Entrypoint ?? null
  }
  const config: ContainerConfigWire = {
    Hostname: spec.hostname || record.id.slice(0, 12),
    Domainname: spec.domainname ?? '',
    User: spec.user || image.User || '',
    AttachStdin: spec.attachStdin ?? false,
    AttachStdout: spec.attachStdout ?? false,
    AttachStderr: spec.attachStderr ?? false,
  }
  const exposed = { ...(image.ExposedPorts ?? {}), ...(spec.exposedPorts ?? {}) }
  if (Object.keys(exposed).length > 0) config.ExposedPorts = exposed
  Object.assign(config, {
    Tty: spec.tty ?? false,
    OpenStdin: spec.openStdin ?? false,
    StdinOnce: spec.stdinOnce ?? false,
    Env: env.length > 0 ? env : null,
    Cmd: cmd,
    Image: spec.image,
    Volumes: spec.volumes || image.Volumes ? { ...(image.Volumes ?? {}), ...(spec.volumes ?? {}) } : null,
    WorkingDir: spec.workingDir || image.WorkingDir || '',
    Entrypoint: entrypoint,
    OnBuild: null,
    Labels: { ...(image.Labels ?? {}), ...(spec.labels ?? {}) },
  })
  const hc = spec.healthcheck ?? (image.Healthcheck ? { test: image.Healthcheck.Test, interval: image.Healthcheck.Interval, timeout: image.Healthcheck.Timeout, startPeriod: image.Healthcheck.StartPeriod, startInterval: image.Healthcheck.StartInterval, retries: image.Healthcheck.Retries } : undefined)
  if (hc) {
    const view: Record<string, unknown> = { Test: hc.test ?? null }
    if (hc.interval) view.Interval = hc.interval
    if (hc.timeout) view.Timeout = hc.timeout
    if (hc.startPeriod) view.StartPeriod = hc.startPeriod
    if (hc.startInterval) view.StartInterval = hc.startInterval
    if (hc.retries) view.Retries = hc.retries
    config.Healthcheck = view
  }
  const stopSignal = spec.stopSignal || image.StopSignal
  if (stopSignal) config.StopSignal = stopSignal
  if (spec.stopTimeout !== undefined) config.StopTimeout = spec.stopTimeout
  return config
}

/** Docker's HostConfig defaults for fields the client did not send (what `docker inspect` shows for `docker create busybox`). */
function hostConfigDefaults(): Record<string, unknown> {
  return {
    Binds: null, ContainerIDFile: '', LogConfig: { Type: 'json-file', Config: {} }, NetworkMode: 'default',
    PortBindings: {}, RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, VolumeDriver: '',
    VolumesFrom: null, ConsoleSize: [0, 0], CapAdd: null, CapDrop: null, CgroupnsMode: 'host', Dns: [],
    DnsOptions: [], DnsSearch: [], ExtraHosts: null, GroupAdd: null, IpcMode: 'private', Cgroup: '', Links: null,
    OomScoreAdj: 0, PidMode: '', Privileged: false, PublishAllPorts: false, ReadonlyRootfs: false, SecurityOpt: null,
    UTSMode: '', UsernsMode: '', ShmSize: 67108864, Runtime: 'crun', Isolation: '', CpuShares: 0, Memory: 0,
    NanoCpus: 0, CgroupParent: '', BlkioWeight: 0, BlkioWeightDevice: [], BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [], BlkioDeviceReadIOps: [], BlkioDeviceWriteIOps: [], CpuPeriod: 0, CpuQuota: 0,
    CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0, CpusetCpus: '', CpusetMems: '', Devices: [], DeviceCgroupRules: null,
    DeviceRequests: null, MemoryReservation: 0, MemorySwap: 0, MemorySwappiness: null, OomKillDisable: false,
    PidsLimit: null, Ulimits: [], CpuCount: 0, CpuPercent: 0, IOMaximumIOps: 0, IOMaximumBandwidth: 0,
    MaskedPaths: [], ReadonlyPaths: [],
  }
}

/** HostConfig for inspect: Docker's defaults, overlaid with what the client sent, overlaid with the fields berth interprets. */
export function hostConfigView(record: ContainerRecord): Record<string, unknown> {
  const host = record.spec.host ?? {}
  const view: Record<string, unknown> = { ...hostConfigDefaults(), Runtime: record.runtime || 'crun' }
  for (const [k, v] of Object.entries(host.raw ?? {})) if (v !== undefined) view[k] = v
  view.NetworkMode = !host.networkMode || host.networkMode === 'default' ? 'bridge' : host.networkMode
  if (host.autoRemove !== undefined) view.AutoRemove = host.autoRemove
  if (host.readonlyRootfs !== undefined) view.ReadonlyRootfs = host.readonlyRootfs
  if (host.init !== undefined) view.Init = host.init
  if (host.privileged !== undefined) view.Privileged = host.privileged
  if (host.restartPolicy) view.RestartPolicy = { Name: host.restartPolicy.name || 'no', MaximumRetryCount: host.restartPolicy.maximumRetryCount }
  if (host.logConfig) view.LogConfig = { Type: host.logConfig.type, Config: host.logConfig.config }
  return view
}

/**
 * The network a container reports. Until networking provides endpoints, only "host" shares a
 * network; every other mode runs in its own empty namespace, which Docker calls "none".
 */
export function networkNameOf(record: ContainerRecord): string {
  return record.spec.host?.networkMode === 'host' ? 'host' : 'none'
}

function emptyEndpoint(): EndpointSettingsWire {
  return {
    IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, GwPriority: 0, NetworkID: '',
    EndpointID: '', Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0, DNSNames: null,
  }
}

function networkSettings(record: ContainerRecord): NetworkSettingsWire {
  return {
    Bridge: '', SandboxID: '', SandboxKey: '', Ports: {}, HairpinMode: false, LinkLocalIPv6Address: '',
    LinkLocalIPv6PrefixLen: 0, SecondaryIPAddresses: null, SecondaryIPv6Addresses: null, EndpointID: '', Gateway: '',
    GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', MacAddress: '',
    Networks: { [networkNameOf(record)]: emptyEndpoint() },
  }
}

function hasStarted(record: ContainerRecord): boolean {
  return record.state.startedAt !== ZERO_TIME
}

/** moby's list Command: path and args, args with spaces in single quotes. */
export function commandLine(record: ContainerRecord): string {
  if (record.args.length === 0) return record.path
  return `${record.path} ${record.args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`
}

/** An item of GET /containers/json. */
export function containerSummary(record: ContainerRecord, now: Date, net?: ContainerNetworkView): ContainerSummary {
  const settings = net && networkSettingsView(net, record.state.running, hasStarted(record))
  return {
    Id: record.id,
    Names: ['/' + record.name],
    Image: record.spec.image,
    ImageID: record.imageId,
    Command: commandLine(record),
    Created: Math.floor(Date.parse(record.created) / 1000),
    Ports: net ? summaryPorts(net, record.state.running) : [],
    // What effectiveConfig() gives as Labels, without building the rest of the config for every row.
    Labels: { ...(record.imageConfig?.Labels ?? {}), ...(record.spec.labels ?? {}) },
    State: record.state.status,
    Status: containerStatusText(record.state, now),
    HostConfig: { NetworkMode: !record.spec.host?.networkMode || record.spec.host.networkMode === 'default' ? 'bridge' : record.spec.host.networkMode },
    NetworkSettings: { Networks: settings ? settings.Networks : { [networkNameOf(record)]: emptyEndpoint() } },
    Mounts: (record.mountPoints ?? []).map(mountPointView),
  }
}

/** GET /containers/{id}/json. */
export function containerInspect(record: ContainerRecord, net?: ContainerNetworkView): ContainerInspectResponse {
  const s = record.state
  return {
    Id: record.id,
    Created: record.created,
    Path: record.path,
    Args: record.args,
    State: {
      Status: s.status, Running: s.running || s.restarting, Paused: s.paused, Restarting: s.restarting, OOMKilled: s.oomKilled,
      Dead: s.dead, Pid: s.pid, ExitCode: s.exitCode, Error: s.error, StartedAt: s.startedAt, FinishedAt: s.finishedAt,
      ...(s.health ? {
        Health: {
          Status: s.health.status, FailingStreak: s.health.failingStreak,
          Log: s.health.log.map((l) => ({ Start: l.start, End: l.end, ExitCode: l.exitCode, Output: l.output })),
        },
      } : {}),
    },
    Image: record.imageId,
    ResolvConfPath: record.resolvConfPath,
    HostnamePath: record.hostnamePath,
    HostsPath: record.hostsPath,
    LogPath: record.spec.host.logConfig?.type === 'none' ? '' : record.logPath, // Docker: empty for the none driver
    Name: '/' + record.name,
    RestartCount: record.restartCount,
    Driver: containerGraphDriver,
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: null,
    HostConfig: hostConfigView(record),
    GraphDriver: {
      Name: containerGraphDriver,
      Data: { MergedDir: record.rootfsPath, UpperDir: join(record.bundleDir, 'upper'), WorkDir: join(record.bundleDir, 'work') },
    },
    Mounts: (record.mountPoints ?? []).map(mountPointView),
    Config: effectiveConfig(record),
    NetworkSettings: net ? networkSettingsView(net, record.state.running, hasStarted(record)) : networkSettings(record),
  }
}

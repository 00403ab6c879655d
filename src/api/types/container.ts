/** Docker Engine API container shapes (v1.50), as they travel on the wire. */

export interface RestartPolicyWire {
  Name?: string
  MaximumRetryCount?: number
}

export interface LogConfigWire {
  Type?: string
  Config?: Record<string, string>
}

/** The Config object of POST /containers/create and of inspect. */
export interface ContainerConfigWire {
  Hostname?: string
  Domainname?: string
  User?: string
  AttachStdin?: boolean
  AttachStdout?: boolean
  AttachStderr?: boolean
  ExposedPorts?: Record<string, object> | null
  Tty?: boolean
  OpenStdin?: boolean
  StdinOnce?: boolean
  Env?: string[] | null
  /** Docker accepts a string too (strslice). */
  Cmd?: string[] | string | null
  Healthcheck?: Record<string, unknown>
  ArgsEscaped?: boolean
  Image?: string
  Volumes?: Record<string, object> | null
  WorkingDir?: string
  Entrypoint?: string[] | string | null
  NetworkDisabled?: boolean
  MacAddress?: string
  OnBuild?: string[] | null
  Labels?: Record<string, string> | null
  StopSignal?: string
  StopTimeout?: number | null
  Shell?: string[] | null
}

/** HostConfig: only the fields berth reads are typed; the rest is echoed back as sent. */
export interface HostConfigWire {
  Binds?: string[] | null
  LogConfig?: LogConfigWire
  NetworkMode?: string
  RestartPolicy?: RestartPolicyWire
  AutoRemove?: boolean
  CapAdd?: string[] | null
  CapDrop?: string[] | null
  Dns?: string[] | null
  DnsOptions?: string[] | null
  DnsSearch?: string[] | null
  ExtraHosts?: string[] | null
  Privileged?: boolean
  ReadonlyRootfs?: boolean
  Init?: boolean | null
  [field: string]: unknown
}

/** Body of POST /containers/create. */
export interface ContainerCreateRequest extends ContainerConfigWire {
  HostConfig?: HostConfigWire | null
  NetworkingConfig?: { EndpointsConfig?: Record<string, unknown> } | null
}

export interface ContainerCreateResponse {
  Id: string
  Warnings: string[]
}

export interface EndpointSettingsWire {
  IPAMConfig: { IPv4Address?: string; IPv6Address?: string } | null
  Links: string[] | null
  Aliases: string[] | null
  MacAddress: string
  DriverOpts: Record<string, string> | null
  GwPriority: number
  NetworkID: string
  EndpointID: string
  Gateway: string
  IPAddress: string
  IPPrefixLen: number
  IPv6Gateway: string
  GlobalIPv6Address: string
  GlobalIPv6PrefixLen: number
  DNSNames: string[] | null
}

export interface PortWire {
  IP?: string
  PrivatePort: number
  PublicPort?: number
  Type: string
}

export interface MountPointWire {
  Type: string
  Name?: string
  Source: string
  Destination: string
  Driver?: string
  Mode: string
  RW: boolean
  Propagation: string
}

/** An item of GET /containers/json. */
export interface ContainerSummary {
  Id: string
  Names: string[]
  Image: string
  ImageID: string
  Command: string
  Created: number
  Ports: PortWire[]
  SizeRw?: number
  SizeRootFs?: number
  Labels: Record<string, string>
  State: string
  Status: string
  HostConfig: { NetworkMode: string }
  NetworkSettings: { Networks: Record<string, EndpointSettingsWire> }
  Mounts: MountPointWire[]
}

export interface ContainerStateWire {
  Status: string
  Running: boolean
  Paused: boolean
  Restarting: boolean
  OOMKilled: boolean
  Dead: boolean
  Pid: number
  ExitCode: number
  Error: string
  StartedAt: string
  FinishedAt: string
}

export interface NetworkSettingsWire {
  Bridge: string
  SandboxID: string
  SandboxKey: string
  Ports: Record<string, unknown>
  HairpinMode: boolean
  LinkLocalIPv6Address: string
  LinkLocalIPv6PrefixLen: number
  SecondaryIPAddresses: null
  SecondaryIPv6Addresses: null
  EndpointID: string
  Gateway: string
  GlobalIPv6Address: string
  GlobalIPv6PrefixLen: number
  IPAddress: string
  IPPrefixLen: number
  IPv6Gateway: string
  MacAddress: string
  Networks: Record<string, EndpointSettingsWire>
}

/** GET /containers/{id}/json. */
export interface ContainerInspectResponse {
  Id: string
  Created: string
  Path: string
  Args: string[]
  State: ContainerStateWire
  Image: string
  ResolvConfPath: string
  HostnamePath: string
  HostsPath: string
  LogPath: string
  Name: string
  RestartCount: number
  Driver: string
  Platform: string
  MountLabel: string
  ProcessLabel: string
  AppArmorProfile: string
  ExecIDs: string[] | null
  HostConfig: Record<string, unknown>
  GraphDriver: { Name: string; Data: Record<string, string> | null }
  SizeRw?: number
  SizeRootFs?: number
  Mounts: MountPointWire[]
  Config: ContainerConfigWire
  NetworkSettings: NetworkSettingsWire
}

export interface ContainerWaitResponse {
  StatusCode: number
  Error: { Message: string } | null
}

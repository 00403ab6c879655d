/** Docker Engine API system shapes (v1.50): /version, /info, /events, errors. */

export interface ErrorResponse {
  message: string
}

export interface ComponentVersion {
  Name: string
  Version: string
  Details?: Record<string, string>
}

export interface SystemVersion {
  Platform: { Name: string }
  Components: ComponentVersion[]
  Version: string
  ApiVersion: string
  MinAPIVersion: string
  GitCommit: string
  GoVersion: string
  Os: string
  Arch: string
  KernelVersion: string
  Experimental?: boolean
  BuildTime: string
}

export interface RuntimeWire {
  path: string
  runtimeArgs?: string[]
}

export interface CommitWire {
  ID: string
  Expected?: string
}

export interface IndexInfoWire {
  Name: string
  Mirrors: string[]
  Secure: boolean
  Official: boolean
}

/** GET /info: the fields `docker info` reads. */
export interface SystemInfo {
  ID: string
  Containers: number
  ContainersRunning: number
  ContainersPaused: number
  ContainersStopped: number
  Images: number
  Driver: string
  DriverStatus: Array<[string, string]>
  DockerRootDir: string
  Plugins: { Volume: string[]; Network: string[]; Authorization: string[] | null; Log: string[] }
  MemoryLimit: boolean
  SwapLimit: boolean
  KernelMemoryTCP: boolean
  CpuCfsPeriod: boolean
  CpuCfsQuota: boolean
  CPUShares: boolean
  CPUSet: boolean
  PidsLimit: boolean
  OomKillDisable: boolean
  IPv4Forwarding: boolean
  Debug: boolean
  NFd: number
  NGoroutines: number
  SystemTime: string
  LoggingDriver: string
  CgroupDriver: string
  CgroupVersion: string
  NEventsListener: number
  KernelVersion: string
  OperatingSystem: string
  OSVersion: string
  OSType: string
  Architecture: string
  IndexServerAddress: string
  RegistryConfig: {
    AllowNondistributableArtifactsCIDRs: string[] | null
    AllowNondistributableArtifactsHostnames: string[] | null
    InsecureRegistryCIDRs: string[]
    IndexConfigs: Record<string, IndexInfoWire>
    Mirrors: string[] | null
  }
  NCPU: number
  MemTotal: number
  GenericResources: null
  HttpProxy: string
  HttpsProxy: string
  NoProxy: string
  Name: string
  Labels: string[]
  ExperimentalBuild: boolean
  ServerVersion: string
  Runtimes: Record<string, RuntimeWire>
  DefaultRuntime: string
  Swarm: {
    NodeID: string
    NodeAddr: string
    LocalNodeState: string
    ControlAvailable: boolean
    Error: string
    RemoteManagers: null
  }
  LiveRestoreEnabled: boolean
  Isolation: string
  InitBinary: string
  ContainerdCommit: CommitWire
  RuncCommit: CommitWire
  InitCommit: CommitWire
  SecurityOptions: string[]
  CDISpecDirs: string[]
  Warnings: string[]
}

/** One line of GET /events. `status`, `id` and `from` are the pre-1.22 fields Docker still sends. */
export interface EventMessage {
  status?: string
  id?: string
  from?: string
  Type: string
  Action: string
  Actor: { ID: string; Attributes: Record<string, string> }
  scope: 'local' | 'swarm'
  time: number
  /** int64 on the wire: serialise from a bigint, never through a JS number. */
  timeNano: bigint
}

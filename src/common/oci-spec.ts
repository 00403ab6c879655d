/**
 * OCI runtime-spec configuration (config.json) types for Linux, with the field names of the standard
 * (reference/oci/runtime-spec/config.md and config-linux.md). Types only: no behaviour.
 */

export interface Spec {
  ociVersion: string
  process?: Process
  root?: Root
  hostname?: string
  domainname?: string
  mounts?: Mount[]
  hooks?: Hooks
  annotations?: Record<string, string>
  linux?: Linux
}

export interface Root {
  /** Absolute, or relative to the bundle. */
  path: string
  readonly?: boolean
}

export interface Mount {
  destination: string
  source?: string
  type?: string
  options?: string[]
  uidMappings?: LinuxIDMapping[]
  gidMappings?: LinuxIDMapping[]
}

export interface Process {
  terminal?: boolean
  consoleSize?: { height: number; width: number }
  user: User
  args?: string[]
  commandLine?: string
  env?: string[]
  cwd: string
  capabilities?: LinuxCapabilities
  rlimits?: POSIXRlimit[]
  noNewPrivileges?: boolean
  apparmorProfile?: string
  oomScoreAdj?: number
  scheduler?: Scheduler
  selinuxLabel?: string
  ioPriority?: { class: 'IOPRIO_CLASS_RT' | 'IOPRIO_CLASS_BE' | 'IOPRIO_CLASS_IDLE'; priority: number }
  execCPUAffinity?: { initial?: string; final?: string }
}

export interface User {
  uid: number
  gid: number
  umask?: number
  additionalGids?: number[]
  username?: string
}

export interface LinuxCapabilities {
  bounding?: string[]
  effective?: string[]
  inheritable?: string[]
  permitted?: string[]
  ambient?: string[]
}

export interface POSIXRlimit {
  /** "RLIMIT_NOFILE", ... */
  type: string
  hard: number
  soft: number
}

export interface Scheduler {
  policy: string
  nice?: number
  priority?: number
  flags?: string[]
  runtime?: number
  deadline?: number
  period?: number
}

export interface Hook {
  path: string
  args?: string[]
  env?: string[]
  timeout?: number
}

export interface Hooks {
  prestart?: Hook[]
  createRuntime?: Hook[]
  createContainer?: Hook[]
  startContainer?: Hook[]
  poststart?: Hook[]
  poststop?: Hook[]
}

export type LinuxNamespaceType = 'pid' | 'network' | 'mount' | 'ipc' | 'uts' | 'user' | 'cgroup' | 'time'

export interface LinuxNamespace {
  type: LinuxNamespaceType
  /** Join this namespace file instead of creating a new one. */
  path?: string
}

export interface LinuxIDMapping {
  containerID: number
  hostID: number
  size: number
}

export interface LinuxDevice {
  type: 'c' | 'b' | 'u' | 'p'
  path: string
  major?: number
  minor?: number
  fileMode?: number
  uid?: number
  gid?: number
}

export interface LinuxDeviceCgroup {
  allow: boolean
  type?: 'a' | 'c' | 'b'
  major?: number
  minor?: number
  access?: string
}

export interface LinuxMemory {
  limit?: number
  reservation?: number
  swap?: number
  kernel?: number
  kernelTCP?: number
  swappiness?: number
  disableOOMKiller?: boolean
  useHierarchy?: boolean
  checkBeforeUpdate?: boolean
}

export interface LinuxCPU {
  shares?: number
  quota?: number
  burst?: number
  period?: number
  realtimeRuntime?: number
  realtimePeriod?: number
  cpus?: string
  mems?: string
  idle?: number
}

export interface LinuxWeightDevice {
  major: number
  minor: number
  weight?: number
  leafWeight?: number
}

export interface LinuxThrottleDevice {
  major: number
  minor: number
  rate: number
}

export interface LinuxBlockIO {
  weight?: number
  leafWeight?: number
  weightDevice?: LinuxWeightDevice[]
  throttleReadBpsDevice?: LinuxThrottleDevice[]
  throttleWriteBpsDevice?: LinuxThrottleDevice[]
  throttleReadIOPSDevice?: LinuxThrottleDevice[]
  throttleWriteIOPSDevice?: LinuxThrottleDevice[]
}

export interface LinuxHugepageLimit {
  pageSize: string
  limit: number
}

export interface LinuxNetwork {
  classID?: number
  priorities?: Array<{ name: string; priority: number }>
}

export interface LinuxPids {
  /** -1 = no limit. */
  limit?: number
}

export interface LinuxResources {
  devices?: LinuxDeviceCgroup[]
  memory?: LinuxMemory
  cpu?: LinuxCPU
  blockIO?: LinuxBlockIO
  hugepageLimits?: LinuxHugepageLimit[]
  network?: LinuxNetwork
  pids?: LinuxPids
  rdma?: Record<string, { hcaHandles?: number; hcaObjects?: number }>
  unified?: Record<string, string>
}

export interface LinuxSeccompArg {
  index: number
  value: number
  valueTwo?: number
  op: string
}

export interface LinuxSyscall {
  names: string[]
  action: string
  errnoRet?: number
  args?: LinuxSeccompArg[]
}

export interface LinuxSeccomp {
  defaultAction: string
  defaultErrnoRet?: number
  architectures?: string[]
  flags?: string[]
  listenerPath?: string
  listenerMetadata?: string
  syscalls?: LinuxSyscall[]
}

export interface LinuxIntelRdt {
  closID?: string
  l3CacheSchema?: string
  memBwSchema?: string
  schemata?: string[]
  enableMonitoring?: boolean
}

export interface LinuxPersonality {
  domain: 'LINUX' | 'LINUX32'
  flags?: string[]
}

export interface LinuxTimeOffset {
  secs?: number
  nanosecs?: number
}

export interface Linux {
  namespaces?: LinuxNamespace[]
  uidMappings?: LinuxIDMapping[]
  gidMappings?: LinuxIDMapping[]
  timeOffsets?: Record<string, LinuxTimeOffset>
  devices?: LinuxDevice[]
  netDevices?: Record<string, { name?: string }>
  cgroupsPath?: string
  resources?: LinuxResources
  intelRdt?: LinuxIntelRdt
  memoryPolicy?: { mode: string; nodes?: string; flags?: string[] }
  sysctl?: Record<string, string>
  seccomp?: LinuxSeccomp
  rootfsPropagation?: 'shared' | 'slave' | 'private' | 'unbindable'
  maskedPaths?: string[]
  readonlyPaths?: string[]
  mountLabel?: string
  personality?: LinuxPersonality
}

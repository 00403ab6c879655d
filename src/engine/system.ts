/** Facts about the daemon and host that /info and /version report. Filled in by daemon/. */
export interface SystemInfo {
  id: string
  name: string
  version: string
  apiVersion: string
  minApiVersion: string
  gitCommit: string
  kernelVersion: string
  operatingSystem: string
  osType: string
  architecture: string
  ncpu: number
  memTotal: number
  dataRoot: string
  execRoot: string
  defaultRuntime: string
  runtimes: string[]
  cgroupDriver: string
  cgroupVersion: string
  storageDriver: string
  loggingDriver: string
  /** Notes shown under Warnings in `docker info` (e.g. "default network is none until bridge networking lands"). */
  warnings: string[]
  /** First line of `<runtime> --version` ("crun version 1.8.1"), shown as docker info's runc version. */
  runtimeVersion?: string
  /** First line of `conmon --version`, shown as the containerd (monitor) version. */
  monitorVersion?: string
  /** Binary mounted at /sbin/docker-init for --init. */
  initBinary?: string
  /** dockerd's SecurityOptions: "name=seccomp,profile=builtin", "name=userns", "name=cgroupns"... */
  securityOptions?: string[]
  /** The daemon's --label values ("key=value"); changed by a configuration reload. */
  labels?: string[]
  /** Debug mode (-D / "debug": true); changed by a configuration reload. */
  debug?: boolean
  /** --insecure-registry entries (host[:port] or CIDR); changed by a configuration reload. */
  insecureRegistries?: string[]
  /** Path of each runtime binary by name (shown as /info Runtimes[name].path). */
  runtimePaths?: Record<string, string>
}

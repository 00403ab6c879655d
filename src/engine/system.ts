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
}

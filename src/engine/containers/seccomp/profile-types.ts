import type { LinuxSeccompArg } from '../../../common/index.js'

/** A seccomp profile in Docker's format (the JSON `--security-opt seccomp=<file>` takes). */
export interface SeccompProfile {
  defaultAction: string
  defaultErrnoRet?: number
  /** Explicit architectures; otherwise the archMap entry of the host's architecture applies. */
  architectures?: string[]
  archMap?: Array<{ architecture: string; subArchitectures: string[] | null }>
  listenerPath?: string
  flags?: string[]
  syscalls?: SeccompRule[] | null
}

export interface SeccompFilter {
  caps?: string[]
  /** Docker's short names: amd64, arm64, s390x... */
  arches?: string[]
  minKernel?: string
}

export interface SeccompRule {
  name?: string
  names?: string[]
  action: string
  errnoRet?: number
  args?: LinuxSeccompArg[] | null
  comment?: string
  includes?: SeccompFilter
  excludes?: SeccompFilter
}

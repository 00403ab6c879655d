/**
 * Pure: the OCI process of an exec, as dockerd builds it (daemon/exec.go): the container's own
 * process (rlimits, no-new-privileges, apparmor...) with the exec's args, environment (the
 * container's, then the exec's overrides), working dir, user and terminal; capabilities as the
 * container's, or every capability the host grants with --privileged.
 */
import type { Process } from '../../common/index.js'
import type { ImageRuntimeConfig } from '../images/index.js'
import type { ExecConfig } from './exec-types.js'
import { processEnv, replaceOrAppendEnv, resolveWorkingDir, type ResolvedUser } from './process-spec.js'
import type { ContainerSpec } from './types.js'

export interface ExecProcessInput {
  /** The container's process from its config.json; undefined when it cannot be read. */
  base: Process | undefined
  spec: ContainerSpec
  imageConfig: ImageRuntimeConfig
  hostname: string
  config: ExecConfig
  /** The exec's user (config.user, else the container's) resolved in the container's rootfs. */
  user: ResolvedUser
  /** Every capability the host can grant (for privileged execs). */
  allCapabilities: readonly string[]
}

export function execProcess(input: ExecProcessInput): Process {
  const { base, config, user } = input
  const tty = config.tty === true
  const env = replaceOrAppendEnv(
    processEnv({ imageEnv: input.imageConfig.Env, specEnv: input.spec.env, hostname: input.hostname, tty, home: user.home }),
    config.env ?? [],
  )
  const caps = config.privileged ? [...input.allCapabilities] : [...(base?.capabilities?.bounding ?? [])]
  const process: Process = {
    ...(base ?? {}),
    terminal: tty,
    user: { uid: user.uid, gid: user.gid, additionalGids: [user.gid, ...user.additionalGids] },
    args: [...config.cmd],
    env,
    cwd: config.workingDir ? resolveWorkingDir(config.workingDir, {}) : resolveWorkingDir(input.spec.workingDir, input.imageConfig),
    capabilities: user.uid === 0 ? { bounding: caps, effective: [...caps], permitted: [...caps] } : { bounding: caps },
  }
  delete process.consoleSize
  if (config.privileged) delete process.apparmorProfile
  return process
}

/** Pure construction and state transitions of ContainerRecord. */
import { join } from 'node:path'
import { EngineError, isoTime } from '../../common/index.js'
import type { ExitInfo } from '../../runtime/oci-runtime.js'
import type { ImageRecord } from '../images/index.js'
import type { ResolvedCommand } from './process-spec.js'
import type { ContainerRecord, ContainerSpec, ContainerState } from './types.js'

/** Docker's zero time, used for startedAt/finishedAt of a container that never ran. */
export const ZERO_TIME = '0001-01-01T00:00:00Z'

export function initialState(): ContainerState {
  return {
    status: 'created', running: false, paused: false, restarting: false, oomKilled: false, dead: false,
    pid: 0, exitCode: 0, error: '', startedAt: ZERO_TIME, finishedAt: ZERO_TIME,
  }
}

/** A new record in state 'created'; every path lives in `dir` (the container's directory and OCI bundle). */
export function newContainerRecord(opts: {
  id: string
  name: string
  created: string
  spec: ContainerSpec
  image: ImageRecord
  command: ResolvedCommand
  dir: string
  runtime: string
}): ContainerRecord {
  return {
    id: opts.id,
    name: opts.name,
    created: opts.created,
    imageId: opts.image.id,
    spec: opts.spec,
    imageConfig: opts.image.config.config ?? {},
    path: opts.command.path,
    args: opts.command.args,
    state: initialState(),
    restartCount: 0,
    rootfsPath: join(opts.dir, 'rootfs'),
    bundleDir: opts.dir,
    logPath: join(opts.dir, 'container.log'),
    hostnamePath: join(opts.dir, 'hostname'),
    hostsPath: join(opts.dir, 'hosts'),
    resolvConfPath: join(opts.dir, 'resolv.conf'),
    runtime: opts.runtime,
  }
}

export function runningState(previous: ContainerState, pid: number, startedAt: string): ContainerState {
  return {
    ...previous, status: 'running', running: true, paused: false, restarting: false, oomKilled: false, dead: false,
    pid, exitCode: 0, error: '', startedAt,
  }
}

export function exitedState(previous: ContainerState, exit: ExitInfo): ContainerState {
  return {
    ...previous, status: 'exited', running: false, paused: false, restarting: false, pid: 0,
    exitCode: exit.exitCode, oomKilled: exit.oomKilled, finishedAt: isoTime(exit.finishedAt),
  }
}

/**
 * Docker's exit codes for a start that failed before the process ran (moby
 * translateContainerdStartErr): 127 command not found, 126 not executable, else 128.
 */
export function startFailureExitCode(message: string): number {
  const m = message.toLowerCase()
  if (m.includes('executable file not found') || m.includes('no such file or directory')) return 127
  if (m.includes('permission denied')) return 126
  return 128
}

/** The state after a failed start: unchanged status, error message and exit code recorded. */
export function startFailedState(previous: ContainerState, message: string): ContainerState {
  return { ...previous, running: false, pid: 0, error: message, exitCode: startFailureExitCode(message) }
}

/** A start error as the client should see it: a bad command is the client's error (400), as in Docker. */
export function startError(err: unknown): unknown {
  if (!(err instanceof Error)) return err
  if (startFailureExitCode(err.message) !== 128) {
    return new EngineError('InvalidArgument', 'START_FAILED', err.message, { cause: err })
  }
  return err
}

/** Actor attributes of container events: the labels, then image and name (as dockerd sends them). */
export function eventAttributes(record: ContainerRecord, extra: Record<string, string> = {}): Record<string, string> {
  return { ...(record.spec.labels ?? {}), image: record.spec.image, name: record.name, ...extra }
}

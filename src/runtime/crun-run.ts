/**
 * A container run to its end without conmon (a build's RUN step): `crun run` in the foreground (see
 * foreground.ts: FIFOs for its output, the pid through --pid-file). crun creates and starts the
 * container, waits for its process, deletes the container's state and cgroups and exits with the
 * process's status: one process spawn, where conmon's path takes conmon (which forks twice), crun
 * create, the attach socket, the exit file and `crun delete`.
 *
 * The container is in the runtime's state like any other while it runs, so kill() and delete() reach
 * it (an abort, or a new berthd after a crash: crun then stays, reparented, until the container is
 * gone, and the output pipes have lost their reader).
 */
import { RuntimeError } from '../common/index.js'
import type { RuntimePaths } from './conmon-args.js'
import { startForeground, type ForegroundDeps } from './foreground.js'
import type { RuntimeRunOptions, RuntimeRunProcess } from './oci-runtime.js'
import type { RuntimeCommand } from './readonly-binary.js'

export interface CrunRunDeps extends ForegroundDeps {
  /** crun, preferably from its read-only mount (see ReadOnlyBinary). */
  runtime: () => Promise<RuntimeCommand>
  paths: RuntimePaths
  /**
   * Called as soon as the container runs, synchronously: its state, with what crun compiled for it, is
   * there only until the process exits.
   */
  started?: (containerId: string) => void
}

/** Pure: crun's argv for a foreground run of the bundle; fd 3 is the pid pipe. */
export function crunRunArgs(runtimePath: string, stateDir: string, containerId: string, bundleDir: string): string[] {
  return [runtimePath, '--root', stateDir, 'run', '--bundle', bundleDir, '--pid-file', '/proc/self/fd/3', containerId]
}

export async function crunRun(deps: CrunRunDeps, opts: RuntimeRunOptions): Promise<RuntimeRunProcess> {
  const runtime = await deps.runtime()
  const argv = crunRunArgs(runtime.path, deps.paths.stateDir, opts.containerId, opts.bundleDir)
  const proc = await startForeground(deps, {
    argv,
    env: runtime.env,
    direct: () => argv,
    withOutput: true,
    onStarted: () => deps.started?.(opts.containerId),
    // The words conmon's create reported the same failure with (crun's own message, e.g. "executable
    // file `x` not found in $PATH: No such file or directory").
    startError: (message, status) => new RuntimeError(argv, null, message.slice(-2048),
      `Cannot create container ${opts.containerId}: ${message.trim() || `the runtime exited with status ${status}`}`),
  })
  return proc
}

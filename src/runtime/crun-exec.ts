/**
 * Exec without conmon, for processes without a TTY or stdin: `crun exec` run in the foreground (see
 * foreground.ts for how: FIFOs for its output, the pid through --pid-file, no monitor or handshake).
 *
 * What this gives up against conmon: the process is no longer watched by a monitor that outlives
 * berthd. If berthd exits, crun stays (reparented) and still waits for the process, but its output
 * pipes lose their reader. Exec records are in berthd's memory and go away with it either way (as in
 * dockerd), so nobody could read that output or exit code afterwards. TTY execs, which need a pty
 * master held for them, and execs with stdin (an anonymous pipe, which Node cannot make: see
 * openPipe) still go through conmon.
 */
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { EngineError, RuntimeError, removeFileQuietly } from '../common/index.js'
import type { FdLauncher } from '../sys/index.js'
import { socketName, type RuntimePaths } from './conmon-args.js'
import { execStartError } from './conmon-exec.js'
import type { FifoPool } from './fifo-pool.js'
import { startForeground } from './foreground.js'
import type { RuntimeExecOptions, RuntimeExecProcess } from './oci-runtime.js'
import type { RuntimeCommand } from './readonly-binary.js'

export interface CrunExecDeps {
  /** crun, preferably from its read-only mount (see ReadOnlyBinary). */
  runtime: () => Promise<RuntimeCommand>
  /** tini, crun's subreaper (see ForegroundDeps). */
  reaperPath: string
  /** Starts crun without a spawn from berthd (see FdLauncher). */
  launcher?: FdLauncher
  paths: RuntimePaths
  /** FIFOs for the process's stdio and the pid; also where process files are written. */
  fifos: FifoPool
  fifoDir: string
}

/** Pure: crun's argv for one exec. fd 3 is the pid pipe; the process spec is in `processFile`. */
export function crunExecArgs(runtimePath: string, stateDir: string, containerId: string, processFile: string): string[] {
  return [runtimePath, '--root', stateDir, 'exec', '--pid-file', '/proc/self/fd/3', '--process', processFile, containerId]
}

export async function crunExec(deps: CrunExecDeps, opts: RuntimeExecOptions): Promise<RuntimeExecProcess> {
  if (opts.openStdin || opts.process.terminal) {
    throw new EngineError('Internal', 'EXEC_DIRECT_UNSUPPORTED', 'crun exec without a monitor takes neither stdin nor a TTY')
  }
  const runtime = await deps.runtime()
  const processFile = join(deps.fifoDir, `${socketName(opts.execId)}.json`)
  const processJson = JSON.stringify(opts.process)
  // A launched crun reads the process from a pipe at fd 4 (no file to write and delete).
  const argv = crunExecArgs(runtime.path, deps.paths.stateDir, opts.containerId, '/proc/self/fd/4')
  let wroteFile = false
  const proc = await startForeground(deps, {
    argv,
    fd4Text: processJson,
    env: runtime.env,
    direct: () => {
      wroteFile = true
      writeFileSync(processFile, processJson)
      return crunExecArgs(runtime.path, deps.paths.stateDir, opts.containerId, processFile)
    },
    settled: () => {
      if (wroteFile) removeFileQuietly(processFile)
    },
    withOutput: opts.detach !== true,
    startError: (message, status) => message.trim() === ''
      ? new RuntimeError(argv, status, '', `Cannot exec in container ${opts.containerId}: the runtime exited with status ${status}`)
      : execStartError(message, opts.process.args?.[0] ?? ''),
  })
  return { ...proc, resize: async () => {} }
}

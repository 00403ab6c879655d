import { join } from 'node:path'
import type { RuntimeCreateOptions } from './oci-runtime.js'

/** Where conmon and the OCI runtime keep their files, all under one root (<exec-root>/runtime). */
export interface RuntimePaths {
  root: string
  /** The OCI runtime's own state (`crun --root` / `runc --root`). */
  stateDir: string
  /** conmon --exit-dir: `<id>` files holding the bare exit code. */
  exitsDir: string
  /** conmon --socket-dir-path: `<id>` symlinks to each bundle (attach socket, ctl FIFO). */
  socketDir: string
  /** Per-container conmon persist dir: pidfile, conmon.pid, exit, oom. */
  persistDir(containerId: string): string
}

export function runtimePaths(root: string): RuntimePaths {
  return {
    root,
    stateDir: join(root, 'state'),
    exitsDir: join(root, 'exits'),
    socketDir: join(root, 'sock'),
    persistDir: (containerId) => join(root, 'persist', containerId),
  }
}

export interface ConmonBinaries {
  conmonPath: string
  runtimePath: string
}

/**
 * Pure: conmon's argv for detached `<runtime> create` of one container. The caller passes the sync
 * pipe as fd 3 (_OCI_SYNCPIPE) and the start pipe as fd 4 (_OCI_STARTPIPE).
 */
export function conmonArgs(opts: RuntimeCreateOptions, bins: ConmonBinaries, paths: RuntimePaths): string[] {
  const id = opts.containerId
  const persist = paths.persistDir(id)
  const argv = [
    bins.conmonPath,
    '--api-version', '1',
    '-c', id,
    '-u', socketName(id),
    '-n', id,
    '-r', bins.runtimePath,
    '-b', opts.bundleDir,
    '-p', join(persist, 'pidfile'),
    '--conmon-pidfile', join(persist, 'conmon.pid'),
    '-l', `k8s-file:${opts.logPath}`,
  ]
  if (opts.logMaxSize !== undefined && opts.logMaxSize > 0) argv.push('--log-size-max', String(opts.logMaxSize))
  argv.push(
    '--exit-dir', paths.exitsDir,
    '--persist-dir', persist,
    '--socket-dir-path', paths.socketDir,
    '--runtime-arg', `--root=${paths.stateDir}`,
    '--no-sync-log',
  )
  if (opts.tty) argv.push('-t')
  if (opts.openStdin) {
    argv.push('-i')
    if (opts.tty || !opts.stdinOnce) argv.push('--leave-stdin-open')
  }
  return argv
}

/**
 * conmon names the container's socket dir `<socket-dir>/<cuuid>` and its attach socket lives inside, so
 * the path must fit sun_path (108 bytes). Half of a 64-hex id is as unique in practice and leaves room for
 * an exec root of up to ~50 characters.
 */
export function socketName(containerId: string): string {
  return containerId.slice(0, 32)
}

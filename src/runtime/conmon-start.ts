/**
 * Starting conmon for `<runtime> create`, by one of two means with the same handshake (see
 * ../shared/notes): conmon reads one byte from its start pipe (fd 4) before it does anything, and writes
 * one JSON line with the container's pid (or an error) to its sync pipe (fd 3).
 *
 * - launchConmon: through the FdLauncher (a long-lived bash under tini), with FIFOs as the two pipes and
 *   a file on the tmpfs as its stderr. Node's own spawn forks the whole daemon, which blocks berthd's
 *   event loop for ~4 ms in the middle of every container start (while the rootfs is being mounted).
 * - spawnConmon: node's spawn with socketpairs at fd 3 and 4, when there is no launcher (runc, no tini)
 *   or it cannot start.
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { Socket } from 'node:net'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { removeFileQuietly } from '../common/index.js'
import { FdLauncherUnavailable, spawnWithFds, type FdLauncher } from '../sys/index.js'
import { openPipe, type FifoPool } from './fifo-pool.js'

export interface ConmonProcess {
  /** conmon's sync pipe: one line, the container's pid or conmon's error. */
  sync: Readable
  /** Writes the start byte: conmon goes on to run `<runtime> create`. */
  start(): void
  /** Kills conmon while it still waits for the start byte (it has made nothing yet). */
  kill(): Promise<void>
  /** The started conmon's own exit (it exits once it has daemonized), with what it wrote to stderr. */
  exited: Promise<{ exitCode: number | null; stderr: string }>
  /** Releases what berthd holds for the handshake, once the sync line was read or conmon exited. */
  release(): void
}

export interface ConmonStartOptions {
  argv: readonly string[]
  /** Added to berthd's environment (the runtime's, and the two pipes' fd numbers). */
  env: Record<string, string>
  cwd: string
}

const PIPE_ENV = { _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4' }

/** conmon by node's spawn (a fork of berthd). */
export function spawnConmon(opts: ConmonStartOptions): ConmonProcess {
  const child = spawnWithFds(opts.argv, ['pipe', 'pipe'], { env: { ...process.env, ...opts.env, ...PIPE_ENV }, cwd: opts.cwd })
  const sync = child.stdio[3] as Readable
  const startPipe = child.stdio[4] as Writable
  // EPIPE here means conmon died before reading; the sync pipe then closes and reports the failure.
  startPipe.on('error', () => undefined)
  return {
    sync,
    start: () => startPipe.end('0'),
    kill: async () => {
      // (pid -1 = the spawn failed: kill(-1) would signal every process.)
      if (child.pid > 0) killQuietly(child.pid)
      startPipe.destroy()
    },
    exited: child.exited,
    release: () => undefined,
  }
}

/**
 * conmon through the launcher. Rejects with FdLauncherUnavailable when the launcher cannot start (then
 * nothing ran: use spawnConmon).
 */
export async function launchConmon(launcher: FdLauncher, fifos: FifoPool, opts: ConmonStartOptions): Promise<ConmonProcess> {
  const [syncName, startName] = (await fifos.take(2)) as [string, string]
  const stderrFile = join(fifos.dir, `conmon-${process.hrtime.bigint().toString(36)}.err`)
  // The sync pipe, from conmon: our read end (non-blocking) and a write end that keeps it from ending
  // before conmon opened its own. The start pipe, to conmon: a read end, so that our write end opens
  // (and a byte written before conmon opened the FIFO waits in the pipe), and our write end, kept open
  // until conmon is past its start: a FIFO's reader that opens it while no writer has it waits for one.
  const syncEnds = openPipe(syncName, { keepName: true })
  const held = [syncEnds.theirs]
  let startFd: number
  try {
    held.push(openSync(startName, constants.O_RDONLY | constants.O_NONBLOCK))
    startFd = openSync(startName, constants.O_WRONLY | constants.O_NONBLOCK)
    held.push(startFd)
  } catch (err) {
    for (const fd of [syncEnds.ours, ...held]) closeSync(fd)
    fifos.release([syncName, startName])
    throw err
  }
  let released = false
  const release = (): void => {
    if (released) return
    released = true
    for (const fd of held) closeSync(fd)
    fifos.release([syncName, startName])
  }

  let pid: number | undefined
  let onPid = (): void => undefined
  const pidReported = new Promise<void>((resolve) => (onPid = resolve))
  const exitStatus = launcher.launch({
    argv: opts.argv,
    stdout: '/dev/null',
    stderr: stderrFile,
    fd3: syncName,
    fd4Path: startName,
    cwd: opts.cwd,
    env: { ...opts.env, ...PIPE_ENV },
    onPid: (p) => {
      pid = p
      onPid()
    },
  })
  // The launcher could not start at all: nothing ran, and nothing was written to the pipes.
  const unavailable = await Promise.race([pidReported.then(() => undefined), exitStatus.then(() => undefined, (err: unknown) => err)])
  if (unavailable instanceof FdLauncherUnavailable) {
    closeSync(syncEnds.ours)
    release()
    throw unavailable
  }
  // Known once conmon was forked, or never (its job failed before: a cwd that could not be entered).
  const pidKnown = Promise.race([pidReported, exitStatus.then(() => undefined, () => undefined)])

  const exited = exitStatus.then(
    async (code) => {
      const stderr = await readFile(stderrFile, 'utf8').catch(() => '')
      removeFileQuietly(stderrFile)
      return { exitCode: code, stderr }
    },
    (err: unknown) => {
      removeFileQuietly(stderrFile)
      throw err
    },
  )
  // Once conmon exited, nothing of ours may keep the sync pipe from ending (a conmon that failed before
  // it daemonized wrote no line: the end of the pipe says so).
  exited.then(release, release)

  const sync = new Socket({ fd: syncEnds.ours, readable: true, writable: false })
  return {
    sync,
    start: () => {
      // A conmon that exited already (it failed on its own) reads nothing, and its fds are closed: the
      // number may belong to another file by now.
      if (!released) writeSync(startFd, '0')
    },
    kill: async () => {
      await pidKnown
      if (pid !== undefined && pid > 0) killQuietly(pid)
      await exited.catch(() => undefined)
    },
    exited,
    release,
  }
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // Gone already (it failed on its own).
  }
}

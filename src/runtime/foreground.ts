/**
 * One runtime command run in the foreground without conmon (`crun exec`, `crun run`): berthd's
 * FdLauncher starts it (a fork of a small shell, not of berthd), with FIFOs as the process's stdout and
 * stderr (stdin is /dev/null). crun waits for the process and exits with its status (128 + signal when
 * a signal killed it), so no monitor, attach socket or session directory is needed: one process spawn
 * instead of conmon's two plus the runtime, and no handshake.
 *
 * The process's pid comes through crun's --pid-file, a FIFO reopened through /proc/self/fd/3: crun
 * writes it once the process passed its last check, just before execve. That is what tells a started
 * process from one the runtime could not start (crun then exits without writing it, its message on the
 * process's stderr). Output that arrives before the pid is held, and is the error message when no pid
 * comes.
 *
 * If berthd exits meanwhile, crun stays (reparented) and still waits for the process, but its output
 * pipes lose their reader.
 */
import { closeSync } from 'node:fs'
import { Socket } from 'node:net'
import { FdLauncherUnavailable, spawnWithStdio, type FdLauncher } from '../sys/index.js'
import { openPipe, type FifoPool } from './fifo-pool.js'
import type { AttachConnection } from './oci-runtime.js'

/** After crun exited, how long output pipes still held open (by a background child) are read. */
const DRAIN_MS = 100

export interface ForegroundDeps {
  /**
   * tini: runs crun as a child subreaper (`tini -s`). When crun cannot start the process, it exits
   * without reaping its child (already in the container's cgroups); Node cannot be a subreaper, and
   * the host's init may reap late or never, leaving a zombie that `top` lists.
   */
  reaperPath: string
  /**
   * Starts crun without a spawn from berthd (see FdLauncher), its tini being the subreaper; without
   * it, or when it cannot start, berthd spawns `tini -s -- <argv>` itself.
   */
  launcher?: FdLauncher
  /** FIFOs for the process's stdio and the pid. */
  fifos: FifoPool
}

export interface ForegroundCommand {
  /** The launched command: its pid file is /proc/self/fd/3; `fd4Text` is readable at fd 4. */
  argv: readonly string[]
  fd4Text?: string
  /** Added to the command's environment. */
  env: Record<string, string>
  /**
   * The argv of the same command spawned without the launcher (no fd 4: write what it reads from there
   * to a file now). Called at most once, when the launcher is missing or cannot start.
   */
  direct(): readonly string[]
  /** Called once the command started the process or failed (files `direct` wrote may go). */
  settled?(): void
  /** Called as soon as the pid arrived, before anything else runs in berthd (the process may be short). */
  onStarted?(): void
  /** False: the output is not read (it goes to /dev/null). */
  withOutput: boolean
  /** The error for a command that exited (with `status`) without starting the process; `message` is what it printed. */
  startError(message: string, status: number): Error
}

/** A started process: `exited` resolves with its exit status once it has exited and its output ended. */
export interface ForegroundProcess {
  pid: number
  attach: AttachConnection
  exited: Promise<number>
}

/** Resolves once the pipe at `fd` ends; each chunk goes to `onData`. */
function readPipe(fd: number, onData: (data: Buffer) => void): { ended: Promise<void>; socket: Socket } {
  const socket = new Socket({ fd, readable: true, writable: false })
  const ended = new Promise<void>((resolve) => {
    socket.on('data', onData)
    socket.on('end', resolve)
    socket.on('close', () => resolve())
    socket.on('error', () => resolve())
  })
  return { ended, socket }
}

/** Runs `cmd`; resolves once the process runs, rejects with cmd.startError when the runtime could not start it. */
export async function startForeground(deps: ForegroundDeps, cmd: ForegroundCommand): Promise<ForegroundProcess> {
  const fifos = await deps.fifos.take(cmd.withOutput ? 3 : 1)
  const launcher = deps.launcher && !deps.launcher.failed ? deps.launcher : undefined
  const ours: number[] = []
  const theirs: number[] = []
  const names: string[] = []
  // Our copies of the write ends are kept until crun has its own (it sent the pid, or exited): a
  // launched crun opens the FIFOs by name, and until then no reader may see an end of file.
  const closeTheirs = (): void => {
    for (const fd of theirs.splice(0)) closeSync(fd)
    // Deleted later, many at once (the names are never handed out again).
    deps.fifos.release(names.splice(0))
  }
  let settled = false
  const settle = (): void => {
    if (settled) return
    settled = true
    cmd.settled?.()
  }
  let exited: Promise<number>
  try {
    // Synchronous on purpose: a few opens of FIFOs, cheaper than a thread-pool round trip each.
    const open = (): string => {
      const name = fifos.shift() as string
      const ends = openPipe(name, { keepName: true })
      names.push(name)
      ours.push(ends.ours)
      theirs.push(ends.theirs)
      return name
    }
    const pidName = open()
    const stdoutName = cmd.withOutput ? open() : '/dev/null'
    const stderrName = cmd.withOutput ? open() : '/dev/null'
    const [pidEnd, stdoutEnd = 'ignore', stderrEnd = 'ignore'] = theirs as [number, number?, number?]
    const spawnDirect = (): Promise<number> => {
      const argv = cmd.direct()
      const env = Object.keys(cmd.env).length > 0 ? { ...process.env, ...cmd.env } : undefined
      return spawnWithStdio([deps.reaperPath, '-s', '--', ...argv], ['ignore', stdoutEnd, stderrEnd, pidEnd], { env }).exited
    }
    exited = launcher
      ? launcher
          .launch({ argv: cmd.argv, stdout: stdoutName, stderr: stderrName, fd3: pidName, ...(cmd.fd4Text !== undefined ? { fd4Text: cmd.fd4Text } : {}), env: cmd.env })
          .catch((err: unknown) => (err instanceof FdLauncherUnavailable ? spawnDirect() : Promise.reject(err)))
      : spawnDirect()
  } catch (err) {
    for (const fd of ours) closeSync(fd)
    closeTheirs()
    settle()
    throw err
  }
  const [pidFd, outFd, errFd] = ours as [number, number | undefined, number | undefined]
  // A spawn that failed (no such runtime binary) is reported below, through the pid.
  exited.then(closeTheirs, closeTheirs)

  // Output, held until the pid says the process started.
  const held: Array<[1 | 2, Buffer]> = []
  let started = false
  const output = new OutputStream()
  const emit = (stream: 1 | 2, data: Buffer): void => (started ? output.emit(stream, data) : void held.push([stream, data]))
  const out = outFd === undefined ? undefined : readPipe(outFd, (d) => emit(1, d))
  const err = errFd === undefined ? undefined : readPipe(errFd, (d) => emit(2, d))

  let pidText = ''
  const pidPipe = readPipe(pidFd, (d) => (pidText += d.toString()))
  const pid = await Promise.race([
    // One write of a few bytes: it arrives whole.
    new Promise<number>((resolve) => pidPipe.socket.once('data', () => {
      const pid = Number.parseInt(pidText, 10)
      if (pid > 0) cmd.onStarted?.()
      resolve(pid)
    })),
    // crun exited (its end of the pipe closed) without writing one; or could not be spawned at all.
    pidPipe.ended.then(() => Number.parseInt(pidText, 10)),
    exited.then(() => pidPipe.ended.then(() => Number.parseInt(pidText, 10)), () => -1),
  ])
  pidPipe.socket.destroy()
  closeTheirs()
  settle()

  const outputsEnded = Promise.all([out?.ended, err?.ended])
  if (!(pid > 0)) {
    const code = await exited.catch((e: unknown) => e)
    await Promise.race([outputsEnded, delay(DRAIN_MS)])
    out?.socket.destroy()
    err?.socket.destroy()
    if (typeof code !== 'number') throw code
    // What crun printed: on the process's stderr (the process itself never ran).
    const stderrText = Buffer.concat(held.filter(([s]) => s === 2).map(([, d]) => d)).toString()
    throw cmd.startError(stderrText || Buffer.concat(held.map(([, d]) => d)).toString(), code)
  }
  started = true
  for (const [stream, data] of held.splice(0)) output.emit(stream, data)

  // The output ends when the pipes do, or shortly after the process exited when a child it left in
  // the background still holds them (its later output is read and dropped, so it gets no SIGPIPE).
  const done = Promise.race([
    outputsEnded,
    exited.then(
      () => delay(DRAIN_MS).then(() => new Promise<void>((r) => setImmediate(r))),
      () => undefined,
    ),
  ]).then(() => {
    output.end()
    // Pipes a background child still holds are drained without keeping berthd's event loop alive.
    out?.socket.unref()
    err?.socket.unref()
  })

  const attach: AttachConnection = {
    onData: (listener) => output.onData(listener),
    onEnd: (listener) => output.onEnd(listener),
    write: () => {},
    // The client went away: the process keeps running (as under conmon), its output read and dropped.
    close: () => output.end(),
  }
  const code = exited.then(async (c) => {
    await done
    return c
  })
  return { pid, attach, exited: code }
}

/** Output for one listener set; data before the first listener is queued. */
class OutputStream {
  private readonly dataListeners: Array<(stream: 1 | 2, data: Buffer) => void> = []
  private readonly endListeners: Array<() => void> = []
  private readonly queued: Array<[1 | 2, Buffer]> = []
  ended = false

  emit(stream: 1 | 2, data: Buffer): void {
    if (this.ended) return
    if (this.dataListeners.length === 0) this.queued.push([stream, data])
    else for (const l of this.dataListeners) l(stream, data)
  }

  onData(listener: (stream: 1 | 2, data: Buffer) => void): void {
    this.dataListeners.push(listener)
    if (this.dataListeners.length === 1) for (const [s, d] of this.queued.splice(0)) listener(s, d)
  }

  onEnd(listener: () => void): void {
    if (this.ended) listener()
    else this.endListeners.push(listener)
  }

  end(): void {
    if (this.ended) return
    this.ended = true
    for (const l of this.endListeners.splice(0)) l()
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref())
}

/**
 * Exec without conmon, for processes without a TTY or stdin: berthd has `crun exec` run in the
 * foreground (by its FdLauncher: a fork of a small shell, not of berthd), with FIFOs as the process's
 * stdout and stderr (stdin is /dev/null). crun waits for the process and exits with its status
 * (128 + signal when a signal killed it), so no monitor, attach socket or session directory is
 * needed: one process spawn instead of conmon's two plus the runtime, and no handshake.
 *
 * What this gives up against conmon: the process is no longer watched by a monitor that outlives
 * berthd. If berthd exits, crun stays (reparented) and still waits for the process, but its output
 * pipes lose their reader. Exec records are in berthd's memory and go away with it either way (as in
 * dockerd), so nobody could read that output or exit code afterwards. TTY execs, which need a pty
 * master held for them, and execs with stdin (an anonymous pipe, which Node cannot make: see
 * openPipe) still go through conmon.
 *
 * The exec process's pid comes through crun's --pid-file, a FIFO reopened through /proc/self/fd/3:
 * crun writes it once the process passed its last check, just before execve. That is what tells a
 * started process from one the runtime could not start (crun then exits without writing it, its
 * message on the process's stderr). Output that arrives before the pid is held, and is the error
 * message when no pid comes.
 */
import { closeSync, writeFileSync } from 'node:fs'
import { Socket } from 'node:net'
import { join } from 'node:path'
import { EngineError, RuntimeError, removeFileQuietly } from '../common/index.js'
import { FdLauncherUnavailable, spawnWithStdio, type FdLauncher } from '../sys/index.js'
import { socketName, type RuntimePaths } from './conmon-args.js'
import { execStartError } from './conmon-exec.js'
import { openPipe, type FifoPool } from './fifo-pool.js'
import type { AttachConnection, RuntimeExecOptions, RuntimeExecProcess } from './oci-runtime.js'
import type { RuntimeCommand } from './readonly-binary.js'

/** After crun exited, how long output pipes still held open (by a background child) are read. */
const DRAIN_MS = 100

export interface CrunExecDeps {
  /** crun, preferably from its read-only mount (see ReadOnlyBinary). */
  runtime: () => Promise<RuntimeCommand>
  /**
   * tini: runs crun as a child subreaper (`tini -s`). When crun cannot start the process, it exits
   * without reaping its child (already in the container's cgroups); Node cannot be a subreaper, and
   * the host's init may reap late or never, leaving a zombie that `top` lists.
   */
  reaperPath: string
  /**
   * Starts crun without a spawn from berthd (see FdLauncher), its tini being the subreaper; without
   * it, or when it cannot start, berthd spawns `tini -s -- crun ...` itself.
   */
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

export async function crunExec(deps: CrunExecDeps, opts: RuntimeExecOptions): Promise<RuntimeExecProcess> {
  if (opts.openStdin || opts.process.terminal) {
    throw new EngineError('Internal', 'EXEC_DIRECT_UNSUPPORTED', 'crun exec without a monitor takes neither stdin nor a TTY')
  }
  const withOutput = opts.detach !== true
  const [fifos, runtime] = await Promise.all([deps.fifos.take(withOutput ? 3 : 1), deps.runtime()])
  const processFile = join(deps.fifoDir, `${socketName(opts.execId)}.json`)
  const processJson = JSON.stringify(opts.process)
  const launcher = deps.launcher && !deps.launcher.failed ? deps.launcher : undefined
  // A launched crun reads the process from a pipe at fd 4 (no file to write and delete).
  const argv = crunExecArgs(runtime.path, deps.paths.stateDir, opts.containerId, launcher ? '/proc/self/fd/4' : processFile)
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
  let exited: Promise<number>
  let wroteFile = false
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
    const stdoutName = withOutput ? open() : '/dev/null'
    const stderrName = withOutput ? open() : '/dev/null'
    const [pidEnd, stdoutEnd = 'ignore', stderrEnd = 'ignore'] = theirs as [number, number?, number?]
    const spawnDirect = (): Promise<number> => {
      wroteFile = true
      writeFileSync(processFile, processJson)
      const direct = crunExecArgs(runtime.path, deps.paths.stateDir, opts.containerId, processFile)
      const env = Object.keys(runtime.env).length > 0 ? { ...process.env, ...runtime.env } : undefined
      return spawnWithStdio([deps.reaperPath, '-s', '--', ...direct], ['ignore', stdoutEnd, stderrEnd, pidEnd], { env }).exited
    }
    exited = launcher
      ? launcher
          .launch({ argv, stdout: stdoutName, stderr: stderrName, fd3: pidName, fd4Text: processJson, env: runtime.env })
          .catch((err: unknown) => (err instanceof FdLauncherUnavailable ? spawnDirect() : Promise.reject(err)))
      : spawnDirect()
  } catch (err) {
    for (const fd of ours) closeSync(fd)
    closeTheirs()
    if (wroteFile) removeFileQuietly(processFile)
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
    new Promise<number>((resolve) => pidPipe.socket.once('data', () => resolve(Number.parseInt(pidText, 10)))),
    // crun exited (its end of the pipe closed) without writing one; or could not be spawned at all.
    pidPipe.ended.then(() => Number.parseInt(pidText, 10)),
    exited.then(() => pidPipe.ended.then(() => Number.parseInt(pidText, 10)), () => -1),
  ])
  pidPipe.socket.destroy()
  closeTheirs()
  if (wroteFile) removeFileQuietly(processFile)

  const outputsEnded = Promise.all([out?.ended, err?.ended])
  if (!(pid > 0)) {
    const code = await exited.catch((e: unknown) => e)
    await Promise.race([outputsEnded, delay(DRAIN_MS)])
    out?.socket.destroy()
    err?.socket.destroy()
    if (typeof code !== 'number') throw code
    // What crun printed: on the process's stderr (the process itself never ran).
    const stderrText = Buffer.concat(held.filter(([s]) => s === 2).map(([, d]) => d)).toString()
    const message = stderrText || Buffer.concat(held.map(([, d]) => d)).toString()
    if (message.trim() === '') {
      throw new RuntimeError(argv, code, '', `Cannot exec in container ${opts.containerId}: the runtime exited with status ${code}`)
    }
    throw execStartError(message, opts.process.args?.[0] ?? '')
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
  return { pid, attach, resize: async () => {}, exited: code }
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

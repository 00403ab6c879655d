/**
 * Exec through conmon's exec mode (`conmon -e --exec-attach --exec-process-spec`): conmon runs
 * `<runtime> exec` for one process, holds its stdio (or its TTY) and serves it on an attach socket,
 * like a container's. The session lives in <root>/exec/<execId>/ (the "bundle" conmon puts attach,
 * ctl and winsz in), with its own exit dir so it cannot overwrite the container's exit file.
 *
 * Handshake (conmon 2.x, as podman drives it), pipes at fd 3 (sync), 4 (start), 5 (attach):
 * 1. write the start pipe once: conmon forks and sets up the attach socket;
 * 2. the attach pipe says `{"data": 0}`: connect to the socket (and resize the TTY);
 * 3. write the start pipe again (and close it): conmon runs `<runtime> exec`;
 * 4. the sync pipe says `{"data": <pid>}`, or `{"data": -1, "message": ...}` when the runtime could
 *    not start the process; later `{"data": <exit code>}` when it exits.
 */
import { access, mkdir, open, readdir, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable, Writable } from 'node:stream'
import { EngineError, RuntimeError, errorMessage, type Logger } from '../common/index.js'
import { spawnWithFds } from '../sys/index.js'
import { connectAttach } from './conmon-attach.js'
import { resizeMessage, writeConmonFifo } from './conmon-ctl.js'
import { socketName, type ConmonBinaries, type RuntimePaths } from './conmon-args.js'
import type { AttachConnection, RuntimeExecOptions, RuntimeExecProcess } from './oci-runtime.js'

/** The exec session's own directory (conmon's bundle/persist dir for it). */
export function execSessionDir(paths: RuntimePaths, execId: string): string {
  return join(paths.root, 'exec', socketName(execId))
}

/** Pure: conmon's argv for one exec session. Pipes: sync fd 3, start fd 4, attach fd 5. */
export function conmonExecArgs(opts: RuntimeExecOptions, bins: ConmonBinaries, paths: RuntimePaths): string[] {
  const dir = execSessionDir(paths, opts.execId)
  const argv = [
    bins.conmonPath,
    '--api-version', '1',
    '-c', opts.containerId,
    '-u', socketName(opts.execId),
    '-n', opts.containerId,
    '-r', bins.runtimePath,
    '-b', dir,
    '-p', join(dir, 'pid'),
    // Docker keeps no log of exec output.
    '-l', 'k8s-file:/dev/null',
    '--exit-dir', join(dir, 'exits'),
    '--persist-dir', dir,
    '--socket-dir-path', paths.socketDir,
    '--runtime-arg', `--root=${paths.stateDir}`,
    '--no-sync-log',
    // Fork once: conmon stays our child (and is reaped by us) instead of a zombie under an init
    // that may not reap.
    '--sync',
  ]
  if (opts.process.terminal) argv.push('-t')
  if (opts.openStdin) argv.push('-i')
  argv.push('-e', '--exec-attach', '--exec-process-spec', join(dir, 'process.json'))
  return argv
}

/** Reads successive `\n`-terminated JSON messages from a conmon pipe. */
class PipeMessages {
  private buf = ''
  private readonly lines: string[] = []
  private waiting: ((line: string | undefined) => void) | undefined
  private ended = false

  constructor(pipe: Readable) {
    pipe.on('data', (chunk: Buffer) => {
      this.buf += chunk.toString()
      let nl
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        this.lines.push(this.buf.slice(0, nl))
        this.buf = this.buf.slice(nl + 1)
      }
      this.flush()
    })
    const end = (): void => {
      this.ended = true
      this.flush()
    }
    pipe.on('end', end)
    pipe.on('close', end)
    pipe.on('error', end)
  }

  private flush(): void {
    if (!this.waiting) return
    const line = this.lines.shift()
    if (line === undefined && !this.ended) return
    const w = this.waiting
    this.waiting = undefined
    w(line)
  }

  /** The next message, undefined once the pipe closed without one. */
  next(): Promise<{ data?: unknown; message?: unknown } | undefined> {
    return new Promise<string | undefined>((resolve) => {
      this.waiting = resolve
      this.flush()
    }).then((line) => {
      if (line === undefined) return undefined
      try {
        return JSON.parse(line) as { data?: unknown; message?: unknown }
      } catch {
        return { data: -1, message: line }
      }
    })
  }
}

/** The runtime's "cannot start" message as an EngineError with Docker's wording (126/127 upstream). */
export function execStartError(message: string, arg0: string): EngineError {
  const text = message.trim()
  if (/not found|No such file or directory/i.test(text)) {
    return new EngineError('InvalidArgument', 'EXEC_NOT_FOUND', `exec: "${arg0}": executable file not found in $PATH`)
  }
  if (/Permission denied|Operation not permitted|EACCES/i.test(text)) {
    return new EngineError('InvalidArgument', 'EXEC_PERMISSION', `exec: "${arg0}": permission denied`)
  }
  return new EngineError('InvalidArgument', 'EXEC_START_FAILED', text)
}

/**
 * Removes the session dirs (and socket links) of execs that finished while no berthd watched them
 * (their monitor wrote `exit`). Sessions still running are left alone.
 */
export async function removeFinishedSessions(paths: RuntimePaths): Promise<number> {
  const root = join(paths.root, 'exec')
  let names: string[]
  try {
    names = await readdir(root)
  } catch {
    return 0
  }
  let removed = 0
  for (const name of names) {
    const finished = await access(join(root, name, 'exit')).then(() => true, () => false)
    if (!finished) continue
    await rm(join(root, name), { recursive: true, force: true })
    await rm(join(paths.socketDir, name), { force: true })
    removed++
  }
  return removed
}

export interface ConmonExecDeps {
  bins: ConmonBinaries
  paths: RuntimePaths
  logger: Logger
}

/** Per runtime root: sessions left by an earlier berthd are swept once, on the first exec. */
const swept = new Map<string, Promise<number>>()

export async function conmonExec(deps: ConmonExecDeps, opts: RuntimeExecOptions): Promise<RuntimeExecProcess> {
  let sweep = swept.get(deps.paths.root)
  if (!sweep) {
    sweep = removeFinishedSessions(deps.paths).catch((err) => {
      deps.logger.warn('removing finished exec sessions failed', { err: errorMessage(err) })
      return 0
    })
    swept.set(deps.paths.root, sweep)
  }
  await sweep
  const dir = execSessionDir(deps.paths, opts.execId)
  const cleanup = async (): Promise<void> => {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined)
    await rm(join(deps.paths.socketDir, socketName(opts.execId)), { force: true }).catch(() => undefined)
  }
  await Promise.all([mkdir(join(dir, 'exits'), { recursive: true }), ensureDir(deps.paths.socketDir)])
  const size = opts.process.terminal && opts.consoleSize && opts.consoleSize.rows > 0 && opts.consoleSize.cols > 0 ? opts.consoleSize : undefined
  // The runtime sizes the new pty itself: a ctl resize sent before conmon has the console is lost.
  const spec = size ? { ...opts.process, consoleSize: { height: size.rows, width: size.cols } } : opts.process
  await writeFile(join(dir, 'process.json'), JSON.stringify(spec))

  const argv = conmonExecArgs(opts, deps.bins, deps.paths)
  deps.logger.debug('spawning conmon for exec', { containerId: opts.containerId, execId: opts.execId })
  const child = spawnWithFds(argv, ['pipe', 'pipe', 'pipe'], {
    env: { ...process.env, _OCI_SYNCPIPE: '3', _OCI_STARTPIPE: '4', _OCI_ATTACHPIPE: '5' },
    cwd: dir,
  })
  const sync = new PipeMessages(child.stdio[3] as Readable)
  const startPipe = child.stdio[4] as Writable
  const attachPipe = new PipeMessages(child.stdio[5] as Readable)
  startPipe.on('error', (err) => deps.logger.debug('conmon exec start pipe', { execId: opts.execId, err: err.message }))
  const fail = async (message: string, cause?: unknown): Promise<never> => {
    startPipe.destroy()
    ;(child.stdio[3] as Readable).destroy()
    ;(child.stdio[5] as Readable).destroy()
    const timeout = new Promise<{ stderr: string }>((r) => setTimeout(() => r({ stderr: '' }), 2000).unref())
    const { stderr } = await Promise.race([child.exited.catch(() => ({ stderr: '' })), timeout])
    await cleanup()
    throw new RuntimeError(argv, null, stderr, `Cannot exec in container ${opts.containerId}: ${message}`, { cause })
  }

  startPipe.write('0')
  const ready = await attachPipe.next()
  ;(child.stdio[5] as Readable).destroy()
  if (ready === undefined || ready.data !== 0) {
    return fail(typeof ready?.message === 'string' ? ready.message : 'conmon did not set up the attach socket')
  }
  let attach: AttachConnection
  try {
    attach = await connectAttach(join(deps.paths.socketDir, socketName(opts.execId), 'attach'), opts.containerId)
  } catch (err) {
    return fail(errorMessage(err), err)
  }
  const resize = async (rows: number, cols: number): Promise<void> => {
    try {
      await writeConmonFifo(join(dir, 'winsz'), resizeMessage(rows, cols))
    } catch (err) {
      throw new EngineError('Conflict', 'EXEC_NOT_RUNNING', `Cannot resize exec session: ${errorMessage(err)}`, { cause: err })
    }
  }
  startPipe.end('1')

  const started = await sync.next()
  const pid = typeof started?.data === 'number' ? started.data : -1
  if (pid <= 0) {
    attach.close()
    ;(child.stdio[3] as Readable).destroy()
    await cleanup()
    const message = typeof started?.message === 'string' ? started.message : 'conmon exited without reporting a pid'
    throw execStartError(message, opts.process.args?.[0] ?? '')
  }
  if (size) {
    // Again through conmon, in case it applied a stale size when it took over the console.
    await resize(size.rows, size.cols).catch((err) => deps.logger.debug('exec initial resize failed', { err: errorMessage(err) }))
  }
  const exited = sync.next().then(async (msg) => {
    ;(child.stdio[3] as Readable).destroy()
    let code = typeof msg?.data === 'number' ? msg.data : undefined
    if (code === undefined) {
      // conmon went away without the message: its exit file is the fallback.
      const text = await readText(join(dir, 'exit'))
      code = text !== undefined && /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : -1
    }
    // The session's files go after the exit is reported: the client's stream ends on it.
    void cleanup()
    return code
  })
  return { pid, attach, resize, exited }
}

/** Directories known to exist (created once per path, not on every exec). */
const madeDirs = new Map<string, Promise<void>>()

function ensureDir(path: string): Promise<void> {
  let made = madeDirs.get(path)
  if (!made) {
    made = mkdir(path, { recursive: true }).then(
      () => undefined,
      (err: unknown) => {
        madeDirs.delete(path)
        throw err
      },
    )
    madeDirs.set(path, made)
  }
  return made
}

async function readText(path: string): Promise<string | undefined> {
  try {
    const fh = await open(path, 'r')
    try {
      return await fh.readFile('utf8')
    } finally {
      await fh.close()
    }
  } catch {
    return undefined
  }
}


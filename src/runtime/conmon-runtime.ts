import { constants, existsSync, mkdirSync, watch } from 'node:fs'
import { mkdir, open, rm, stat, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { EngineError, RuntimeError, errorMessage, newId, type LinuxResources, type Logger, type Process, type Spec } from '../common/index.js'
import { FdLauncher, FdLauncherUnavailable, run, type RunResult } from '../sys/index.js'
import { connectAttach } from './conmon-attach.js'
import { conmonCtlMessage, resizeMessage, writeConmonFifo } from './conmon-ctl.js'
import { conmonExec } from './conmon-exec.js'
import { launchConmon, spawnConmon, type ConmonProcess, type ConmonStartOptions } from './conmon-start.js'
import { crunExec } from './crun-exec.js'
import { crunRun } from './crun-run.js'
import { FifoPool, fifoDirFor } from './fifo-pool.js'
import { ReadOnlyBinary, type RuntimeCommand } from './readonly-binary.js'
import { conmonArgs, runtimePaths, socketName, type RuntimePaths } from './conmon-args.js'
import { SeccompCache } from './seccomp-cache.js'
import type {
  AttachConnection,
  ExitInfo,
  OciRuntime,
  ProbeResult,
  RuntimeCreateOptions,
  RuntimeExecOptions,
  RuntimeExecProcess,
  RuntimeRunOptions,
  RuntimeRunProcess,
  RuntimeState,
  RuntimeStatus,
} from './oci-runtime.js'

export interface ConmonRuntimeOptions {
  /** Path of the OCI runtime binary, e.g. /usr/bin/crun or /usr/sbin/runc. */
  runtimePath: string
  runtimeName: 'crun' | 'runc'
  conmonPath: string
  /** <exec-root>/runtime: holds state/, exits/, persist/<id>/, sock/. */
  root: string
  logger: Logger
  /** tini, which non-TTY execs run crun under (default /usr/bin/tini-static; without it they use conmon). */
  reaperPath?: string
}

/** How long an exit file may stay empty (conmon creates it, then writes) before we stop re-reading. */
const EMPTY_EXIT_RETRIES = 50
const EMPTY_EXIT_RETRY_MS = 10
/** A temporary file conmon renames into place: `<name>.` and six characters. */
const TEMP_EXIT_FILE = /\.[A-Za-z0-9]{6}$/

/**
 * The runtime does not know the container. runc: "container does not exist"; crun 1.8 names the
 * missing state path: "error opening file `<root>/<id>/status`: No such file or directory" (state, kill,
 * start) or "cannot open directory '<root>/<id>': No such file or directory" (delete).
 */
function isUnknownContainer(stderr: string, stateDir: string, containerId: string): boolean {
  if (/container does not exist|container `[^`]*` does not exist/.test(stderr)) return true
  return stderr.includes(join(stateDir, containerId)) && stderr.includes('No such file or directory')
}

/**
 * OciRuntime over conmon (per-container monitor) + crun or runc. conmon runs `<runtime> create`, keeps
 * stdio, writes the k8s-file log and the exit file, and outlives berthd; start/kill/delete/state call
 * the runtime binary directly with the same --root.
 */
export class ConmonRuntime implements OciRuntime {
  readonly name: string
  private readonly paths: RuntimePaths
  /** crun only: it accepts a precompiled filter (runc would ignore the annotation and compile anyway). */
  private readonly seccomp: SeccompCache | undefined
  /** crun only: pipes for execs berthd runs without conmon (runc writes its pid file by rename). */
  private readonly fifos: FifoPool | undefined
  /** crun only: its binary on a read-only mount, so it need not re-execute itself at every run. */
  private readonly crunBinary: ReadOnlyBinary | undefined
  private readonly reaperPath: string | undefined
  /** Starts the plain execs' crun (made with the first one). */
  private launcher: FdLauncher | undefined
  private execPrepared = false
  private closed = false
  /** The runtime's shared directories, made at the first create. */
  private dirsReady: Promise<unknown> | undefined
  /** Containers whose spec has poststart hooks: only `crun start` runs those. */
  private readonly runtimeStart = new Set<string>()
  /** crun with tini only: `crun run` in the foreground, through the exec launcher (see crun-run.ts). */
  readonly runForeground: ((opts: RuntimeRunOptions) => Promise<RuntimeRunProcess>) | undefined

  constructor(private readonly opts: ConmonRuntimeOptions) {
    this.name = opts.runtimeName
    this.paths = runtimePaths(opts.root)
    this.seccomp = opts.runtimeName === 'crun' ? new SeccompCache(this.paths.stateDir) : undefined
    this.fifos = opts.runtimeName === 'crun' ? new FifoPool(fifoDirFor(opts.root), { logger: opts.logger }) : undefined
    this.crunBinary = opts.runtimeName === 'crun' ? new ReadOnlyBinary(opts.runtimePath, join(opts.root, 'crun'), opts.logger) : undefined
    const reaper = opts.reaperPath ?? '/usr/bin/tini-static'
    this.reaperPath = existsSync(reaper) ? reaper : undefined
    const { fifos, crunBinary, reaperPath } = this
    this.runForeground = fifos && crunBinary && reaperPath ? (o) => this.runWithoutMonitor(o, { fifos, crunBinary, reaperPath }) : undefined
  }

  /**
   * The runtime binary to run: crun from its read-only mount once made (the first call makes it), else
   * the binary itself (runc, a mount that failed, a runtime being closed: a mount made now would stay).
   */
  private async runtimeCommand(): Promise<RuntimeCommand> {
    if (!this.crunBinary || this.closed) return { path: this.opts.runtimePath, env: {} }
    return this.crunBinary.command()
  }

  async close(): Promise<void> {
    // No exec preparation may start after this (it would mount the binary again).
    this.closed = true
    this.launcher?.close()
    await Promise.all([this.crunBinary?.close(), this.fifos?.close()])
  }

  specAnnotations(containerId: string, spec: Spec): Record<string, string> | undefined {
    if (spec.hooks?.poststart?.length) this.runtimeStart.add(containerId)
    else this.runtimeStart.delete(containerId)
    return this.seccomp?.annotationsFor(containerId, spec)
  }

  async create(opts: RuntimeCreateOptions): Promise<{ pid: number }> {
    let created
    try {
      created = await this.createContainer(opts)
    } catch (err) {
      this.seccomp?.forget(opts.containerId)
      throw err
    }
    this.seccomp?.created(opts.containerId)
    return created
  }

  private async createContainer(opts: RuntimeCreateOptions): Promise<{ pid: number }> {
    // Its rejection is handled once conmon waits for it (below), not reported as unhandled meanwhile.
    opts.ready?.catch(() => undefined)
    opts.signal?.throwIfAborted()
    const id = opts.containerId
    const { exitsDir } = this.paths
    const persist = this.paths.persistDir(id)
    await this.sharedDirs()
    // A container can be created again after it stopped: stale exit/oom files would report the old
    // exit. purge() deletes them with the persist dir, so a new persist dir means there are none.
    const fresh = (await mkdir(persist, { recursive: true })) !== undefined
    if (!fresh) {
      await Promise.all(
        [join(exitsDir, id), ...['exit', 'oom', 'pidfile', 'conmon.pid'].map((f) => join(persist, f))].map((p) =>
          rm(p, { force: true }),
        ),
      )
    }

    const runtime = await this.runtimeCommand()
    const argv = conmonArgs(opts, { ...this.opts, runtimePath: runtime.path }, this.paths)
    this.opts.logger.debug('spawning conmon', { containerId: id, argv: argv.join(' ') })
    // conmon runs the runtime with its own environment. It also writes its "oom" marker into its
    // working directory: keep it in the persist dir.
    const conmon = await this.startConmon({ argv, env: runtime.env, cwd: persist })
    if (opts.ready) {
      try {
        await opts.ready
      } catch (err) {
        // conmon blocks on the start pipe before it forks or runs the runtime: killed there, it leaves
        // nothing. (Closing the pipe instead would let it go on and create the container.)
        conmon.sync.destroy()
        await conmon.kill()
        conmon.exited.catch(() => undefined)
        throw err
      }
    }
    // conmon blocks on the start pipe before it forks; unblock it once the bundle is complete.
    conmon.start()

    let line: string | undefined
    try {
      // Not abortable: an abort while `<runtime> create` runs would race it; wait for its answer, then undo.
      line = await readSyncLine(conmon.sync)
    } finally {
      // conmon keeps the sync pipe open until the container exits; do not wait for EOF.
      conmon.sync.destroy()
      conmon.release()
    }
    if (line === undefined) {
      const { exitCode, stderr } = await conmon.exited
      throw new RuntimeError(argv, exitCode, stderr, `Cannot create container ${id}: conmon exited (${exitCode ?? 'signal'}) without reporting a pid: ${stderr.trim()}`)
    }
    let msg: { data?: unknown; message?: unknown }
    try {
      msg = JSON.parse(line) as { data?: unknown; message?: unknown }
    } catch (err) {
      throw new RuntimeError(argv, null, line, `Cannot create container ${id}: unexpected message from conmon: ${line}`, { cause: err })
    }
    const pid = typeof msg.data === 'number' ? msg.data : -1
    if (pid <= 0 || msg.message !== undefined) {
      const text = typeof msg.message === 'string' ? msg.message : `conmon reported ${String(msg.data)}`
      throw new RuntimeError(argv, null, text, `Cannot create container ${id}: ${text.trim()}`)
    }
    if (opts.signal?.aborted) {
      await this.delete(id, { force: true })
      throw opts.signal.reason
    }
    return { pid }
  }

  /** Makes the runtime's shared directories (once). */
  private sharedDirs(): Promise<unknown> {
    this.dirsReady ??= Promise.all([this.paths.exitsDir, this.paths.socketDir, this.paths.stateDir].map((dir) => mkdir(dir, { recursive: true }))).catch((err: unknown) => {
      this.dirsReady = undefined
      throw err
    })
    return this.dirsReady
  }

  /**
   * conmon through the exec launcher (a fork of a small bash, not of berthd: see conmon-start.ts) when
   * crun runs with tini at hand; else, or when the launcher cannot start, by node's spawn.
   */
  private async startConmon(opts: ConmonStartOptions): Promise<ConmonProcess> {
    const launcher = this.execLauncher()
    if (launcher && this.fifos) {
      try {
        return await launchConmon(launcher, this.fifos, opts)
      } catch (err) {
        if (!(err instanceof FdLauncherUnavailable)) throw err
      }
    }
    return spawnConmon(opts)
  }

  /** The launcher of plain execs and conmon (crun with tini only), made on first use. */
  private execLauncher(): FdLauncher | undefined {
    if (this.closed || !this.fifos || !this.crunBinary || !this.reaperPath) return undefined
    return (this.launcher ??= new FdLauncher(this.reaperPath))
  }

  async start(containerId: string): Promise<void> {
    if (this.opts.runtimeName !== 'crun' || this.runtimeStart.delete(containerId) || !(await this.startThroughExecFifo(containerId))) {
      await this.runtime(containerId, ['start', containerId])
    }
    this.prepareExec()
  }

  /** Once a container runs, makes what its execs need (FIFOs, the read-only crun) in the background. */
  private prepareExec(): void {
    if (this.execPrepared) return
    this.execPrepared = true
    setImmediate(() => {
      if (!this.closed) void Promise.all([this.fifos?.take(0), this.crunBinary?.command()]).catch(() => undefined)
    })
  }

  /**
   * What `crun start` does for a container without poststart hooks, without spawning crun: the
   * created init blocks reading <state>/<id>/exec.fifo; crun start opens its write end, unlinks it
   * (crun reports "created" while the fifo exists, "running" after) and writes one byte. False when
   * the fifo is missing (not created, already started) or has no reader (the init died): `crun start`
   * then reports the error in its own words.
   */
  private async startThroughExecFifo(containerId: string): Promise<boolean> {
    const fifo = join(this.paths.stateDir, containerId, 'exec.fifo')
    let fh
    try {
      // Non-blocking: without a reader the open fails (ENXIO) instead of waiting for one.
      fh = await open(fifo, constants.O_WRONLY | constants.O_NONBLOCK)
    } catch {
      return false
    }
    try {
      await unlink(fifo)
      await fh.write(Buffer.alloc(1))
    } finally {
      await fh.close()
    }
    return true
  }

  async kill(containerId: string, signal: string | number): Promise<void> {
    await this.runtime(containerId, ['kill', containerId, String(signal)])
  }

  async delete(containerId: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.runtime(containerId, ['delete', ...(opts.force ? ['--force'] : []), containerId], true)
  }

  async state(containerId: string): Promise<RuntimeState | undefined> {
    const res = await this.runtime(containerId, ['state', containerId], true)
    if (res === undefined) return undefined
    let parsed: { status?: string; pid?: number }
    try {
      parsed = JSON.parse(res.stdout.toString()) as { status?: string; pid?: number }
    } catch (err) {
      throw new RuntimeError([this.opts.runtimePath, 'state', containerId], 0, res.stdout.toString().slice(-2048), `Cannot read state of container ${containerId}: ${errorMessage(err)}`, { cause: err })
    }
    // runc reports "creating" while `runc create` is still in progress.
    const status = (parsed.status === 'creating' ? 'created' : parsed.status) as RuntimeStatus
    return { status, pid: status === 'stopped' ? 0 : (parsed.pid ?? 0) }
  }

  async readExit(containerId: string): Promise<ExitInfo | undefined> {
    const res = await this.readExitFile(containerId)
    return typeof res === 'object' ? res.exit : undefined
  }

  watchExits(listener: (containerId: string, exit: ExitInfo) => void): { close(): void } {
    mkdirSync(this.paths.exitsDir, { recursive: true })
    /** Exit file reported per container (inode:mtime), so each exit is reported once. */
    const reported = new Map<string, string>()
    const pending = new Set<string>()
    let closed = false

    const check = async (containerId: string, attempt: number): Promise<void> => {
      const res = await this.readExitFile(containerId)
      if (res === 'absent') {
        reported.delete(containerId)
      } else if (res === 'empty') {
        if (attempt < EMPTY_EXIT_RETRIES && !closed) await delay(EMPTY_EXIT_RETRY_MS).then(() => check(containerId, attempt + 1))
      } else if (!closed && reported.get(containerId) !== res.key) {
        reported.set(containerId, res.key)
        listener(containerId, res.exit)
      }
    }
    const schedule = (containerId: string): void => {
      if (pending.has(containerId) || closed) return
      pending.add(containerId)
      // Events of one burst (create, write, close) that arrive together are read once.
      setImmediate(() => {
        pending.delete(containerId)
        check(containerId, 0).catch((err) => this.opts.logger.warn('reading exit file failed', { containerId, err: errorMessage(err) }))
      })
    }
    const watcher = watch(this.paths.exitsDir, (_event, filename) => {
      const name = filename?.toString()
      // conmon writes `<id>.XXXXXX` (glib's g_file_set_contents) and renames it to `<id>`: only the
      // final name holds an exit, complete once it appears; an exit file written in place is still
      // re-read while empty.
      if (name && !TEMP_EXIT_FILE.test(name)) schedule(name)
    })
    watcher.on('error', (err) => this.opts.logger.error('watching conmon exit dir failed', { dir: this.paths.exitsDir, err: err.message }))
    return {
      close: () => {
        closed = true
        watcher.close()
      },
    }
  }

  attach(containerId: string): Promise<AttachConnection> {
    // Through conmon's sock/<id> symlink to the bundle, to stay under the 108-byte sun_path limit.
    return connectAttach(join(this.paths.socketDir, socketName(containerId), 'attach'), containerId)
  }

  async resize(containerId: string, rows: number, cols: number): Promise<void> {
    await this.writeFifo(containerId, 'winsz', resizeMessage(rows, cols), 'resize')
  }

  async reopenLog(containerId: string): Promise<void> {
    // Type 2 = reopen the log: conmon opens <log>.tmp (truncating) and renames it over the log path.
    // conmon parses three numbers for every message, so the size fields are sent as zeros.
    await this.writeFifo(containerId, 'ctl', conmonCtlMessage([2, 0, 0]), 'reopen the log of')
  }

  /** Writes one message to a conmon FIFO of the container (through sock/<id>, the symlink to the bundle). */
  private async writeFifo(containerId: string, fifo: 'ctl' | 'winsz', message: string, action: string): Promise<void> {
    try {
      await writeConmonFifo(join(this.paths.socketDir, socketName(containerId), fifo), message)
    } catch (err) {
      throw new EngineError('Conflict', 'CONTAINER_NOT_RUNNING', `Cannot ${action} container ${containerId}: ${errorMessage(err)}`, { cause: err })
    }
  }

  async pause(containerId: string): Promise<void> {
    await this.runtime(containerId, ['pause', containerId])
  }

  async resume(containerId: string): Promise<void> {
    await this.runtime(containerId, ['resume', containerId])
  }

  async update(containerId: string, resources: LinuxResources): Promise<void> {
    // Both crun and runc read an OCI LinuxResources object from --resources.
    const file = join(this.paths.persistDir(containerId), 'resources.json')
    await mkdir(this.paths.persistDir(containerId), { recursive: true })
    await writeFile(file, JSON.stringify(resources))
    try {
      await this.runtime(containerId, ['update', '--resources', file, containerId])
    } finally {
      await rm(file, { force: true })
    }
  }

  exec(opts: RuntimeExecOptions): Promise<RuntimeExecProcess> {
    if (this.fifos && this.crunBinary && this.reaperPath && !opts.process.terminal && !opts.openStdin) {
      const binary = this.crunBinary
      const launcher = this.execLauncher()
      const deps = { runtime: () => binary.command(), reaperPath: this.reaperPath, launcher, paths: this.paths, fifos: this.fifos, fifoDir: this.fifos.dir }
      return crunExec(deps, opts)
    }
    return conmonExec({ bins: this.opts, paths: this.paths, logger: this.opts.logger }, opts)
  }

  private async runWithoutMonitor(
    opts: RuntimeRunOptions, parts: { fifos: FifoPool; crunBinary: ReadOnlyBinary; reaperPath: string },
  ): Promise<RuntimeRunProcess> {
    await this.sharedDirs()
    const launcher = this.execLauncher()
    try {
      return await crunRun({
        runtime: () => parts.crunBinary.command(), reaperPath: parts.reaperPath, ...(launcher ? { launcher } : {}), fifos: parts.fifos, paths: this.paths,
        // Its state (with the seccomp filter crun compiled) goes as soon as the process exits: read it now.
        started: (id) => this.seccomp?.created(id),
      }, opts)
    } catch (err) {
      this.seccomp?.forget(opts.containerId)
      throw err
    }
  }

  async probe(containerId: string, process: Process, timeoutMs: number): Promise<ProbeResult> {
    const dir = this.paths.persistDir(containerId)
    const file = join(dir, `probe-${newId().slice(0, 12)}.json`)
    await mkdir(dir, { recursive: true })
    await writeFile(file, JSON.stringify({ ...process, terminal: false }))
    try {
      const argv = [(await this.runtimeCommand()).path, '--root', this.paths.stateDir, 'exec', '--process', file, containerId]
      const res = await run(argv, { check: false, timeoutMs })
      const output = Buffer.concat([res.stdout, res.stderr]).subarray(0, 4096).toString('utf8')
      const timedOut = res.exitCode === null && res.signal !== null
      return { exitCode: res.exitCode ?? -1, output, timedOut }
    } finally {
      await rm(file, { force: true })
    }
  }

  async purge(containerId: string): Promise<void> {
    await rm(join(this.paths.exitsDir, containerId), { force: true })
    await rm(this.paths.persistDir(containerId), { recursive: true, force: true })
    await rm(join(this.paths.socketDir, socketName(containerId)), { force: true })
  }

  /**
   * Reads exits/<id>. conmon creates the file, then writes it: 'empty' is an exit still being
   * recorded. The key and finishedAt come from the same open file after its content was read, so
   * a write racing the read cannot yield two keys for one exit.
   */
  private async readExitFile(containerId: string): Promise<{ exit: ExitInfo; key: string } | 'absent' | 'empty'> {
    let fh
    try {
      fh = await open(join(this.paths.exitsDir, containerId), 'r')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent'
      throw err
    }
    let text: string
    let st
    try {
      text = (await fh.readFile('utf8')).trim()
      st = await fh.stat()
    } finally {
      await fh.close()
    }
    if (text === '') return 'empty'
    const exitCode = Number.parseInt(text, 10)
    if (!Number.isFinite(exitCode)) {
      throw new EngineError('Internal', 'RUNTIME_EXIT_FILE', `Cannot read exit of container ${containerId}: unexpected content "${text}"`)
    }
    const oomKilled = await stat(join(this.paths.persistDir(containerId), 'oom')).then(
      () => true,
      () => false,
    )
    return { exit: { exitCode, oomKilled, finishedAt: st.mtime }, key: `${st.ino}:${st.mtimeMs}` }
  }

  /**
   * Runs `<runtime> --root <state> ...args`. A container the runtime does not know is EngineError
   * NotFound, or undefined when `missingOk`.
   */
  private async runtime(containerId: string, args: string[], missingOk = false): Promise<RunResult | undefined> {
    // Its env (_LIBCONTAINER_CLONED_BINARY) is in the spawn helper's environment (see
    // runtimeHelperEnv); a command spawned without the helper re-executes itself, slower but the same.
    const argv = [(await this.runtimeCommand()).path, '--root', this.paths.stateDir, ...args]
    const res = await run(argv, { check: false })
    if (res.exitCode === 0) return res
    const stderr = res.stderr.toString()
    if (isUnknownContainer(stderr, this.paths.stateDir, containerId)) {
      if (missingOk) return undefined
      throw new EngineError('NotFound', 'CONTAINER_NOT_FOUND', `No such container: ${containerId}`)
    }
    throw new RuntimeError(argv, res.exitCode, stderr.slice(-2048))
  }
}

/** Reads conmon's first `\n`-terminated sync message; undefined when the pipe closes before one. */
function readSyncLine(pipe: Readable): Promise<string | undefined> {
  return new Promise((resolve) => {
    let buf = ''
    const done = (line: string | undefined): void => {
      pipe.off('data', onData)
      pipe.off('end', onEnd)
      pipe.off('close', onEnd)
      pipe.off('error', onEnd)
      resolve(line)
    }
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString()
      const nl = buf.indexOf('\n')
      if (nl >= 0) done(buf.slice(0, nl))
    }
    const onEnd = (): void => done(buf.trim() === '' ? undefined : buf)
    pipe.on('data', onData)
    pipe.on('end', onEnd)
    pipe.on('close', onEnd)
    pipe.on('error', onEnd)
  })
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}

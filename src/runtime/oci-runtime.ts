import type { LinuxResources, Process, Spec } from '../common/index.js'

/**
 * OciRuntime: the thin adapter over conmon + crun/runc. It creates, starts, signals and deletes
 * containers, and reports exits; whether an operation is allowed in the container's current state is
 * decided by engine/containers, never here.
 *
 * Lifecycle: create() -> (attach()) -> start() -> [exit reported by watchExits / readExit] -> delete().
 * A container created by create() keeps running when berthd exits (conmon outlives it); a new berthd
 * finds it again with state() and readExit().
 * Errors: a failed child process is a RuntimeError (argv, exit code, stderr tail); unknown ids are
 * EngineError NotFound.
 */
export interface RuntimeCreateOptions {
  containerId: string
  /** Directory holding config.json (the OCI bundle). conmon also puts attach/ctl/winsz here. */
  bundleDir: string
  /** Path of the k8s-file log conmon writes (`<time> <stream> <F|P> <text>` lines). */
  logPath: string
  /**
   * conmon --log-size-max: once it has written this many bytes since its own last such reopen (a
   * reopenLog() request does not reset the count), conmon replaces logPath with an empty file.
   * undefined = unlimited.
   */
  logMaxSize?: number
  tty: boolean
  /** Keep stdin open and connected to the attach socket (-i). */
  openStdin: boolean
  /**
   * Docker's StdinOnce: the container's stdin closes when an attached client closes its side.
   * Otherwise (and always with a TTY, as dockerd) stdin stays open across attach sessions.
   */
  stdinOnce?: boolean
  signal?: AbortSignal
  /**
   * The bundle is complete once this resolves: the monitor may be started before (its own start-up
   * then overlaps the caller's preparation), and the runtime reads config.json only after. When it
   * rejects, create() rejects with its reason and leaves no container or monitor behind.
   */
  ready?: Promise<void>
}

export type RuntimeStatus = 'created' | 'running' | 'paused' | 'stopped'

export interface RuntimeState {
  status: RuntimeStatus
  /** Init pid in the host pid namespace; 0 when stopped. */
  pid: number
}

export interface ExitInfo {
  exitCode: number
  oomKilled: boolean
  /** When conmon wrote the exit file. */
  finishedAt: Date
}

/** One client attached to a container's stdio through conmon's attach socket. */
export interface AttachConnection {
  /** Data from the container; stream 1 = stdout, 2 = stderr (Docker's numbering). */
  onData(listener: (stream: 1 | 2, data: Buffer) => void): void
  /** The container's side closed (it exited) or the socket failed. */
  onEnd(listener: () => void): void
  /** Raw stdin bytes (only reaches the container when it was created with openStdin). */
  write(data: Buffer): void
  /** Half-close: the container's stdin sees EOF (conmon closes it unless told to leave it open). */
  end?(): void
  close(): void
}

/** One process to run in a running container (conmon exec mode; crun runs one without a TTY itself). */
export interface RuntimeExecOptions {
  containerId: string
  /** Unique per exec; names the session's files and attach socket. */
  execId: string
  /** The OCI process to run (args, env, cwd, user, capabilities, terminal...). */
  process: Process
  /** Keep the process's stdin connected to the attach socket. */
  openStdin: boolean
  /** TTY size set before the process starts (only with process.terminal). */
  consoleSize?: { rows: number; cols: number }
  /** Nobody will read the output (`exec -d`): the runtime may discard it. */
  detach?: boolean
}

/**
 * A started exec process. `attach` is connected before the process starts, so no output is lost;
 * `exited` resolves with its exit code once it has exited and its output has ended.
 */
export interface RuntimeExecProcess {
  pid: number
  attach: AttachConnection
  resize(rows: number, cols: number): Promise<void>
  exited: Promise<number>
}

/** A container run to its end by runForeground(): its bundle, complete (config.json written). */
export interface RuntimeRunOptions {
  containerId: string
  bundleDir: string
}

/**
 * A container started by runForeground(). `attach` carries its output from the start; `exited` resolves
 * with its exit status (128 + N when signal N killed it) once it has exited, its output has ended and
 * the runtime has deleted it.
 */
export interface RuntimeRunProcess {
  pid: number
  attach: AttachConnection
  exited: Promise<number>
}

export interface OciRuntime {
  /** "crun" or "runc": the OCI runtime conmon drives. */
  readonly name: string
  /**
   * Annotations the runtime wants in the container's config.json before create() (e.g. a filter it
   * already compiled for the same seccomp profile); they do not change what the container runs under.
   */
  specAnnotations?(containerId: string, spec: Spec): Record<string, string> | undefined
  /** Spawns conmon, which runs `<runtime> create`; resolves with the init pid once it is `created`. */
  create(opts: RuntimeCreateOptions): Promise<{ pid: number }>
  start(containerId: string): Promise<void>
  /** Signal name ("TERM", "SIGKILL") or number. */
  kill(containerId: string, signal: string | number): Promise<void>
  /** Removes the runtime's state (force kills a created/running container). Idempotent. */
  delete(containerId: string, opts?: { force?: boolean }): Promise<void>
  /** undefined when the runtime does not know the container. */
  state(containerId: string): Promise<RuntimeState | undefined>
  /** The exit conmon recorded, or undefined while it has not exited. */
  readExit(containerId: string): Promise<ExitInfo | undefined>
  /** Calls back once for every container exit conmon records from now on (inotify on the exits dir). */
  watchExits(listener: (containerId: string, exit: ExitInfo) => void): { close(): void }
  /** Connects to conmon's attach socket. Only valid between create() and exit. */
  attach(containerId: string): Promise<AttachConnection>
  /** Resize the container's TTY. */
  resize(containerId: string, rows: number, cols: number): Promise<void>
  /**
   * Asks the monitor to reopen the log path: it then writes to a new file at logPath, and the file
   * that was there (possibly renamed by the caller meanwhile) receives nothing more. The request is
   * asynchronous: it has been served once a new file is at logPath. Conflict when the container's
   * monitor is gone (exited).
   */
  reopenLog?(containerId: string): Promise<void>
  /**
   * Removes what conmon kept for the container (exit file, persist dir) once the engine no longer
   * needs readExit(), e.g. when the container is removed. delete() keeps them. Idempotent.
   */
  purge?(containerId: string): Promise<void>
  /** Freezes every process of a running container (cgroup freezer). */
  pause?(containerId: string): Promise<void>
  /** Thaws a paused container. */
  resume?(containerId: string): Promise<void>
  /** Applies new cgroup limits to a running container (`<runtime> update --resources`). */
  update?(containerId: string, resources: LinuxResources): Promise<void>
  /**
   * Runs an extra process in the running container and resolves once it runs. A process the runtime
   * cannot start is EngineError InvalidArgument with code EXEC_NOT_FOUND (no such executable),
   * EXEC_PERMISSION (not executable) or EXEC_START_FAILED, and the runtime's message; other failures
   * are RuntimeError.
   */
  exec?(opts: RuntimeExecOptions): Promise<RuntimeExecProcess>

  /**
   * Runs `process` inside the running container and waits up to timeoutMs for it (health checks).
   * Output is stdout and stderr, cut to their first 4096 bytes. A timeout kills the runtime's exec.
   */
  probe?(containerId: string, process: Process, timeoutMs: number): Promise<ProbeResult>

  /**
   * Creates and starts the bundle's container without a monitor, its stdin /dev/null; the runtime
   * deletes it once its process has exited (no delete() or purge() to call). Resolves once the process
   * runs. A process the runtime cannot start is a RuntimeError with the runtime's message, and leaves
   * nothing. While it runs the container is known to kill(), state() and delete(); if berthd exits
   * meanwhile it runs on unwatched until one of those ends it. Absent where the runtime cannot run one
   * this way: use create() and start().
   */
  readonly runForeground?: (opts: RuntimeRunOptions) => Promise<RuntimeRunProcess>

  /** Releases what the runtime holds on the host for itself (not containers: they keep running). */
  close?(): Promise<void>
}

export interface ProbeResult {
  /** -1 when it timed out or could not run. */
  exitCode: number
  output: string
  timedOut: boolean
}

import type { ContainerAttachment } from './types.js'

/** What a client asks for at exec create time (Docker's ExecConfig, the fields berth honours). */
export interface ExecConfig {
  /** Entrypoint + args; never empty. */
  cmd: string[]
  /** KEY=value overrides of the container's environment. */
  env?: string[]
  /** Default: the container's working directory. */
  workingDir?: string
  /** Default: the container's user. */
  user?: string
  privileged?: boolean
  tty?: boolean
  attachStdin?: boolean
  attachStdout?: boolean
  attachStderr?: boolean
  detachKeys?: string
  /** [rows, cols] applied before the process starts (TTY only). */
  consoleSize?: [number, number]
}

/** One exec instance, kept in memory until its container is removed (as dockerd does). */
export interface ExecRecord {
  id: string
  containerId: string
  config: ExecConfig
  running: boolean
  /** null until the process has exited (or failed to start). */
  exitCode: number | null
  /** Host pid while running (0 before start). */
  pid: number
  /** True once started: an exec instance runs at most once. */
  started: boolean
}

export interface ExecStartOptions {
  /** Run without streams: start() resolves once the process runs. */
  detach: boolean
  /** Overrides the create-time ConsoleSize. */
  consoleSize?: [number, number]
}

/**
 * Processes in running containers: extra ones (docker exec) and listing them (docker top). Errors: NotFound "No such exec instance: x"
 * for an unknown exec, NotFound "No such container: x", Conflict "container x is not running" /
 * "Container x is paused, unpause the container before exec", Conflict when the exec already ran.
 * A process the runtime cannot start ends with exit code 126 (not executable) or 127 (not found)
 * and start() throws InvalidArgument with Docker's message.
 */
export interface ExecService {
  create(containerNameOrId: string, config: ExecConfig): Promise<{ id: string }>
  inspect(execId: string): ExecRecord
  /**
   * Starts the process. Without detach the returned attachment carries its output (filtered by the
   * attach flags) and ends only after the exit code is recorded, so an inspect after the stream
   * ends sees it.
   */
  start(execId: string, opts: ExecStartOptions): Promise<ContainerAttachment | undefined>
  resize(execId: string, rows: number, cols: number): Promise<void>
  /** docker top: `ps` rows (default args "-ef") of the container's processes. Conflict when not running. */
  top(containerNameOrId: string, psArgs?: string): Promise<{ titles: string[]; processes: string[][] }>
}

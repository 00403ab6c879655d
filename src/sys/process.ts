import { spawn } from 'node:child_process'
import { constants } from 'node:os'
import { RuntimeError } from '../common/index.js'
import { SpawnHelperUnavailable, type SpawnHelper } from './spawn-helper.js'

export interface RunOptions {
  /** Bytes written to stdin, then closed. */
  input?: string | Buffer
  env?: NodeJS.ProcessEnv
  cwd?: string
  signal?: AbortSignal
  /** Milliseconds before the process is killed (SIGKILL). */
  timeoutMs?: number
  /** Reject with RuntimeError on a non-zero exit (default true). */
  check?: boolean
}

export interface RunResult {
  exitCode: number | null
  signal: NodeJS.Signals | null
  stdout: Buffer
  stderr: Buffer
}

const TAIL = 2048

let helper: SpawnHelper | undefined

/**
 * Daemon only: from now on run() starts commands without `env` or `signal` through this helper
 * (a fork of a small bash instead of the whole daemon); undefined goes back to spawning directly.
 */
export function useSpawnHelper(h: SpawnHelper | undefined): void {
  helper = h
}

/**
 * The one place berth runs a child process and waits for it. Output is buffered; for long-lived or
 * streaming children (conmon), see spawnDetached.
 */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const [cmd, ...args] = argv
  if (!cmd) return Promise.reject(new Error('run: empty argv'))
  if (helper && !helper.failed && opts.env === undefined && opts.signal === undefined) {
    return helper.run(argv, opts).catch((err: unknown) => {
      if (err instanceof SpawnHelperUnavailable) return run(argv, opts)
      throw err
    })
  }
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      env: opts.env ?? process.env,
      cwd: opts.cwd,
      signal: opts.signal,
      timeout: opts.timeoutMs,
      killSignal: 'SIGKILL',
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout?.on('data', (b: Buffer) => out.push(b))
    child.stderr?.on('data', (b: Buffer) => err.push(b))
    if (opts.input !== undefined) child.stdin?.end(opts.input)
    child.on('error', (e) => reject(new RuntimeError(argv, null, e.message, undefined, { cause: e })))
    child.on('close', (code, sig) => {
      const result: RunResult = { exitCode: code, signal: sig, stdout: Buffer.concat(out), stderr: Buffer.concat(err) }
      if ((opts.check ?? true) && code !== 0) {
        reject(new RuntimeError(argv, code, result.stderr.subarray(-TAIL).toString() || result.stdout.subarray(-TAIL).toString()))
      } else resolve(result)
    })
  })
}

export interface DetachedChild {
  pid: number
  /** Resolves when the spawned process itself exits (e.g. conmon after it daemonizes). */
  exited: Promise<{ exitCode: number | null; stderr: string }>
}

/**
 * Spawns a process with extra inherited fds (e.g. conmon's sync and start pipes at fd 3 and 4).
 * `fds` entries are passed as fd 3, 4, ... in order.
 */
export function spawnWithFds(
  argv: readonly string[],
  fds: ReadonlyArray<number | 'pipe'>,
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): DetachedChild & { stdio: Array<NodeJS.ReadableStream | NodeJS.WritableStream | null> } {
  const [cmd, ...args] = argv
  if (!cmd) throw new Error('spawnWithFds: empty argv')
  const child = spawn(cmd, args, {
    env: opts.env ?? process.env,
    cwd: opts.cwd,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe', ...fds],
  })
  const err: Buffer[] = []
  child.stderr?.on('data', (b: Buffer) => err.push(b))
  const exited = new Promise<{ exitCode: number | null; stderr: string }>((resolve, reject) => {
    child.on('error', (e) => reject(new RuntimeError(argv, null, e.message, undefined, { cause: e })))
    child.on('close', (code) => resolve({ exitCode: code, stderr: Buffer.concat(err).toString() }))
  })
  child.unref()
  return { pid: child.pid ?? -1, exited, stdio: child.stdio as Array<NodeJS.ReadableStream | NodeJS.WritableStream | null> }
}

/**
 * Runs a filter program (`zstd -dc`): `input` goes to its stdin, its stdout is returned as a
 * stream. The stream fails with a RuntimeError when the program exits non-zero.
 */
export function filterThrough(argv: readonly string[], input: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  const [cmd, ...args] = argv
  if (!cmd) throw new Error('filterThrough: empty argv')
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] })
  const err: Buffer[] = []
  child.stderr?.on('data', (b: Buffer) => err.push(b))
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
  child.on('error', () => undefined)
  child.stdin?.on('error', () => undefined)
  void (async () => {
    try {
      for await (const chunk of input) {
        if (!child.stdin?.write(chunk)) await new Promise((r) => child.stdin?.once('drain', r))
      }
    } catch {
      child.kill('SIGKILL')
    } finally {
      child.stdin?.end()
    }
  })()
  return (async function* () {
    for await (const chunk of child.stdout as AsyncIterable<Buffer>) yield chunk
    const code = await exited
    if (code !== 0) throw new RuntimeError(argv, code, Buffer.concat(err).subarray(-TAIL).toString())
  })()
}

export interface StdioChild {
  pid: number
  /** The exit code, or 128 + the signal number when a signal ended the child. */
  exited: Promise<number>
}

/**
 * Spawns a child whose fds 0, 1, 2, 3... are fds the caller opened (real pipes or FIFOs: Node's own
 * 'pipe' stdio is a socketpair, on which a program cannot open /dev/stdout) or 'ignore' (/dev/null).
 * The caller still owns its fds: close them once this returns. The child runs in its own session.
 */
export function spawnWithStdio(
  argv: readonly string[],
  stdio: ReadonlyArray<number | 'ignore'>,
  opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): StdioChild {
  const [cmd, ...args] = argv
  if (!cmd) throw new Error('spawnWithStdio: empty argv')
  const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd, detached: true, stdio: [...stdio] })
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', (e) => reject(new RuntimeError(argv, null, e.message, undefined, { cause: e })))
    child.on('exit', (code, signal) => resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0)))
  })
  return { pid: child.pid ?? -1, exited }
}

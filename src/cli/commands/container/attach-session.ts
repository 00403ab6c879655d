import { DEFAULT_DETACH_KEYS, DetachKeyScanner, parseDetachKeys } from '../../../common/index.js'
import { copyRaw, demultiplex, type HijackedConnection } from '../../../client/index.js'
import { CliError } from '../../render/errors.js'
import type { CliContext } from '../../context.js'

export interface AttachSessionOptions {
  containerId: string
  tty: boolean
  stdin: boolean
  stdout: boolean
  stderr: boolean
  /** Wait for removal (--rm) instead of the next exit. */
  autoRemove: boolean
  /** Forward SIGINT/SIGTERM/... to the container (not with a TTY: keys go through the stream). */
  sigProxy: boolean
  detachKeys?: string
  /**
   * What the detach sequence (TTY with stdin only) makes of the session: 'ok' (run, start: status 0)
   * or 'error' (attach: docker's "read escape sequence", status 1).
   */
  onDetach?: 'ok' | 'error'
  /** Which exit to wait for (default: the next one; attach to a running container: not-running). */
  waitCondition?: 'not-running' | 'next-exit'
  /** Starts the container once attach and wait are in place. */
  start: () => Promise<void>
}

/** docker's CLI error for a session ended by the detach sequence. */
export const DETACHED_MESSAGE = 'read escape sequence'

/** A failure to start the container (the caller reports it like docker run: 125/126/127). */
export class StartFailure extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause })
    this.name = 'StartFailure'
  }
}

const PROXIED_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2']

/**
 * docker run/start's attached flow: hijack the attach stream, register the wait, start, copy
 * the container's output to ours (and our stdin to it) until it exits. Returns its exit status.
 * Attach and wait are both in place (sent together, on their own connections) before start, so
 * that no output and no exit can be missed.
 */
export async function runAttached(ctx: CliContext, options: AttachSessionOptions): Promise<number> {
  const client = ctx.client()
  const { io } = ctx
  const attaching = client
    .containerAttach(options.containerId, {
      stream: true,
      stdin: options.stdin,
      stdout: options.stdout,
      stderr: options.stderr,
      detachKeys: options.detachKeys,
    })
    .then((conn) => {
      conn.stream.on('error', () => {}) // reported through the copy below
      return conn
    })
  const waiting = client.containerWait(options.containerId, options.autoRemove ? 'removed' : (options.waitCondition ?? 'next-exit'))
  const [attached, waited] = await Promise.allSettled([attaching, waiting])
  if (attached.status === 'rejected') {
    if (waited.status === 'fulfilled') waited.value.cancel()
    throw attached.reason
  }
  const conn = attached.value
  if (waited.status === 'rejected') {
    conn.close()
    throw waited.reason
  }
  const wait = waited.value
  try {
    await options.start()
  } catch (err) {
    conn.close()
    if (options.autoRemove) await wait.result.catch(() => undefined)
    else wait.cancel()
    throw new StartFailure(err)
  }

  const cleanups: (() => void)[] = []
  let detached = false
  if (options.tty && io.stdout.isTTY) {
    // The first resize completes before any stdin goes out, so what is typed runs at our size.
    const resize = (size: { height: number; width: number }): Promise<void> => ctx.client().containerResize(options.containerId, size)
    const monitor = monitorTtySize(ctx, resize, false)
    cleanups.push(monitor.stop)
    await monitor.initial()
  }
  if (options.stdin) {
    cleanups.push(forwardStdin(ctx, conn, options.tty, {
      keys: options.detachKeys,
      onDetach: () => {
        detached = true
        conn.close()
      },
    }))
  }
  if (options.sigProxy && !options.tty) cleanups.push(proxySignals(ctx, options.containerId))
  if (!options.stdout && !options.stderr) io.stdout.write(`${options.containerId}\n`)

  const multiplexed = conn.multiplexed ?? !options.tty
  try {
    if (multiplexed) await demultiplex(conn.stream, io.stdout, io.stderr)
    else await copyRaw(conn.stream, io.stdout)
  } catch (err) {
    if (ctx.debug && !detached) io.stderr.write(`Error hijack: ${(err as Error).message}\n`)
  }
  if (detached) {
    for (const cleanup of cleanups) cleanup()
    wait.cancel()
    if (options.onDetach === 'error') throw new CliError(DETACHED_MESSAGE, 1)
    return 0
  }
  try {
    const result = await wait.result
    if (result.Error?.Message) {
      io.stderr.write(`Error waiting for container: ${result.Error.Message}\n`)
      return 125
    }
    return result.StatusCode
  } finally {
    for (const cleanup of cleanups) cleanup()
    conn.close()
  }
}

/**
 * Copies our stdin to the connection (raw mode with a TTY). With a TTY the detach sequence
 * (`detach.keys`, default Ctrl-P Ctrl-Q) is looked for, as docker's CLI does: it ends the session.
 */
export function forwardStdin(
  ctx: CliContext,
  conn: HijackedConnection,
  tty: boolean,
  detach?: { keys?: string; onDetach: () => void },
): () => void {
  const stdin = ctx.io.stdin
  const raw = tty && stdin.isTTY === true && typeof stdin.setRawMode === 'function'
  if (raw) stdin.setRawMode!(true)
  const scanner = tty && detach ? new DetachKeyScanner(parseDetachKeys(detach.keys || DEFAULT_DETACH_KEYS)) : undefined
  const onData = (data: Buffer): void => {
    if (!scanner) {
      conn.stream.write(data)
      return
    }
    const { forward, detached } = scanner.scan(data)
    if (forward.length > 0) conn.stream.write(forward)
    if (detached) detach?.onDetach()
  }
  // EOF on our stdin becomes EOF on the container's (the daemon sees a half-closed connection).
  const onEnd = (): void => conn.closeWrite()
  stdin.on('data', onData)
  stdin.once('end', onEnd)
  stdin.resume()
  return () => {
    stdin.off('data', onData)
    stdin.off('end', onEnd)
    stdin.pause()
    if (raw) stdin.setRawMode!(false)
  }
}

function proxySignals(ctx: CliContext, containerId: string): () => void {
  const handlers = PROXIED_SIGNALS.map((signal) => {
    const handler = (): void => {
      ctx.client().containerKill(containerId, signal).catch(() => {})
    }
    process.on(signal, handler)
    return [signal, handler] as const
  })
  return () => {
    for (const [signal, handler] of handlers) process.off(signal, handler)
  }
}

/** What monitorTtySize() returns: the first resize (awaitable) and the end of the monitoring. */
export interface TtySizeMonitor {
  /**
   * Sends our size once. As the docker CLI's initTtySize: when that fails (an exec's process may not
   * run yet), it is tried 10 more times, waiting 10, 20, ... 100 ms, in the background, and then
   * "failed to resize tty, using default size" goes to stderr. Resolves after the first try.
   */
  initial(): Promise<void>
  stop(): void
}

/** Sends our terminal's size on every SIGWINCH (and once now, unless `initial` is false). */
export function monitorTtySize(ctx: CliContext, send: (size: { height: number; width: number }) => Promise<void>, initial = true): TtySizeMonitor {
  const stdout = ctx.io.stdout
  let stopped = false
  const current = (): { height: number; width: number } | undefined =>
    stdout.rows && stdout.columns ? { height: stdout.rows, width: stdout.columns } : undefined
  const resize = (): void => {
    const size = current()
    if (size) send(size).catch(() => {})
  }
  const retry = async (): Promise<void> => {
    for (let attempt = 0; attempt < 10; attempt++) {
      await new Promise((r) => setTimeout(r, (attempt + 1) * 10).unref())
      const size = current()
      if (stopped || !size) return
      if (await send(size).then(() => true, () => false)) return
    }
    if (!stopped) ctx.io.stderr.write('failed to resize tty, using default size\n')
  }
  const first = async (): Promise<void> => {
    const size = current()
    if (!size || stopped) return
    if (!(await send(size).then(() => true, () => false))) void retry()
  }
  const started = initial ? first() : undefined
  stdout.on('resize', resize)
  return {
    initial: () => started ?? first(),
    stop: () => {
      stopped = true
      stdout.off('resize', resize)
    },
  }
}

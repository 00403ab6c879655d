import { invalid, errorMessage } from '../../common/index.js'
import type { ContainerAttachment, LogsOptions, WaitCondition } from '../../engine/containers/index.js'
import type { Route, RouteHandler } from '../router.js'
import { queryBool, queryString, startStream, type RequestContext } from '../context.js'
import { compareApiVersions } from '../version.js'
import { parseUnixTimestampNanos, rfc3339NanoFixed } from '../convert/index.js'
import { hijack, muxFrame, muxHeader } from '../stream/index.js'
import type { ContainerWaitResponse } from '../types/index.js'

const rawStream = 'application/vnd.docker.raw-stream'
const multiplexedStream = 'application/vnd.docker.multiplexed-stream'

/** Since API 1.42 a stream that carries stdcopy frames says so in its Content-Type. */
function streamContentType(ctx: RequestContext, multiplexed: boolean): string {
  return multiplexed && compareApiVersions(ctx.apiVersion, '1.42') >= 0 ? multiplexedStream : rawStream
}

function secondsParam(ctx: RequestContext, key: string): number | undefined {
  const raw = queryString(ctx, key)
  if (raw === undefined || raw === '0') return undefined
  const nanos = parseUnixTimestampNanos(raw)
  if (nanos === undefined) throw invalid('INVALID_PARAMETER', `invalid value for ${key}: "${raw}"`)
  return Number(nanos) / 1e9
}

function tailParam(ctx: RequestContext): number | 'all' {
  const raw = queryString(ctx, 'tail')
  if (raw === undefined || raw === 'all') return 'all'
  const n = Number(raw)
  // Docker reads a negative or unparsable tail as "all".
  return Number.isInteger(n) && n >= 0 ? n : 'all'
}

/** GET /containers/{id}/logs: stdcopy frames without a TTY, raw bytes with one. */
/** Resolves when `res` can take more data, or when the request is aborted. */
function drained(res: NodeJS.WritableStream, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done)
      res.off('close', done)
      signal.removeEventListener('abort', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
    signal.addEventListener('abort', done)
  })
}

const logs: RouteHandler = async (ctx, { engine }) => {
  const stdout = queryBool(ctx, 'stdout')
  const stderr = queryBool(ctx, 'stderr')
  if (!stdout && !stderr) throw invalid('INVALID_PARAMETER', 'Bad parameters: you must choose at least one stream')
  const record = await engine.containers.resolve(ctx.params.id as string)
  const tty = record.spec.tty === true
  const timestamps = queryBool(ctx, 'timestamps')
  const opts: LogsOptions = {
    stdout, stderr, timestamps, follow: queryBool(ctx, 'follow'),
    since: secondsParam(ctx, 'since'), until: secondsParam(ctx, 'until'), tail: tailParam(ctx), signal: ctx.signal,
  }
  const batches = engine.containers.logs(record.id, opts)
  startStream(ctx, streamContentType(ctx, !tty))
  try {
    for await (const batch of batches) {
      if (ctx.signal.aborted) break
      // One write per batch; wait for the client when the socket buffer is full.
      const parts: Buffer[] = []
      for (const entry of batch) {
        const line = timestamps ? Buffer.concat([Buffer.from(rfc3339NanoFixed(entry.time) + ' '), entry.line]) : entry.line
        if (tty) parts.push(line)
        else parts.push(muxHeader(entry.stream === 'stdout' ? 1 : 2, line.length), line)
      }
      if (!ctx.res.write(Buffer.concat(parts))) await drained(ctx.res, ctx.signal)
    }
  } finally {
    if (!ctx.res.destroyed) ctx.res.end()
  }
}

/**
 * POST /containers/{id}/attach: hijacks the connection. Output frames go to the client until the
 * attachment ends; client bytes go to the container's stdin.
 */
const attach: RouteHandler = async (ctx, { engine, logger }) => {
  const record = await engine.containers.resolve(ctx.params.id as string)
  const tty = record.spec.tty === true
  const wantStdin = queryBool(ctx, 'stdin')
  const attachment = await engine.containers.attach(record.id, {
    stdin: wantStdin, stdout: queryBool(ctx, 'stdout'), stderr: queryBool(ctx, 'stderr'),
    logs: queryBool(ctx, 'logs'), stream: queryBool(ctx, 'stream'), detachKeys: queryString(ctx, 'detachKeys'),
  })
  const conn = hijack(ctx, streamContentType(ctx, !tty && ctx.upgrade !== undefined))
  // As dockerd: the client's EOF closes the container's stdin only for StdinOnce without a TTY.
  const closeStdin = !tty && record.spec.stdinOnce === true
  await pumpAttachment(attachment, conn, { tty, stdin: wantStdin, closeStdin, logger, containerId: record.id })
}

export function pumpAttachment(
  attachment: ContainerAttachment,
  conn: ReturnType<typeof hijack>,
  opts: { tty: boolean; stdin: boolean; closeStdin: boolean; logger: Parameters<RouteHandler>[1]['logger']; containerId: string },
): Promise<void> {
  return new Promise((resolve) => {
    let done = false
    const finish = (): void => {
      if (done) return
      done = true
      resolve()
    }
    attachment.onData((stream, data) => {
      if (!conn.output.writable) return
      conn.output.write(opts.tty ? data : muxFrame(stream, data))
    })
    attachment.onEnd(() => {
      if (conn.output.writable) conn.output.end()
      finish()
    })
    if (opts.stdin) {
      conn.input.on('data', (chunk: Buffer) => attachment.write(chunk))
      // A listener does not restart a paused stream: the upgrade body reader pauses the socket.
      conn.input.resume()
      // The client closed its write side (`docker run -i` at EOF): close the container's stdin.
      conn.input.on('end', () => {
        if (opts.closeStdin) attachment.endStdin?.()
      })
    } else {
      conn.input.resume()
    }
    conn.input.on('error', (err) => opts.logger.debug('attach connection error', { container: opts.containerId, error: errorMessage(err) }))
    conn.onClose(() => {
      attachment.close()
      finish()
    })
  })
}

const waitConditions: ReadonlySet<string> = new Set(['not-running', 'next-exit', 'removed'])

/**
 * POST /containers/{id}/wait: headers go out at once (clients such as `docker run` wait on the
 * response while they start the container), the body when the condition holds.
 */
const wait: RouteHandler = async (ctx, { engine }) => {
  const condition = queryString(ctx, 'condition') ?? 'not-running'
  if (!waitConditions.has(condition)) throw invalid('INVALID_PARAMETER', `invalid condition: "${condition}"`)
  const record = await engine.containers.resolve(ctx.params.id as string)
  const result = engine.containers.wait(record.id, condition as WaitCondition, ctx.signal)
  startStream(ctx, 'application/json')
  let body: ContainerWaitResponse
  try {
    const r = await result
    body = { StatusCode: r.statusCode, Error: r.error ? { Message: r.error } : null }
  } catch (err) {
    if (ctx.signal.aborted) throw err
    body = { StatusCode: -1, Error: { Message: errorMessage(err) } }
  }
  ctx.res.end(JSON.stringify(body) + '\n')
}

export const containerStreamRoutes: Route[] = [
  { method: 'GET', path: '/containers/:id/logs', handler: logs },
  { method: 'POST', path: '/containers/:id/attach', handler: attach },
  { method: 'POST', path: '/containers/:id/wait', handler: wait },
]

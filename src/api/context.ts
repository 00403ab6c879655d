import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Duplex, Readable } from 'node:stream'
import { EngineError, invalid } from '../common/index.js'
import type { Engine } from '../engine/engine.js'
import type { Logger } from '../common/index.js'

export interface VersionInfo {
  /** berth's version ("0.1.0"); reported as the Engine version. */
  version: string
  gitCommit?: string
  /** RFC 3339 build time, when known. */
  buildTime?: string
}

/** What every handler may use besides its request. */
export interface RouteDeps {
  engine: Engine
  logger: Logger
  versionInfo: VersionInfo
}

/** One request as a handler sees it. */
export interface RequestContext {
  readonly req: IncomingMessage
  readonly res: ServerResponse
  /** The request body: `req` itself, or the bytes that followed the headers of an Upgrade request. */
  readonly body: Readable
  readonly params: Readonly<Record<string, string>>
  readonly query: URLSearchParams
  /** The negotiated API version ("1.50" for unversioned paths). */
  readonly apiVersion: string
  /** Aborted when the client goes away; pass it to long engine calls. */
  readonly signal: AbortSignal
  /** Present when the client sent `Upgrade: tcp` (attach, exec start): the raw connection. */
  readonly upgrade: { socket: Duplex; head: Buffer } | undefined
}

/** Docker's httputils.BoolValue: anything but "", "0", "no", "false", "none" is true. */
export function queryBool(ctx: RequestContext, key: string): boolean {
  const v = (ctx.query.get(key) ?? '').trim().toLowerCase()
  return !(v === '' || v === '0' || v === 'no' || v === 'false' || v === 'none')
}

/** Docker's BoolValueOrDefault: the default applies when the parameter is absent. */
export function queryBoolOr(ctx: RequestContext, key: string, fallback: boolean): boolean {
  return ctx.query.has(key) ? queryBool(ctx, key) : fallback
}

/** An integer parameter, undefined when absent or empty; InvalidArgument when not a number. */
export function queryInt(ctx: RequestContext, key: string): number | undefined {
  const raw = ctx.query.get(key)
  if (raw === null || raw.trim() === '') return undefined
  const n = Number(raw)
  if (!Number.isInteger(n)) throw invalid('INVALID_PARAMETER', `invalid value for ${key}: "${raw}"`)
  return n
}

export function queryString(ctx: RequestContext, key: string): string | undefined {
  const v = ctx.query.get(key)
  return v === null || v === '' ? undefined : v
}

const maxJsonBody = 16 * 1024 * 1024

/**
 * Reads a JSON body (moby's httputils.ReadJSON). Undefined for an empty body; InvalidArgument for
 * a Content-Type other than application/json or for malformed JSON ("invalid JSON: ...").
 */
export async function readJson<T>(ctx: RequestContext): Promise<T | undefined> {
  const contentType = ctx.req.headers['content-type']
  if (contentType && !/^application\/json\s*(;|$)/i.test(contentType)) {
    throw invalid('UNSUPPORTED_CONTENT_TYPE', `unsupported Content-Type header (${contentType}): must be 'application/json'`)
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of ctx.body) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    size += buf.length
    if (size > maxJsonBody) throw invalid('BODY_TOO_LARGE', 'invalid JSON: request body is too large')
    chunks.push(buf)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text) as T
  } catch (err) {
    throw new EngineError('InvalidArgument', 'INVALID_JSON', `invalid JSON: ${(err as Error).message}`, { cause: err })
  }
}

export function sendJson(ctx: RequestContext, status: number, body: unknown): void {
  const text = JSON.stringify(body) + '\n'
  ctx.res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
  ctx.res.end(text)
}

/** A body already encoded as JSON (UTF-8, with the trailing "\n" sendJson writes). */
export function sendJsonBytes(ctx: RequestContext, status: number, body: Buffer): void {
  ctx.res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': body.length })
  ctx.res.end(body)
}

/** 204 (or another status) without a body. */
export function sendEmpty(ctx: RequestContext, status = 204): void {
  ctx.res.writeHead(status, status === 204 || status === 304 ? {} : { 'Content-Length': 0 })
  ctx.res.end()
}

/** Starts a streamed response and pushes the headers out at once, so clients return from their request. */
export function startStream(ctx: RequestContext, contentType: string): void {
  ctx.res.writeHead(200, { 'Content-Type': contentType })
  ctx.res.flushHeaders()
}

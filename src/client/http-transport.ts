import type http from 'node:http'
import type { Duplex, Readable } from 'node:stream'
import type { Socket } from 'node:net'
import type https from 'node:https'
import { parseDaemonHost, type DaemonAddress } from './daemon-host.js'
import type { ClientTls } from './endpoint.js'
import { connectionError, daemonErrorFromBody } from './errors.js'
import { socketRequest, type DaemonResponse } from './socket-http.js'

export type { DaemonResponse } from './socket-http.js'

export type QueryValue = string | number | boolean | string[] | undefined

export interface RequestOptions {
  method: string
  path: string
  query?: Record<string, QueryValue>
  /** An object is sent as JSON; a stream or buffer as is. */
  body?: unknown
  headers?: Record<string, string>
  signal?: AbortSignal
}

// node:http is looked up when a transport is made rather than when this module loads, so that
// commands that never reach the daemon (--version, help) do not load it (~3 ms).
const httpModule = (): typeof http => process.getBuiltinModule('node:http')
const httpsModule = (): typeof https => process.getBuiltinModule('node:https')

export interface HijackResult {
  socket: Duplex
  response: DaemonResponse
}

/**
 * HTTP/1.1 to the daemon over a unix socket or TCP. Turns connection failures into
 * DAEMON_UNREACHABLE errors and non-2xx responses into DaemonErrors.
 * On a unix socket, requests whose body is not a stream and that carry no abort signal go through
 * socket-http.ts (one connection each, no node:http); the others, and TCP, through node:http.
 */
export class HttpTransport {
  readonly address: DaemonAddress
  private agentInstance: http.Agent | undefined

  private readonly tls: ClientTls | undefined

  constructor(readonly host: string, private readonly userAgent: string, tls?: ClientTls) {
    this.address = parseDaemonHost(host)
    // TLS only applies to TCP (as the docker CLI, a unix socket ignores it).
    this.tls = this.address.kind === 'tcp' ? tls : undefined
  }

  /** node:http's (or https') keep-alive agent, made on first use. */
  private get agent(): http.Agent {
    this.agentInstance ??= this.tls
      ? new (httpsModule().Agent)({
        keepAlive: true, ca: this.tls.ca, cert: this.tls.cert, key: this.tls.key, rejectUnauthorized: this.tls.verify,
      })
      : new (httpModule().Agent)({ keepAlive: true })
    return this.agentInstance
  }

  /** The socket path when `options` can go through socket-http.ts. */
  private plainSocketPath(options: RequestOptions): string | undefined {
    if (this.address.kind !== 'unix' || options.signal !== undefined || isReadable(options.body)) return undefined
    return this.address.socketPath
  }

  /** One request through socket-http.ts, failures worded as node:http's are. */
  private async viaSocket(socketPath: string, options: RequestOptions, upgrade: boolean): ReturnType<typeof socketRequest> {
    const headers: Record<string, string> = { 'User-Agent': this.userAgent, ...options.headers }
    const body = options.body
    if (body !== undefined && !isStreamOrBuffer(body)) headers['Content-Type'] ??= 'application/json'
    try {
      return await socketRequest({
        socketPath,
        method: options.method,
        path: options.path + encodeQuery(options.query),
        headers,
        body: body === undefined || Buffer.isBuffer(body) || typeof body === 'string' ? body : JSON.stringify(body),
        upgrade,
      })
    } catch (err) {
      throw this.wrapError(err as Error, undefined)
    }
  }

  /** http.request or https.request, as the endpoint needs. */
  private requestFn(): typeof http.request {
    return this.tls ? (httpsModule().request as typeof http.request) : httpModule().request
  }

  /** Sends a request and resolves with the response once its headers arrive (any status). */
  send(options: RequestOptions): Promise<DaemonResponse> {
    const socketPath = this.plainSocketPath(options)
    if (socketPath !== undefined) return this.viaSocket(socketPath, options, false).then((r) => r.response)
    return new Promise((resolve, reject) => {
      const req = this.requestFn()(this.requestOptions(options), resolve)
      req.on('error', (err) => reject(this.wrapError(err, options.signal)))
      this.writeBody(req, options.body)
    })
  }

  /** Like send(), but rejects with a DaemonError for statuses outside 2xx (and for 304). */
  async request(options: RequestOptions): Promise<DaemonResponse> {
    const res = await this.send(options)
    const status = res.statusCode ?? 0
    if (status >= 200 && status < 300) return res
    throw daemonErrorFromBody(status, await readBody(res))
  }

  async text(options: RequestOptions): Promise<string> {
    return readBody(await this.request(options))
  }

  async json<T>(options: RequestOptions): Promise<{ value: T; raw: string }> {
    const raw = await this.text(options)
    return { value: (raw.trim() === '' ? undefined : JSON.parse(raw)) as T, raw }
  }

  /**
   * Docker's hijack: the request carries `Connection: Upgrade` and `Upgrade: tcp`; the daemon
   * answers 101 and the connection becomes a raw byte stream both ways. A daemon that answers
   * 200 instead (older API servers) gets its response body used as the (read-only) stream.
   */
  async hijack(options: RequestOptions): Promise<HijackResult> {
    const socketPath = this.plainSocketPath(options)
    if (socketPath !== undefined) {
      const { response, socket } = await this.viaSocket(socketPath, options, true)
      if (socket) return { socket, response }
      const status = response.statusCode ?? 0
      if (status >= 200 && status < 300) return { socket: response as unknown as Duplex, response }
      throw daemonErrorFromBody(status, await readBody(response))
    }
    return new Promise((resolve, reject) => {
      const base = this.requestOptions(options)
      // A hijacked connection is never returned to the pool.
      const tlsOpts = this.tls ? { ca: this.tls.ca, cert: this.tls.cert, key: this.tls.key, rejectUnauthorized: this.tls.verify } : {}
      const req = this.requestFn()({ ...base, ...tlsOpts, agent: false, headers: { ...base.headers, Connection: 'Upgrade', Upgrade: 'tcp' } })
      req.on('upgrade', (response: http.IncomingMessage, socket: Socket, head: Buffer) => {
        if (head.length > 0) socket.unshift(head)
        resolve({ socket, response })
      })
      req.on('response', (response: http.IncomingMessage) => {
        const status = response.statusCode ?? 0
        if (status >= 200 && status < 300) {
          resolve({ socket: response as unknown as Duplex, response })
          return
        }
        readBody(response).then((body) => reject(daemonErrorFromBody(status, body)), reject)
      })
      req.on('error', (err) => reject(this.wrapError(err, options.signal)))
      this.writeBody(req, options.body)
    })
  }

  close(): void {
    this.agentInstance?.destroy()
  }

  private requestOptions(options: RequestOptions): http.RequestOptions {
    const headers: Record<string, string> = { 'User-Agent': this.userAgent, ...options.headers }
    const body = options.body
    if (body !== undefined && !isStreamOrBuffer(body)) headers['Content-Type'] ??= 'application/json'
    // An empty servername (a TLS-only setting) spares http.Agent its net.isIP() check of the
    // host, whose first use compiles a large regular expression (~5 ms per process).
    const target = this.address.kind === 'unix'
      ? { socketPath: this.address.socketPath, host: 'localhost', servername: '' }
      : { host: this.address.hostname, port: this.address.port }
    return {
      ...target,
      agent: this.agent,
      method: options.method,
      path: options.path + encodeQuery(options.query),
      headers,
      signal: options.signal,
    }
  }

  private writeBody(req: http.ClientRequest, body: unknown): void {
    if (body === undefined) {
      req.end()
    } else if (Buffer.isBuffer(body) || typeof body === 'string') {
      req.end(body)
    } else if (isReadable(body)) {
      body.on('error', (err) => req.destroy(err))
      body.pipe(req)
    } else {
      req.end(JSON.stringify(body))
    }
  }

  private wrapError(err: Error, signal: AbortSignal | undefined): Error {
    if (signal?.aborted || err.name === 'AbortError') return err
    return connectionError(this.host, err)
  }
}

/**
 * The query string (with its "?"), encoded as URLSearchParams encodes it (without loading node's
 * URL code, which a CLI command would otherwise compile at every start).
 */
export function encodeQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return ''
  const pairs: string[] = []
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === false) continue
    if (Array.isArray(value)) for (const v of value) pairs.push(`${formEncode(key)}=${formEncode(v)}`)
    else pairs.push(`${formEncode(key)}=${formEncode(value === true ? '1' : String(value))}`)
  }
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g

/**
 * application/x-www-form-urlencoded, as URLSearchParams: encodeURIComponent also escapes !'()~,
 * and a space is "+". A lone surrogate becomes U+FFFD first (encodeURIComponent would throw).
 */
function formEncode(text: string): string {
  let encoded
  try {
    encoded = encodeURIComponent(text)
  } catch {
    encoded = encodeURIComponent(text.replace(LONE_SURROGATE, '\uFFFD'))
  }
  return encoded
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+')
}

export function readBody(res: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    res.on('data', (chunk: Buffer) => chunks.push(chunk))
    res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    res.on('error', reject)
  })
}

function isReadable(value: unknown): value is Readable {
  return typeof value === 'object' && value !== null && typeof (value as Readable).pipe === 'function'
}

function isStreamOrBuffer(value: unknown): boolean {
  return Buffer.isBuffer(value) || typeof value === 'string' || isReadable(value)
}

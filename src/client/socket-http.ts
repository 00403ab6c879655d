import type { IncomingHttpHeaders } from 'node:http'
import type { Socket } from 'node:net'
import type { Readable } from 'node:stream'

/**
 * A minimal HTTP/1.1 client for one request per connection to the daemon's unix socket, used by
 * HttpTransport instead of node:http for requests without a streamed body: loading node:http (its
 * agent, client, outgoing message and parser modules) and running its machinery per request is a
 * good part of a short CLI command's CPU (`berth run --rm` makes four requests).
 *
 * What it handles: bodies framed by Content-Length, by chunked transfer coding or by the end of the
 * connection; no body for HEAD, 204, 304; interim 1xx responses skipped; a 101 answer to an
 * upgrade request (docker's hijack) hands the connection over as a raw stream, with the bytes that
 * came after the head put back in front of it. The connection is closed once the body is complete.
 */

/** What a response looks like to its readers: a body stream with node:http's statusCode and headers. */
export type DaemonResponse = Readable & { statusCode?: number; headers: IncomingHttpHeaders }

export interface SocketRequest {
  socketPath: string
  method: string
  /** Path and query. */
  path: string
  headers: Record<string, string>
  body?: string | Buffer
  /** Docker's hijack: sends `Connection: Upgrade` and `Upgrade: tcp`, and resolves with the connection on 101. */
  upgrade?: boolean
}

export interface SocketResponse {
  response: DaemonResponse
  /** Set when the daemon answered 101 to an upgrade request: the connection, now a raw stream. */
  socket?: Socket
}

/** A response head: status and headers (names lower-cased, repeated ones joined with ", "). Pure. */
export function parseHead(text: string): { statusCode: number; headers: IncomingHttpHeaders } {
  const lines = text.split('\r\n')
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')
  if (!status) throw protocolError(`malformed status line: ${JSON.stringify((lines[0] ?? '').slice(0, 100))}`)
  const headers: Record<string, string> = {}
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    if (colon <= 0) throw protocolError(`malformed header line: ${JSON.stringify(line.slice(0, 100))}`)
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  return { statusCode: Number(status[1]), headers }
}

/** The request head and body as written to the socket. Pure. */
export function requestBytes(req: Omit<SocketRequest, 'socketPath'>): Buffer {
  let head = `${req.method} ${req.path} HTTP/1.1\r\nHost: localhost\r\n`
  for (const [name, value] of Object.entries(req.headers)) head += `${name}: ${value}\r\n`
  if (req.upgrade) head += 'Connection: Upgrade\r\nUpgrade: tcp\r\n'
  const body = typeof req.body === 'string' ? Buffer.from(req.body) : req.body
  // As node:http: a length for every body, and an explicit 0 on methods that usually carry one.
  if (body !== undefined || !NO_BODY_METHODS.has(req.method)) head += `Content-Length: ${body?.length ?? 0}\r\n`
  head += '\r\n'
  return body === undefined || body.length === 0 ? Buffer.from(head, 'latin1') : Buffer.concat([Buffer.from(head, 'latin1'), body])
}

const NO_BODY_METHODS = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS'])

/**
 * Decodes a response body framed by Content-Length, chunked transfer coding or the end of the
 * connection. push() returns the body bytes in the data given and whether the body is complete.
 */
export class BodyDecoder {
  private remaining: number
  private chunkState: 'size' | 'data' | 'data-end' | 'trailer' = 'size'
  private line = ''
  private done = false

  constructor(private readonly framing: { chunked: boolean; length?: number }) {
    this.remaining = framing.length ?? -1
    if (!framing.chunked && framing.length === 0) this.done = true
  }

  get complete(): boolean {
    return this.done
  }

  /** True when the end of the connection ends the body (no length, not chunked). */
  get untilClose(): boolean {
    return !this.framing.chunked && this.framing.length === undefined
  }

  push(data: Buffer): { body: Buffer[]; complete: boolean } {
    const body: Buffer[] = []
    if (this.done) return { body, complete: true }
    if (!this.framing.chunked) {
      if (this.remaining < 0) {
        body.push(data)
      } else {
        const take = data.subarray(0, this.remaining)
        this.remaining -= take.length
        if (take.length > 0) body.push(take)
        if (this.remaining === 0) this.done = true
      }
      return { body, complete: this.done }
    }
    let at = 0
    while (at < data.length && !this.done) {
      if (this.chunkState === 'data') {
        const take = data.subarray(at, at + this.remaining)
        body.push(take)
        at += take.length
        this.remaining -= take.length
        if (this.remaining === 0) this.chunkState = 'data-end'
        continue
      }
      const nl = data.indexOf(10, at)
      if (nl === -1) {
        this.line += data.toString('latin1', at)
        break
      }
      const line = (this.line + data.toString('latin1', at, nl)).replace(/\r$/, '')
      this.line = ''
      at = nl + 1
      if (this.chunkState === 'data-end') {
        if (line !== '') throw protocolError('missing CRLF after chunk data')
        this.chunkState = 'size'
      } else if (this.chunkState === 'size') {
        const size = /^([0-9a-fA-F]+)(;.*)?$/.exec(line.trim())
        if (!size) throw protocolError(`malformed chunk size: ${JSON.stringify(line.slice(0, 100))}`)
        this.remaining = parseInt(size[1]!, 16)
        this.chunkState = this.remaining === 0 ? 'trailer' : 'data'
      } else if (line === '') {
        this.done = true
      }
    }
    return { body, complete: this.done }
  }
}

/** Sends one request on a new connection; resolves once the response head is in. */
export function socketRequest(req: SocketRequest): Promise<SocketResponse> {
  const { connect } = process.getBuiltinModule('node:net') as typeof import('node:net')
  const { Readable: ReadableClass } = process.getBuiltinModule('node:stream') as typeof import('node:stream')
  return new Promise((resolve, reject) => {
    const socket = connect(req.socketPath)
    let head: Buffer = Buffer.alloc(0)
    let decoder: BodyDecoder | undefined
    let response: DaemonResponse | undefined
    let settled = false
    // The body's reader asked for more: bytes are read from the socket only then (back-pressure).
    let wanted = true

    const fail = (err: Error): void => {
      if (!settled) {
        settled = true
        reject(err)
      } else if (response && !response.destroyed) {
        response.destroy(err)
      }
      socket.destroy()
    }
    const finish = (): void => {
      detach()
      response?.push(null)
      socket.destroy()
    }
    const detach = (): void => {
      socket.off('readable', onReadable)
      socket.off('end', onEnd)
      socket.off('close', onClose)
      socket.off('error', fail)
    }

    const feedBody = (data: Buffer): void => {
      const { body, complete } = decoder!.push(data)
      for (const b of body) if (!response!.push(b)) wanted = false
      if (complete) finish()
    }

    const onHead = (text: string, rest: Buffer): void => {
      const { statusCode, headers } = parseHead(text)
      if (statusCode === 101 && req.upgrade) {
        settled = true
        detach()
        // Errors reach whoever reads the stream; none may go unheard meanwhile.
        socket.on('error', () => undefined)
        if (rest.length > 0) socket.unshift(rest)
        const res = new ReadableClass({ read() {} }) as DaemonResponse
        res.statusCode = statusCode
        res.headers = headers
        res.push(null)
        resolve({ response: res, socket })
        return
      }
      if (statusCode >= 100 && statusCode < 200) {
        // An interim response (100 Continue): the real one follows.
        if (rest.length > 0) onData(rest)
        return
      }
      const noBody = req.method === 'HEAD' || statusCode === 204 || statusCode === 304
      const length = headers['content-length'] === undefined ? undefined : Number(headers['content-length'])
      const chunked = /\bchunked\b/i.test(String(headers['transfer-encoding'] ?? ''))
      decoder = new BodyDecoder(noBody ? { chunked: false, length: 0 } : { chunked, length: chunked ? undefined : length })
      response = new ReadableClass({
        read() {
          if (wanted) return
          wanted = true
          onReadable()
        },
        destroy(err, cb) {
          detach()
          socket.destroy()
          // As node:http's IncomingMessage: an error is emitted only to listeners of 'error'.
          cb(err && response!.listenerCount('error') > 0 ? err : null)
        },
      }) as DaemonResponse
      response.statusCode = statusCode
      response.headers = headers
      settled = true
      resolve({ response })
      if (decoder.complete) finish()
      else if (rest.length > 0) feedBody(rest)
    }

    const onData = (data: Buffer): void => {
      if (decoder) {
        feedBody(data)
        return
      }
      head = head.length === 0 ? data : Buffer.concat([head, data])
      const end = head.indexOf('\r\n\r\n')
      if (end === -1) return
      const text = head.toString('latin1', 0, end)
      const rest = head.subarray(end + 4)
      head = Buffer.alloc(0)
      onHead(text, rest)
    }

    function onReadable(): void {
      try {
        let chunk: Buffer | null
        while (wanted && (chunk = socket.read() as Buffer | null) !== null) {
          onData(chunk)
          if (settled && !response) return // hijacked
        }
      } catch (err) {
        fail(err as Error)
      }
    }
    const onEnd = (): void => {
      if (decoder?.untilClose) finish()
      else fail(decoder ? abortedError() : hangUpError())
    }
    const onClose = (): void => {
      if (!decoder?.complete) fail(decoder ? abortedError() : hangUpError())
    }

    socket.on('readable', onReadable)
    socket.on('end', onEnd)
    socket.on('close', onClose)
    socket.on('error', fail)
    socket.write(requestBytes(req))
  })
}

function protocolError(message: string): Error {
  return Object.assign(new Error(`invalid response from the daemon: ${message}`), { code: 'HPE_INVALID' })
}

/** node:http's error for a connection closed before the response head. */
function hangUpError(): Error {
  return Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })
}

/** node:http's error for a connection closed in the middle of a body. */
function abortedError(): Error {
  return Object.assign(new Error('aborted'), { code: 'ECONNRESET' })
}

import type { Duplex, Readable, Writable } from 'node:stream'
import type { RequestContext } from '../context.js'

const hijacked = new WeakSet<object>()

/** True once hijack() took the connection away from the response object. */
export function isHijacked(res: object): boolean {
  return hijacked.has(res)
}

/** The two directions of an attached stream. */
export interface HijackedStream {
  /** Bytes to the client. */
  output: Writable
  /** Bytes from the client (stdin). */
  input: Readable
  /** Fires once when the client connection is gone. */
  onClose(listener: () => void): void
}

/**
 * Takes over the connection for a bidirectional stream (moby's hijack). With `Upgrade: tcp`
 * (what the docker CLI sends) the answer is `101 UPGRADED` and the socket is used raw; otherwise
 * a 200 streamed response carries the output and the request body the input.
 */
export function hijack(ctx: RequestContext, contentType: string): HijackedStream {
  if (ctx.upgrade) {
    const { socket, head } = ctx.upgrade
    const inherited = Object.entries(ctx.res.getHeaders())
      .filter(([k]) => !['content-type', 'content-length', 'connection', 'transfer-encoding'].includes(k.toLowerCase()))
      .map(([k, v]) => `${canonicalHeader(k)}: ${String(v)}\r\n`)
      .join('')
    ctx.res.detachSocket(socket as never)
    hijacked.add(ctx.res)
    socket.write(
      `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n${inherited}\r\n`,
    )
    if (head.length > 0) socket.unshift(head)
    return { output: socket, input: socket, onClose: (l) => socket.once('close', l) }
  }
  ctx.res.writeHead(200, { 'Content-Type': contentType })
  ctx.res.flushHeaders()
  return { output: ctx.res, input: ctx.req, onClose: (l) => ctx.res.once('close', l) }
}

/** "api-version" -> "Api-Version", as Go writes header names. */
function canonicalHeader(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())
}

/**
 * Takes the raw connection of an Upgrade request away from the response (for protocols that do
 * their own handshake, such as websocket). Undefined when the request was not an Upgrade.
 */
export function takeUpgradedSocket(ctx: RequestContext): { socket: Duplex; head: Buffer } | undefined {
  if (!ctx.upgrade) return undefined
  ctx.res.detachSocket(ctx.upgrade.socket as never)
  hijacked.add(ctx.res)
  return ctx.upgrade
}

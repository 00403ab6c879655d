/**
 * The small part of RFC 6455 the websocket attach endpoint needs: the server handshake, unmasked
 * frames to the client, and a parser for the client's masked frames (data, close, ping).
 */
import { createHash } from 'node:crypto'
import type { Duplex } from 'node:stream'

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

export const OPCODE = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const

/** Sec-WebSocket-Accept for a client's Sec-WebSocket-Key. */
export function websocketAccept(key: string): string {
  return createHash('sha1').update(key + GUID).digest('base64')
}

/** One unmasked frame with FIN set (the server never fragments). */
export function encodeFrame(opcode: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const len = payload.length
  let header: Buffer
  if (len < 126) {
    header = Buffer.from([0x80 | opcode, len])
  } else if (len < 65536) {
    header = Buffer.alloc(4)
    header[0] = 0x80 | opcode
    header[1] = 126
    header.writeUInt16BE(len, 2)
  } else {
    header = Buffer.alloc(10)
    header[0] = 0x80 | opcode
    header[1] = 127
    header.writeBigUInt64BE(BigInt(len), 2)
  }
  return Buffer.concat([header, payload])
}

export interface WebsocketFrame {
  fin: boolean
  opcode: number
  payload: Buffer
}

/** Incremental parser: feed bytes, get whole frames (unmasked) back. */
export function createFrameParser(): { push(bytes: Buffer): WebsocketFrame[] } {
  let buf = Buffer.alloc(0)
  return {
    push(bytes) {
      buf = Buffer.concat([buf, bytes])
      const out: WebsocketFrame[] = []
      for (;;) {
        if (buf.length < 2) break
        const b0 = buf[0] as number
        const b1 = buf[1] as number
        let len = b1 & 0x7f
        let offset = 2
        if (len === 126) {
          if (buf.length < 4) break
          len = buf.readUInt16BE(2)
          offset = 4
        } else if (len === 127) {
          if (buf.length < 10) break
          len = Number(buf.readBigUInt64BE(2))
          offset = 10
        }
        const masked = (b1 & 0x80) !== 0
        const maskEnd = offset + (masked ? 4 : 0)
        if (buf.length < maskEnd + len) break
        const payload = Buffer.from(buf.subarray(maskEnd, maskEnd + len))
        if (masked) {
          const mask = buf.subarray(offset, maskEnd)
          for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] as number) ^ (mask[i % 4] as number)
        }
        out.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload })
        buf = buf.subarray(maskEnd + len)
      }
      return out
    },
  }
}

/** A websocket over an upgraded socket: binary (or text) messages out, data messages in. */
export interface WebsocketConnection {
  send(data: Buffer): void
  /** Sends a close frame and ends the socket. */
  close(): void
  onMessage(listener: (data: Buffer) => void): void
  /** The peer closed (close frame, or the socket went away). */
  onClose(listener: () => void): void
}

/**
 * Answers the handshake on `socket` and returns the connection. Undefined when the request is
 * not a websocket handshake (the caller answers 400).
 */
export function acceptWebsocket(
  socket: Duplex,
  headers: Record<string, string | string[] | undefined>,
  head: Buffer,
  opts: { binary: boolean },
): WebsocketConnection | undefined {
  const key = headers['sec-websocket-key']
  const upgrade = headers['upgrade']
  if (typeof key !== 'string' || typeof upgrade !== 'string' || upgrade.toLowerCase() !== 'websocket') return undefined
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${websocketAccept(key)}\r\n\r\n`)
  const messageListeners: Array<(data: Buffer) => void> = []
  const closeListeners: Array<() => void> = []
  const parser = createFrameParser()
  let fragments: Buffer[] = []
  let closed = false
  const finish = (): void => {
    if (closed) return
    closed = true
    for (const l of closeListeners) l()
  }
  const dataOpcode = opts.binary ? OPCODE.binary : OPCODE.text
  const onBytes = (bytes: Buffer): void => {
    for (const frame of parser.push(bytes)) {
      if (frame.opcode === OPCODE.close) {
        if (socket.writable) socket.end(encodeFrame(OPCODE.close, frame.payload.subarray(0, 2)))
        finish()
        return
      }
      if (frame.opcode === OPCODE.ping) {
        if (socket.writable) socket.write(encodeFrame(OPCODE.pong, frame.payload))
        continue
      }
      if (frame.opcode === OPCODE.pong) continue
      fragments.push(frame.payload)
      if (!frame.fin) continue
      const message = Buffer.concat(fragments)
      fragments = []
      for (const l of messageListeners) l(message)
    }
  }
  socket.on('data', onBytes)
  socket.resume()
  socket.on('close', finish)
  socket.on('end', finish)
  if (head.length > 0) queueMicrotask(() => onBytes(head))
  return {
    send: (data) => {
      if (!closed && socket.writable) socket.write(encodeFrame(dataOpcode, data))
    },
    close: () => {
      if (socket.writable) socket.end(encodeFrame(OPCODE.close, Buffer.from([0x03, 0xe8])))
      finish()
    },
    onMessage: (l) => messageListeners.push(l),
    onClose: (l) => {
      if (closed) l()
      else closeListeners.push(l)
    },
  }
}

/**
 * Request/response plumbing for the embedded DNS server: listen on an address over UDP and over TCP
 * (messages framed by a 2-byte length, RFC 1035 4.2.2), ask an upstream over UDP.
 */
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'

export interface UdpRequest {
  data: Buffer
  address: string
  port: number
}

export interface UdpListener {
  close(): Promise<void>
}

export type UdpHandler = (req: UdpRequest) => Promise<Buffer | undefined>

export interface UdpTransport {
  /** Answers each datagram received on ip:port with the handler's reply (none when undefined). */
  listen(ip: string, port: number, handler: UdpHandler): Promise<UdpListener>
  /** The same over TCP: each length-prefixed message gets the handler's reply, length-prefixed. */
  listenTcp?(ip: string, port: number, handler: UdpHandler): Promise<UdpListener>
  /** Sends `data` to server:port and resolves with the first reply, or undefined after timeoutMs. */
  query(server: string, port: number, data: Buffer, timeoutMs: number): Promise<Buffer | undefined>
}

export class DgramTransport implements UdpTransport {
  listen(ip: string, port: number, handler: UdpHandler): Promise<UdpListener> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type: ip.includes(':') ? 'udp6' : 'udp4' })
      socket.once('error', reject)
      socket.on('message', (data, rinfo) => {
        handler({ data, address: rinfo.address, port: rinfo.port }).then(
          (reply) => {
            if (reply) socket.send(reply, rinfo.port, rinfo.address)
          },
          () => undefined,
        )
      })
      socket.bind({ address: ip, port, exclusive: true }, () => {
        socket.off('error', reject)
        socket.on('error', () => undefined)
        resolve({ close: () => new Promise((r) => socket.close(() => r())) })
      })
    })
  }

  listenTcp(ip: string, port: number, handler: UdpHandler): Promise<UdpListener> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => {
        let buffered = Buffer.alloc(0)
        socket.setTimeout(10_000, () => socket.destroy())
        socket.on('error', () => socket.destroy())
        socket.on('data', (chunk: Buffer) => {
          buffered = Buffer.concat([buffered, chunk])
          while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
            const data = buffered.subarray(2, 2 + buffered.readUInt16BE(0))
            buffered = buffered.subarray(2 + data.length)
            handler({ data, address: socket.remoteAddress?.replace(/^::ffff:/, '') ?? '', port: socket.remotePort ?? 0 }).then(
              (reply) => {
                if (!reply || socket.destroyed) return
                const length = Buffer.alloc(2)
                length.writeUInt16BE(reply.length)
                socket.write(Buffer.concat([length, reply]))
              },
              () => socket.destroy(),
            )
          }
        })
      })
      server.once('error', reject)
      server.listen({ host: ip, port, exclusive: true }, () => {
        server.off('error', reject)
        server.on('error', () => undefined)
        resolve({ close: () => new Promise((r) => server.close(() => r())) })
      })
    })
  }

  query(server: string, port: number, data: Buffer, timeoutMs: number): Promise<Buffer | undefined> {
    return new Promise((resolve) => {
      const socket = createSocket({ type: server.includes(':') ? 'udp6' : 'udp4' })
      const done = (reply: Buffer | undefined): void => {
        clearTimeout(timer)
        socket.close()
        resolve(reply)
      }
      const timer = setTimeout(() => done(undefined), timeoutMs)
      socket.on('error', () => done(undefined))
      socket.on('message', (msg) => done(msg))
      socket.send(data, port, server)
    })
  }
}

/** UDP request/response plumbing for the embedded DNS server: listen on an address, ask an upstream. */
import { createSocket } from 'node:dgram'

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

/**
 * Holds published host ports with sockets berthd owns, as dockerd does: a port already taken
 * fails the start with EADDRINUSE, and nothing else can take it while the container runs.
 * Traffic itself is DNATed to the container before it could reach these sockets.
 */
import { createServer, type Server } from 'node:net'
import { createSocket, type Socket } from 'node:dgram'

export interface HeldPort {
  /** The port bound (the kernel's choice when 0 was asked). */
  readonly port: number
  close(): Promise<void>
}

export interface PortHolder {
  /** Binds ip:port (ip "" = every address; port 0 = a free ephemeral port). Rejects with the bind error. */
  hold(proto: 'tcp' | 'udp', ip: string, port: number): Promise<HeldPort>
}

export class SocketPortHolder implements PortHolder {
  hold(proto: 'tcp' | 'udp', ip: string, port: number): Promise<HeldPort> {
    const host = ip === '' ? '0.0.0.0' : ip
    return proto === 'tcp' ? holdTcp(host, port) : holdUdp(host, port)
  }
}

function holdTcp(host: string, port: number): Promise<HeldPort> {
  return new Promise((resolve, reject) => {
    const server: Server = createServer((socket) => socket.destroy())
    server.once('error', reject)
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject)
      server.on('error', () => undefined)
      const bound = server.address()
      resolve({
        port: typeof bound === 'object' && bound ? bound.port : port,
        close: () => new Promise((r) => server.close(() => r())),
      })
    })
  })
}

function holdUdp(host: string, port: number): Promise<HeldPort> {
  return new Promise((resolve, reject) => {
    const socket: Socket = createSocket({ type: 'udp4' })
    socket.once('error', reject)
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', reject)
      socket.on('error', () => undefined)
      resolve({
        port: socket.address().port,
        close: () => new Promise((r) => socket.close(() => r())),
      })
    })
  })
}

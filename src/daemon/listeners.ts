/**
 * Binds the API server to every -H address, as dockerd does: unix sockets (mode 0660, optional group),
 * tcp:// (TLS when configured, mutual TLS with --tlsverify; plain TCP only with an explicit
 * --tls=false), and fd:// (systemd socket activation: LISTEN_FDS/LISTEN_PID, fds from 3). Each
 * listener hands its connections to the one HTTP server, so every route serves every address.
 */
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import type { TlsOptions } from 'node:tls'
import type { Server as HttpServer } from 'node:http'
import { chmod, chown, readFile, rm } from 'node:fs/promises'
import { EngineError, type Logger } from '../common/index.js'
import type { TlsConfig } from './config.js'

export interface ListenOptions {
  group?: string
  tls?: TlsConfig
  insecureTcpAllowed: boolean
  /** process.env, for LISTEN_FDS/LISTEN_PID. */
  env?: NodeJS.ProcessEnv
}

export interface Listeners {
  /** What each listener is bound to ("/run/berth/berth.sock", "127.0.0.1:2376"). */
  addresses: string[]
  close(): Promise<void>
}

const bad = (msg: string): EngineError => new EngineError('InvalidArgument', 'BAD_HOST', msg)

/** tcp://host:port → { host, port } (dockerd's default port 2376 with TLS, 2375 without). */
export function parseTcpHost(addr: string, tls: boolean): { host: string; port: number } {
  const rest = addr.slice('tcp://'.length).replace(/\/$/, '')
  const m = /^(?:\[([^\]]+)\]|([^:]*))(?::(\d+))?$/.exec(rest)
  if (!m) throw bad(`invalid tcp address "${addr}"`)
  const host = m[1] ?? (m[2] || '127.0.0.1')
  const port = m[3] === undefined ? (tls ? 2376 : 2375) : Number(m[3])
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw bad(`invalid port in "${addr}"`)
  return { host, port }
}

/** The fds systemd passed (LISTEN_FDS from fd 3), when they are meant for this process. */
export function activationFds(env: NodeJS.ProcessEnv, pid = process.pid): number[] {
  const count = Number(env.LISTEN_FDS ?? 0)
  if (!Number.isInteger(count) || count <= 0) return []
  if (env.LISTEN_PID !== undefined && Number(env.LISTEN_PID) !== pid) return []
  return Array.from({ length: count }, (_, i) => 3 + i)
}

function listening(server: NetServer, how: (done: () => void) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    how(() => {
      server.off('error', reject)
      resolve()
    })
  })
}

async function groupId(group: string): Promise<number | undefined> {
  const line = (await readFile('/etc/group', 'utf8')).split('\n').find((l) => l.startsWith(`${group}:`))
  const gid = line ? Number(line.split(':')[2]) : Number(group)
  return Number.isInteger(gid) ? gid : undefined
}

/**
 * Refuses, before anything is made on the host, what listenAll() would refuse anyway: a malformed
 * tcp:// address, or one without TLS unless insecure TCP was allowed (--tls=false).
 */
export function checkHosts(hosts: readonly string[], opts: Pick<ListenOptions, 'tls' | 'insecureTcpAllowed'>): void {
  for (const host of hosts) {
    if (!host.startsWith('tcp://')) continue
    parseTcpHost(host, opts.tls !== undefined)
    if (!opts.tls && !opts.insecureTcpAllowed) {
      throw bad(`refusing to serve ${host} without TLS: use --tlsverify with --tlscacert/--tlscert/--tlskey, or say --tls=false explicitly to accept an unauthenticated, unencrypted root-equivalent API`)
    }
  }
}

export async function listenAll(http: HttpServer, hosts: readonly string[], opts: ListenOptions, logger: Logger): Promise<Listeners> {
  const servers: NetServer[] = []
  const addresses: string[] = []
  const hand = (socket: Socket): void => {
    http.emit('connection', socket)
  }
  // As http.Server itself: a client that half-closes (the docker CLI ends its side of an attach
  // once stdin is done) must still receive the output.
  const socketOptions = { allowHalfOpen: true, noDelay: true } as const
  const tlsOptions = async (): Promise<TlsOptions> => {
    const tls = opts.tls!
    const read = async (what: string, path: string): Promise<Buffer> => {
      try {
        return await readFile(path)
      } catch (err) {
        throw bad(`could not load TLS ${what} ${path}: ${(err as Error).message}`)
      }
    }
    return {
      cert: await read('certificate', tls.cert),
      key: await read('key', tls.key),
      ...(tls.verify ? { ca: await read('CA certificate', tls.ca), requestCert: true, rejectUnauthorized: true } : {}),
      minVersion: 'TLSv1.2',
    }
  }
  try {
    for (const host of hosts) {
      if (host.startsWith('unix://')) {
        const path = host.slice('unix://'.length)
        await rm(path, { force: true })
        const server = createNetServer(socketOptions, hand)
        servers.push(server)
        await listening(server, (done) => server.listen(path, done))
        await chmod(path, 0o660)
        if (opts.group) {
          const gid = await groupId(opts.group)
          if (gid === undefined) logger.warn(`group "${opts.group}" not found: the socket stays root-owned`)
          else await chown(path, 0, gid)
        }
        addresses.push(path)
        logger.info(`API listen on ${path}`)
      } else if (host.startsWith('tcp://')) {
        const { host: h, port } = parseTcpHost(host, opts.tls !== undefined)
        let server: NetServer
        if (opts.tls) {
          // node:tls is loaded only for a TLS listener (an idle daemon on a unix socket never needs it).
          const tlsServer = process.getBuiltinModule('node:tls').createServer({ ...socketOptions, ...(await tlsOptions()) }, hand)
          tlsServer.on('tlsClientError', (err) => logger.debug('TLS handshake failed', { error: err.message }))
          server = tlsServer
        } else {
          checkHosts([host], opts)
          logger.warn(`API is accessible on http://${h}:${port} without encryption: anyone who can reach it has root on this host. Use --tlsverify.`)
          server = createNetServer(socketOptions, hand)
        }
        servers.push(server)
        await listening(server, (done) => server.listen(port, h, done))
        const a = server.address()
        const where = typeof a === 'object' && a ? `${a.address.includes(':') ? `[${a.address}]` : a.address}:${a.port}` : `${h}:${port}`
        addresses.push(where)
        logger.info(`API listen on ${where}`, { tls: opts.tls ? (opts.tls.verify ? 'verify' : 'server-only') : 'none' })
      } else if (host.startsWith('fd://')) {
        const fds = activationFds(opts.env ?? process.env)
        const wanted = host === 'fd://' ? fds : [Number(host.slice('fd://'.length))]
        if (wanted.length === 0 || wanted.some((fd) => !fds.includes(fd))) {
          throw bad(`no sockets found via socket activation for ${host}: make sure the service was started by systemd`)
        }
        for (const fd of wanted) {
          const server = createNetServer(socketOptions, hand)
          servers.push(server)
          await listening(server, (done) => server.listen({ fd }, done))
          addresses.push(`fd://${fd}`)
          logger.info(`API listen on fd://${fd}`)
        }
      } else {
        throw bad(`unsupported host "${host}": use unix://, tcp:// or fd://`)
      }
    }
  } catch (err) {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
    throw err
  }
  return {
    addresses,
    async close() {
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))))
    },
  }
}

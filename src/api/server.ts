import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { Readable, type Duplex } from 'node:stream'
import { EngineError, errorMessage, httpDate, type Logger } from '../common/index.js'
import type { Engine } from '../engine/engine.js'
import type { RequestContext, RouteDeps, VersionInfo } from './context.js'
import { sendError } from './errors.js'
import { createRouter, type Route } from './router.js'
import { containerRoutes } from './routes/containers.js'
import { containerStreamRoutes } from './routes/container-streams.js'
import { containerResourceRoutes } from './routes/container-resources.js'
import { systemDiskRoutes } from './routes/system-disk.js'
import { eventRoutes } from './routes/events.js'
import { execRoutes } from './routes/execs.js'
import { imageRoutes } from './routes/images.js'
import { networkRoutes } from './routes/networks.js'
import { distributionRoutes } from './routes/distribution.js'
import { systemRoutes } from './routes/system.js'
import { volumeRoutes } from './routes/volumes.js'
import { buildRoutes } from './routes/build.js'
import { containerFileRoutes } from './routes/container-files.js'
import { commitRoutes } from './routes/commit.js'
import { berthCliRoutes } from './routes/berth-cli.js'
import { isHijacked } from './stream/index.js'
import { maxApiVersion, negotiateApiVersion, splitVersionPrefix } from './version.js'

export interface ApiServerOptions {
  engine: Engine
  logger: Logger
  versionInfo: VersionInfo
}

/** The Date header, formatted once per second as node's own is. */
let dateCache: { second: number; value: string } | undefined
function responseDate(): string {
  const now = Date.now()
  const second = Math.floor(now / 1000)
  if (dateCache?.second !== second) dateCache = { second, value: httpDate(now) }
  return dateCache.value
}

export const allRoutes: readonly Route[] = [...systemRoutes, ...eventRoutes, ...containerRoutes, ...containerStreamRoutes, ...containerResourceRoutes, ...systemDiskRoutes, ...execRoutes, ...distributionRoutes, ...imageRoutes, ...volumeRoutes, ...networkRoutes, ...buildRoutes, ...containerFileRoutes, ...commitRoutes, ...berthCliRoutes]

/** Largest body accepted on an Upgrade request (exec start sends a small JSON object there). */
const maxUpgradeBody = 1024 * 1024

/**
 * The Docker Engine API over HTTP/1.1. The caller binds it (unix socket, TCP). Paths are served
 * with and without the "/v1.NN" prefix; requests with `Upgrade: tcp` arrive through the server's
 * 'upgrade' event and may hijack the connection (attach).
 */
export function createApiServer(options: ApiServerOptions): Server {
  const deps: RouteDeps = { engine: options.engine, logger: options.logger, versionInfo: options.versionInfo }
  const router = createRouter(allRoutes)
  const logger = options.logger
  const serverHeader = `berth/${options.versionInfo.version} (linux)`

  const dispatch = async (req: IncomingMessage, res: ServerResponse, body: Readable, upgrade: RequestContext['upgrade']): Promise<void> => {
    const method = req.method ?? 'GET'
    const url = req.url ?? '/'
    const q = url.indexOf('?')
    const pathname = q < 0 ? url : url.slice(0, q)
    const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1))
    const routeName = `${method} ${pathname}`
    res.setHeader('Api-Version', maxApiVersion)
    res.setHeader('Docker-Experimental', 'false')
    res.setHeader('Ostype', 'linux')
    res.setHeader('Server', serverHeader)
    // node's own Date header goes through Date#toUTCString, which pages in ICU's time-zone data (~1 MB).
    res.sendDate = false
    res.setHeader('Date', responseDate())
    const abort = new AbortController()
    const onClose = (): void => {
      if (!res.writableFinished || isHijacked(res)) abort.abort()
    }
    res.once('close', onClose)
    upgrade?.socket.once('close', () => abort.abort())
    try {
      const { version, path } = splitVersionPrefix(pathname)
      const apiVersion = negotiateApiVersion(version)
      const found = router.find(method, path)
      if (!found) throw new EngineError('NotFound', 'ROUTE_NOT_FOUND', 'page not found')
      logger.debug('Calling ' + routeName)
      const ctx: RequestContext = { req, res, body, params: found.params, query, apiVersion, signal: abort.signal, upgrade }
      await found.route.handler(ctx, deps)
    } catch (err) {
      if (abort.signal.aborted) {
        logger.debug('client went away', { route: routeName, error: errorMessage(err) })
        return
      }
      sendError(res, err, logger, routeName)
    }
  }

  const server = createServer({ requestTimeout: 0 }, (req, res) => {
    void dispatch(req, res, req, undefined)
  })

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const res = new ServerResponse(req)
    res.shouldKeepAlive = false
    res.assignSocket(socket as Socket)
    res.once('finish', () => {
      if (!isHijacked(res)) socket.end()
    })
    socket.on('error', (err) => logger.debug('upgraded connection error', { error: errorMessage(err) }))
    void readUpgradeBody(req, socket, head).then(
      ({ body, rest }) => dispatch(req, res, Readable.from(body.length > 0 ? [body] : []), { socket, head: rest }),
      (err: unknown) => sendError(res, err, logger, `${req.method} ${req.url}`),
    )
  })

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    logger.debug('HTTP client error', { error: err.message })
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy()
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')
  })
  return server
}

/**
 * Node hands an Upgrade request over before reading its body; split the bytes that follow the
 * headers into the body (Content-Length of them) and what belongs to the upgraded stream.
 */
function readUpgradeBody(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<{ body: Buffer; rest: Buffer }> {
  const length = Number(req.headers['content-length'] ?? 0)
  if (!Number.isInteger(length) || length < 0 || length > maxUpgradeBody) {
    return Promise.reject(new EngineError('InvalidArgument', 'INVALID_CONTENT_LENGTH', 'invalid Content-Length for an upgrade request'))
  }
  if (head.length >= length) return Promise.resolve({ body: head.subarray(0, length), rest: head.subarray(length) })
  return new Promise((resolve, reject) => {
    let buf = head
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk])
      if (buf.length < length) return
      cleanup()
      socket.pause()
      resolve({ body: buf.subarray(0, length), rest: buf.subarray(length) })
    }
    const onEnd = (): void => {
      cleanup()
      reject(new EngineError('InvalidArgument', 'INVALID_JSON', 'invalid JSON: got EOF while reading request body'))
    }
    const cleanup = (): void => {
      socket.off('data', onData)
      socket.off('end', onEnd)
    }
    socket.on('data', onData)
    socket.on('end', onEnd)
  })
}

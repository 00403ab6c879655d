import { errorMessage, invalid } from '../../common/index.js'
import type { ContainerAttachment } from '../../engine/containers/index.js'
import type { Route, RouteHandler } from '../router.js'
import { queryBool, queryString } from '../context.js'
import { compareApiVersions } from '../version.js'
import { acceptWebsocket, takeUpgradedSocket } from '../stream/index.js'

/**
 * GET /containers/{id}/attach/ws: the attach streams over a websocket, never multiplexed (as
 * dockerd): each output chunk is one message (binary frames since API 1.28), each client message
 * goes to stdin.
 */
const attachWebsocket: RouteHandler = async (ctx, { engine, logger }) => {
  const record = await engine.containers.resolve(ctx.params.id as string)
  const taken = ctx.upgrade && ctx.req.headers['upgrade']?.toLowerCase() === 'websocket' ? takeUpgradedSocket(ctx) : undefined
  if (!taken) throw invalid('NOT_WEBSOCKET', 'websocket attach needs a websocket upgrade request')
  const wantStdin = queryBool(ctx, 'stdin')
  let attachment: ContainerAttachment
  try {
    attachment = await engine.containers.attach(record.id, {
      stdin: wantStdin, stdout: queryBool(ctx, 'stdout'), stderr: queryBool(ctx, 'stderr'),
      logs: queryBool(ctx, 'logs'), stream: queryBool(ctx, 'stream'), detachKeys: queryString(ctx, 'detachKeys'),
    })
  } catch (err) {
    taken.socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\n${errorMessage(err)}\n`)
    return
  }
  const ws = acceptWebsocket(taken.socket, ctx.req.headers, taken.head, { binary: compareApiVersions(ctx.apiVersion, '1.28') >= 0 })
  if (!ws) return
  taken.socket.on('error', (err) => logger.debug('websocket attach error', { container: record.id, error: errorMessage(err) }))
  await new Promise<void>((resolve) => {
    attachment.onData((_stream, data) => ws.send(data))
    attachment.onEnd(() => {
      ws.close()
      resolve()
    })
    if (wantStdin) ws.onMessage((data) => attachment.write(data))
    ws.onClose(() => {
      attachment.close()
      resolve()
    })
  })
}

export const attachWebsocketRoutes: Route[] = [{ method: 'GET', path: '/containers/:id/attach/ws', handler: attachWebsocket }]

import type { Route } from '../router.js'
import { sendJson, type RequestContext } from '../context.js'
import { systemInfoView, systemVersionView } from '../convert/index.js'

function ping(ctx: RequestContext, withBody: boolean): void {
  ctx.res.writeHead(200, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': withBody ? 2 : 0,
    'Builder-Version': '1',
    'Swarm': 'inactive',
    'Cache-Control': 'no-cache, no-store, must-revalidate',
    'Pragma': 'no-cache',
  })
  ctx.res.end(withBody ? 'OK' : undefined)
}

export const systemRoutes: Route[] = [
  { method: 'GET', path: '/_ping', handler: async (ctx) => ping(ctx, true) },
  { method: 'HEAD', path: '/_ping', handler: async (ctx) => ping(ctx, false) },
  {
    method: 'GET', path: '/version',
    handler: async (ctx, { engine, versionInfo }) => sendJson(ctx, 200, systemVersionView(await engine.systemInfo(), versionInfo)),
  },
  {
    method: 'GET', path: '/info',
    handler: async (ctx, { engine, versionInfo }) => sendJson(ctx, 200, systemInfoView(await engine.systemInfo(), versionInfo, new Date())),
  },
]

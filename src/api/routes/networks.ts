import { EngineError, invalid } from '../../common/index.js'
import type { Engine } from '../../engine/engine.js'
import type { NetworkService } from '../../engine/networks/index.js'
import type { Route } from '../router.js'
import { queryString, readJson, sendEmpty, sendJson } from '../context.js'
import { networkCreateRequest, networkView, parseFilters } from '../convert/index.js'
import type {
  NetworkConnectRequestWire, NetworkCreateRequestWire, NetworkCreateResponseWire, NetworkDisconnectRequestWire,
  NetworkPruneResponseWire,
} from '../types/index.js'

function networks(engine: Engine): NetworkService {
  if (!engine.networks) throw new EngineError('NotImplemented', 'NO_NETWORKING', 'networking is not available in this engine')
  return engine.networks
}

/** Lookups in an engine without networking find nothing (so `docker inspect x` tries the next kind). */
function lookup(engine: Engine, nameOrId: string): NetworkService {
  if (!engine.networks) throw new EngineError('NotFound', 'NETWORK_NOT_FOUND', `network ${nameOrId} not found`)
  return engine.networks
}

async function runningIds(engine: Engine): Promise<Set<string>> {
  return new Set((await engine.containers.list({})).map((c) => c.id))
}

/** /networks: list, inspect, create, remove, connect, disconnect, prune. */
export const networkRoutes: Route[] = [
  {
    method: 'GET', path: '/networks',
    handler: async (ctx, { engine }) => {
      const list = engine.networks ? await engine.networks.list(parseFilters(ctx.query.get('filters'))) : []
      sendJson(ctx, 200, list.map((n) => networkView(n, false)))
    },
  },
  {
    method: 'GET', path: '/networks/:id',
    handler: async (ctx, { engine }) => {
      const net = await lookup(engine, ctx.params.id as string).inspect(ctx.params.id as string)
      const running = await runningIds(engine)
      sendJson(ctx, 200, networkView(net, true, (id) => running.has(id)))
    },
  },
  {
    method: 'POST', path: '/networks/create',
    handler: async (ctx, { engine }) => {
      const body = await readJson<NetworkCreateRequestWire>(ctx)
      if (!body || typeof body !== 'object') throw invalid('EMPTY_BODY', 'network name is required')
      const created = await networks(engine).create(networkCreateRequest(body))
      const out: NetworkCreateResponseWire = { Id: created.id, Warning: created.warning }
      sendJson(ctx, 201, out)
    },
  },
  {
    method: 'DELETE', path: '/networks/:id',
    handler: async (ctx, { engine }) => {
      await networks(engine).remove(ctx.params.id as string)
      sendEmpty(ctx)
    },
  },
  {
    method: 'POST', path: '/networks/:id/connect',
    handler: async (ctx, { engine }) => {
      const body = (await readJson<NetworkConnectRequestWire>(ctx)) ?? {}
      if (!body.Container) throw invalid('NO_CONTAINER', 'container is required')
      const e = body.EndpointConfig ?? {}
      await networks(engine).connect(ctx.params.id as string, body.Container, {
        ...(e.Aliases?.length ? { aliases: e.Aliases } : {}),
        ...(e.Links?.length ? { links: e.Links } : {}),
        ...(e.IPAMConfig?.IPv4Address ? { ipv4Address: e.IPAMConfig.IPv4Address } : {}),
        ...(e.IPAMConfig?.IPv6Address ? { ipv6Address: e.IPAMConfig.IPv6Address } : {}),
        ...(e.MacAddress ? { macAddress: e.MacAddress } : {}),
      })
      sendEmpty(ctx, 200)
    },
  },
  {
    method: 'POST', path: '/networks/:id/disconnect',
    handler: async (ctx, { engine }) => {
      const body = (await readJson<NetworkDisconnectRequestWire>(ctx)) ?? {}
      if (!body.Container) throw invalid('NO_CONTAINER', 'container is required')
      await networks(engine).disconnect(ctx.params.id as string, body.Container, body.Force === true)
      sendEmpty(ctx, 200)
    },
  },
  {
    method: 'POST', path: '/networks/prune',
    handler: async (ctx, { engine }) => {
      const deleted = await networks(engine).prune(parseFilters(ctx.query.get('filters') ?? queryString(ctx, 'filters')))
      const out: NetworkPruneResponseWire = { NetworksDeleted: deleted }
      sendJson(ctx, 200, out)
    },
  },
]

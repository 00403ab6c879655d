import { invalid } from '../../common/index.js'
import type { Route } from '../router.js'
import { queryBool, queryInt, queryString, readJson, sendEmpty, sendJson, sendJsonBytes } from '../context.js'
import { ContainerListCache, type ContainerListSources, containerInspect, containerSpecFromCreate, parseFilters } from '../convert/index.js'
import type { Engine } from '../../engine/engine.js'
import type { ContainerCreateRequest, ContainerCreateResponse, ContainerSummary } from '../types/index.js'

/** Each container's list item as JSON text, kept while it is current (one cache for every engine: keyed by record). */
const listCache = new ContainerListCache()

export interface ContainerListQuery {
  all: boolean
  limit: number | undefined
  size: boolean
  filters: Record<string, string[]>
}

/** The body of GET /containers/json (a JSON array and "\n"). */
export async function containerListBody(engine: Engine, query: ContainerListQuery): Promise<Buffer> {
  const { records, now, sources, sizes } = await listSources(engine, query)
  return listCache.render(records, now, sources, sizes)
}

/** The items of that body, as a client's JSON.parse returns them (GET /berth/cli/ps renders them). */
export async function containerListItems(engine: Engine, query: ContainerListQuery): Promise<ContainerSummary[]> {
  const { records, now, sources, sizes } = await listSources(engine, query)
  return listCache.summaries(records, now, sources, sizes)
}

async function listSources(engine: Engine, query: ContainerListQuery) {
  const { containers, networks } = engine
  const records = await containers.list({ ...query, readOnly: true })
  const sizes = query.size ? await Promise.all(records.map((r) => containers.sizes(r.id).catch(() => undefined))) : undefined
  const sources: ContainerListSources = {
    revision: containers.revision?.bind(containers),
    viewRevision: networks ? networks.viewRevision?.bind(networks) : () => 0,
    views: (stale) => (networks?.containerViews ? networks.containerViews(stale) : Promise.all(stale.map((r) => networks?.containerView(r.id, r)))),
  }
  return { records, now: new Date(), sources, sizes }
}

/** Container lifecycle and metadata routes. Streams (logs, attach, wait) are in container-streams.ts. */
export const containerRoutes: Route[] = [
  {
    method: 'POST', path: '/containers/create',
    handler: async (ctx, { engine }) => {
      const spec = containerSpecFromCreate(await readJson<ContainerCreateRequest>(ctx))
      const created = await engine.containers.create(spec, queryString(ctx, 'name'))
      const body: ContainerCreateResponse = { Id: created.id, Warnings: created.warnings }
      sendJson(ctx, 201, body)
    },
  },
  {
    method: 'GET', path: '/containers/json',
    handler: async (ctx, { engine }) => {
      const limit = queryInt(ctx, 'limit')
      const body = await containerListBody(engine, {
        all: queryBool(ctx, 'all'),
        limit: limit !== undefined && limit > 0 ? limit : undefined,
        size: queryBool(ctx, 'size'),
        filters: parseFilters(ctx.query.get('filters')),
      })
      sendJsonBytes(ctx, 200, body)
    },
  },
  {
    method: 'GET', path: '/containers/:id/json',
    handler: async (ctx, { engine }) => {
      const record = await engine.containers.resolve(ctx.params.id as string)
      sendJson(ctx, 200, containerInspect(record, await engine.networks?.containerView(record.id, record)))
    },
  },
  {
    method: 'POST', path: '/containers/:id/start',
    handler: async (ctx, { engine }) => {
      await engine.containers.start(ctx.params.id as string)
      sendEmpty(ctx)
    },
  },
  {
    method: 'POST', path: '/containers/:id/stop',
    handler: async (ctx, { engine }) => {
      await engine.containers.stop(ctx.params.id as string, { timeout: queryInt(ctx, 't'), signal: queryString(ctx, 'signal') })
      sendEmpty(ctx)
    },
  },
  {
    method: 'POST', path: '/containers/:id/restart',
    handler: async (ctx, { engine }) => {
      await engine.containers.restart(ctx.params.id as string, { timeout: queryInt(ctx, 't'), signal: queryString(ctx, 'signal') })
      sendEmpty(ctx)
    },
  },
  {
    method: 'POST', path: '/containers/:id/kill',
    handler: async (ctx, { engine }) => {
      await engine.containers.kill(ctx.params.id as string, queryString(ctx, 'signal'))
      sendEmpty(ctx)
    },
  },
  {
    method: 'DELETE', path: '/containers/:id',
    handler: async (ctx, { engine }) => {
      await engine.containers.remove(ctx.params.id as string, { force: queryBool(ctx, 'force'), removeVolumes: queryBool(ctx, 'v') })
      sendEmpty(ctx)
    },
  },
  {
    method: 'POST', path: '/containers/:id/rename',
    handler: async (ctx, { engine }) => {
      const name = queryString(ctx, 'name')
      if (name === undefined) throw invalid('INVALID_PARAMETER', 'name is required')
      await engine.containers.rename(ctx.params.id as string, name)
      sendEmpty(ctx)
    },
  },
  {
    method: 'POST', path: '/containers/:id/resize',
    handler: async (ctx, { engine }) => {
      const h = queryInt(ctx, 'h') ?? 0
      const w = queryInt(ctx, 'w') ?? 0
      if (h < 0 || w < 0) throw invalid('INVALID_PARAMETER', `invalid resize dimensions: ${h}x${w}`)
      await engine.containers.resize(ctx.params.id as string, h, w)
      sendEmpty(ctx, 200)
    },
  },
]

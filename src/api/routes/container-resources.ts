import type { ContainerStatsSample } from '../../engine/containers/index.js'
import type { Route } from '../router.js'
import { queryBool, queryBoolOr, readJson, sendEmpty, sendJson, startStream, type RequestContext } from '../context.js'
import { parseFilters, statsResponse } from '../convert/index.js'

/** How often a stats stream samples, as dockerd's stats collector. */
const STATS_INTERVAL_MS = 1000

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    }, { once: true })
  })
}

/**
 * GET /containers/{id}/stats: stream=true (default) writes a sample every second with the previous
 * one as precpu; stream=false answers one sample whose precpu is a sample taken a second earlier,
 * or, with one-shot=true, at once with empty precpu.
 */
async function stats(ctx: RequestContext, { engine }: Parameters<Route['handler']>[1]): Promise<void> {
  const id = ctx.params.id as string
  const stream = queryBoolOr(ctx, 'stream', true)
  let previous: ContainerStatsSample | undefined
  let sample = await engine.containers.stats(id)
  if (!stream) {
    if (!queryBool(ctx, 'one-shot') && sample.usage) {
      await sleep(STATS_INTERVAL_MS, ctx.signal)
      previous = sample
      sample = await engine.containers.stats(id)
    }
    sendJson(ctx, 200, statsResponse(sample, previous))
    return
  }
  startStream(ctx, 'application/json')
  try {
    while (!ctx.signal.aborted && !ctx.res.destroyed) {
      ctx.res.write(JSON.stringify(statsResponse(sample, previous)) + '\n')
      await sleep(STATS_INTERVAL_MS, ctx.signal)
      if (ctx.signal.aborted) break
      previous = sample
      try {
        sample = await engine.containers.stats(id)
      } catch {
        break // removed meanwhile: the stream ends, as dockerd's does
      }
    }
  } finally {
    if (!ctx.res.destroyed) ctx.res.end()
  }
}

/** pause/unpause, update and stats. */
export const containerResourceRoutes: Route[] = [
  {
    method: 'POST', path: '/containers/:id/pause',
    handler: async (ctx, { engine }) => {
      await engine.containers.pause(ctx.params.id as string)
      sendEmpty(ctx)
    },
  },
  {
    method: 'POST', path: '/containers/:id/unpause',
    handler: async (ctx, { engine }) => {
      await engine.containers.unpause(ctx.params.id as string)
      sendEmpty(ctx)
    },
  },
  {
    method: 'POST', path: '/containers/:id/update',
    handler: async (ctx, { engine }) => {
      const body = (await readJson<Record<string, unknown>>(ctx)) ?? {}
      const { warnings } = await engine.containers.update(ctx.params.id as string, body)
      sendJson(ctx, 200, { Warnings: warnings.length > 0 ? warnings : null })
    },
  },
  { method: 'GET', path: '/containers/:id/stats', handler: stats },
  {
    method: 'POST', path: '/containers/prune',
    handler: async (ctx, { engine }) => {
      const { deleted, spaceReclaimed } = await engine.containers.prune(parseFilters(ctx.query.get('filters')))
      sendJson(ctx, 200, { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: spaceReclaimed })
    },
  },
]

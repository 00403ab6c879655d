import { invalid } from '../../common/index.js'
import type { EngineEvent } from '../../engine/events/index.js'
import type { Route } from '../router.js'
import { queryString, startStream, type RequestContext } from '../context.js'
import { encodeEventMessage, eventMatches, eventMessage, parseFilters, parseUnixTimestampNanos } from '../convert/index.js'

function timeParam(ctx: RequestContext, key: string): bigint | undefined {
  const raw = queryString(ctx, key)
  if (raw === undefined) return undefined
  const nanos = parseUnixTimestampNanos(raw)
  if (nanos === undefined) throw invalid('INVALID_PARAMETER', `invalid value for ${key}: "${raw}"`)
  return nanos
}

const nowNanos = (): bigint => BigInt(Date.now()) * 1_000_000n

/**
 * GET /events: replays remembered events from `since`, then streams new ones as JSON lines until
 * `until` passes or the client leaves. With `until` in the past, the replay is all there is.
 */
async function streamEvents(ctx: RequestContext, { engine }: Parameters<Route['handler']>[1]): Promise<void> {
  const since = timeParam(ctx, 'since')
  const until = timeParam(ctx, 'until')
  const filters = parseFilters(ctx.query.get('filters'))
  if (since !== undefined && until !== undefined && until < since) {
    throw invalid('INVALID_PARAMETER', '`since` time is after `until` time')
  }
  const wanted = (e: EngineEvent): boolean =>
    (since === undefined || e.timeNano >= since) && (until === undefined || e.timeNano <= until) && eventMatches(filters, e)
  startStream(ctx, 'application/json')
  const write = (e: EngineEvent): void => {
    if (wanted(e)) ctx.res.write(encodeEventMessage(eventMessage(e)) + '\n')
  }
  // Subscribe before replaying so nothing published during the replay is lost.
  const live: EngineEvent[] = []
  let replaying = true
  const unsubscribe = engine.events.subscribe((e) => (replaying ? live.push(e) : write(e)))
  try {
    if (since !== undefined) for (const e of engine.events.history()) if (!live.includes(e)) write(e)
    for (const e of live) write(e)
    replaying = false
    const remaining = until === undefined ? undefined : Number((until - nowNanos()) / 1_000_000n)
    if (remaining !== undefined && remaining <= 0) return
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) return resolve()
      const timer = remaining === undefined ? undefined : setTimeout(resolve, remaining)
      ctx.signal.addEventListener('abort', () => {
        if (timer) clearTimeout(timer)
        resolve()
      }, { once: true })
    })
  } finally {
    unsubscribe()
    if (!ctx.res.destroyed) ctx.res.end()
  }
}

export const eventRoutes: Route[] = [{ method: 'GET', path: '/events', handler: streamEvents }]

import { EngineError, errorMessage, shortId, type Logger } from '../../common/index.js'
import type { BuildEvent, BuildService } from '../../engine/build/index.js'
import type { Route, RouteHandler } from '../router.js'
import { queryBool, queryBoolOr, queryString, readJson, sendJson, startStream, type RequestContext } from '../context.js'
import { jsonStreamLine } from '../stream/index.js'
import type { JsonStreamMessage } from '../types/index.js'

function builderOf(engine: { builder?: BuildService }): BuildService {
  if (!engine.builder) throw new EngineError('NotImplemented', 'BUILD_NOT_AVAILABLE', 'this daemon has no builder')
  return engine.builder
}

function jsonParam<T>(ctx: RequestContext, key: string): T | undefined {
  const raw = queryString(ctx, key)
  if (raw === undefined) return undefined
  try {
    return JSON.parse(raw) as T
  } catch (err) {
    throw new EngineError('InvalidArgument', 'INVALID_PARAMETER', `invalid ${key}: ${(err as Error).message}`, { cause: err })
  }
}

/** The classic builder's progress text for one build event (moby builder/dockerfile's messages). */
export function buildEventText(e: BuildEvent): string | Buffer {
  switch (e.type) {
    case 'step':
      return `Step ${e.index}/${e.total} : ${e.instruction}\n`
    case 'cache-hit':
      return ' ---> Using cache\n'
    case 'container-start':
      return ` ---> Running in ${shortId(e.containerId)}\n`
    case 'output':
      return e.data
    case 'container-removed':
      return `Removing intermediate container ${shortId(e.containerId)}\n`
    case 'step-done':
      return ` ---> ${shortId(e.imageId)}\n`
    case 'message':
      return e.text
  }
}

/**
 * POST /build: the body is the context archive (tar, possibly compressed). The response streams
 * Docker's JSON messages once the build is under way; errors found before that (bad Dockerfile,
 * unknown image) are plain HTTP errors, as dockerd answers them.
 */
const build: RouteHandler = async (ctx, { engine, logger }) => {
  const builder = builderOf(engine)
  const quiet = queryBool(ctx, 'q')
  let started = false
  const write = (msg: JsonStreamMessage): void => {
    if (!started) {
      startStream(ctx, 'application/json')
      started = true
    }
    ctx.res.write(jsonStreamLine(msg))
  }
  const onEvent = (e: BuildEvent): void => {
    if (quiet) return
    const text = buildEventText(e)
    write({ stream: Buffer.isBuffer(text) ? text.toString('utf8') : text })
  }
  const buildArgs = jsonParam<Record<string, string | null>>(ctx, 'buildargs')
  const labels = jsonParam<Record<string, string>>(ctx, 'labels')
  const cacheFrom = jsonParam<string[]>(ctx, 'cachefrom')
  const tags = ctx.query.getAll('t').filter((t) => t !== '')
  try {
    const result = await builder.build({
      context: ctx.body,
      ...(queryString(ctx, 'dockerfile') ? { dockerfile: queryString(ctx, 'dockerfile') as string } : {}),
      tags,
      ...(buildArgs ? { buildArgs } : {}),
      ...(queryString(ctx, 'target') ? { target: queryString(ctx, 'target') as string } : {}),
      noCache: queryBool(ctx, 'nocache'),
      ...(labels ? { labels } : {}),
      pull: queryBool(ctx, 'pull'),
      ...(cacheFrom ? { cacheFrom } : {}),
      rm: queryBoolOr(ctx, 'rm', true),
      forceRm: queryBool(ctx, 'forcerm'),
      ...(queryString(ctx, 'platform') ? { platform: queryString(ctx, 'platform') as string } : {}),
      ...(queryString(ctx, 'contextkey') ? { contextKey: queryString(ctx, 'contextkey') as string } : {}),
      signal: ctx.signal,
      onEvent,
    })
    write({ aux: { ID: result.imageId } })
    if (quiet) write({ stream: `${result.imageId}\n` })
    else {
      write({ stream: `Successfully built ${shortId(result.imageId)}\n` })
      for (const t of result.tags) write({ stream: `Successfully tagged ${t}\n` })
    }
    ctx.res.end()
  } catch (err) {
    if (!started) throw err
    streamError(ctx, err, logger)
  }
}

function streamError(ctx: RequestContext, err: unknown, logger: Logger): void {
  const message = errorMessage(err)
  logger.debug('build failed', { error: message })
  const code = (err as { exitCode?: unknown }).exitCode
  const detail: JsonStreamMessage['errorDetail'] = typeof code === 'number' ? { code, message } : { message }
  if (!ctx.res.writableEnded) ctx.res.end(jsonStreamLine({ errorDetail: detail, error: message }))
}

/**
 * berth-specific: POST /berth/build/context?key=K with {"files": {name: fingerprint}} answers
 * {"missing": [names]}, the files a POST /build?contextkey=K must send with their data (the others
 * may go as cached entries). See engine/build/context-store.ts.
 */
const contextMissing: RouteHandler = async (ctx, { engine }) => {
  const builder = builderOf(engine)
  const key = queryString(ctx, 'key')
  if (!key) throw new EngineError('InvalidArgument', 'INVALID_CONTEXT_KEY', 'missing build context key')
  const body = await readJson<{ files?: unknown }>(ctx)
  const files = body?.files
  if (!files || typeof files !== 'object' || Array.isArray(files) || Object.values(files).some((v) => typeof v !== 'string')) {
    throw new EngineError('InvalidArgument', 'INVALID_PARAMETER', 'invalid build context manifest: want {"files": {name: fingerprint}}')
  }
  sendJson(ctx, 200, { missing: await builder.contextMissing(key, files as Record<string, string>) })
}

export const buildRoutes: Route[] = [
  { method: 'POST', path: '/berth/build/context', handler: contextMissing },
  { method: 'POST', path: '/build', handler: build },
  {
    method: 'POST', path: '/build/prune',
    handler: async (ctx, { engine }) => {
      const result = await builderOf(engine).prune({ all: queryBool(ctx, 'all') })
      sendJson(ctx, 200, { CachesDeleted: result.cachesDeleted, SpaceReclaimed: result.spaceReclaimed })
    },
  },
]

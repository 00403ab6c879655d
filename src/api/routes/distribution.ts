import { EngineError, errorMessage, invalid } from '../../common/index.js'
import type { Engine } from '../../engine/engine.js'
import type { ProgressSink, RegistryAuth } from '../../engine/images/index.js'
import type { Route, RouteHandler } from '../router.js'
import { queryBool, queryString, readJson, sendJson, startStream, type RequestContext } from '../context.js'
import { imageDeleteItems, parseFilters } from '../convert/index.js'
import { jsonStreamError, jsonStreamLine, progressMessage } from '../stream/index.js'

function distributionOf(engine: Engine): NonNullable<Engine['distribution']> {
  if (!engine.distribution) throw new EngineError('NotImplemented', 'DISTRIBUTION_NOT_AVAILABLE', 'pulling and pushing images is not available on this daemon')
  return engine.distribution
}

function archivesOf(engine: Engine): NonNullable<Engine['archives']> {
  if (!engine.archives) throw new EngineError('NotImplemented', 'ARCHIVES_NOT_AVAILABLE', 'image archives are not available on this daemon')
  return engine.archives
}

/** X-Registry-Auth: base64url(JSON) as the docker CLI sends it; absent or "{}" means anonymous. */
export function registryAuthOf(ctx: RequestContext): RegistryAuth | undefined {
  const raw = ctx.req.headers['x-registry-auth']
  const header = Array.isArray(raw) ? raw[0] : raw
  if (!header) return undefined
  try {
    const auth = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as RegistryAuth | null
    if (!auth || Object.keys(auth).length === 0) return undefined
    return auth
  } catch {
    // moby ignores an undecodable header and pulls anonymously
    return undefined
  }
}

/**
 * Runs a long operation that reports progress as Docker JSON messages. The 200 stream starts with
 * the first message, so an error before it is a plain HTTP error (as moby's output.Flushed()).
 */
async function withProgress(ctx: RequestContext, fn: (sink: ProgressSink) => Promise<unknown>): Promise<void> {
  let started = false
  const sink: ProgressSink = (event) => {
    if (!started) {
      startStream(ctx, 'application/json')
      started = true
    }
    ctx.res.write(jsonStreamLine(progressMessage(event)))
  }
  try {
    await fn(sink)
  } catch (err) {
    if (!started) throw err
    ctx.res.end(jsonStreamError(errorMessage(err)))
    return
  }
  if (!started) startStream(ctx, 'application/json')
  ctx.res.end()
}

/** POST /images/create?fromImage=&tag= */
export const pullImageHandler: RouteHandler = async (ctx, { engine }) => {
  const fromImage = queryString(ctx, 'fromImage') ?? ''
  const tag = queryString(ctx, 'tag')
  let ref = fromImage
  if (tag) ref = tag.includes(':') ? `${fromImage}@${tag}` : `${fromImage}:${tag}`
  const distribution = distributionOf(engine)
  await withProgress(ctx, (sink) =>
    distribution.pull(ref, { auth: registryAuthOf(ctx), platform: queryString(ctx, 'platform'), signal: ctx.signal, onProgress: sink }))
}

/** POST /images/{name}/push?tag= */
export async function pushImageHandler(ctx: RequestContext, engine: Engine, name: string): Promise<void> {
  const distribution = distributionOf(engine)
  const tag = queryString(ctx, 'tag')
  await withProgress(ctx, (sink) => distribution.push(name, tag, { auth: registryAuthOf(ctx), signal: ctx.signal, onProgress: sink }))
}

/** GET /images/{name}/get */
export async function saveOneHandler(ctx: RequestContext, engine: Engine, name: string): Promise<void> {
  await sendArchive(ctx, engine, [name])
}

async function sendArchive(ctx: RequestContext, engine: Engine, names: string[]): Promise<void> {
  const tar = await archivesOf(engine).save(names)
  startStream(ctx, 'application/x-tar')
  await new Promise<void>((resolve) => {
    tar.on('error', () => {
      ctx.res.destroy()
      resolve()
    })
    tar.on('end', resolve)
    tar.pipe(ctx.res)
  })
}

const login: RouteHandler = async (ctx, { engine }) => {
  const auth = (await readJson<RegistryAuth>(ctx)) ?? {}
  const result = await distributionOf(engine).login(auth)
  sendJson(ctx, 200, { Status: result.status, IdentityToken: result.identityToken ?? '' })
}

const load: RouteHandler = async (ctx, { engine }) => {
  const lines = await archivesOf(engine).load(ctx.body)
  startStream(ctx, 'application/json')
  for (const line of lines) ctx.res.write(jsonStreamLine({ stream: `${line}\n` }))
  ctx.res.end()
}

const prune: RouteHandler = async (ctx, { engine }) => {
  const filters = parseFilters(ctx.query.get('filters'))
  const dangling = filters.dangling?.[0]
  if (dangling !== undefined && !['true', 'false', '1', '0'].includes(dangling)) {
    throw invalid('INVALID_FILTER', `invalid filter 'dangling=${dangling}'`)
  }
  const result = await archivesOf(engine).prune({
    filters,
    isUsedByContainer: (imageId) => engine.containers.isImageUsed(imageId),
  })
  const items = imageDeleteItems(result.deleted)
  sendJson(ctx, 200, { ImagesDeleted: items.length > 0 ? items : null, SpaceReclaimed: result.spaceReclaimed })
}

const search: RouteHandler = async (ctx, { engine }) => {
  const term = queryString(ctx, 'term')
  if (!term) throw invalid('INVALID_PARAMETER', 'term is required')
  const names = await distributionOf(engine).search(term, registryAuthOf(ctx))
  const limit = Number(queryString(ctx, 'limit') ?? 25)
  sendJson(ctx, 200, names.slice(0, limit > 0 ? limit : 25).map((name) => ({ name, description: '', star_count: 0, is_official: false, is_automated: false })))
}

export const distributionRoutes: Route[] = [
  { method: 'POST', path: '/auth', handler: login },
  {
    method: 'GET', path: '/images/get',
    handler: async (ctx, { engine }) => sendArchive(ctx, engine, ctx.query.getAll('names').filter((n) => n !== '')),
  },
  { method: 'POST', path: '/images/load', handler: async (ctx, deps) => (queryBool(ctx, 'quiet'), load(ctx, deps)) },
  { method: 'POST', path: '/images/prune', handler: prune },
  { method: 'GET', path: '/images/search', handler: search },
]

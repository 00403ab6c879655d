import { EngineError, invalid } from '../../common/index.js'
import type { Route, RouteHandler } from '../router.js'
import { queryBool, queryString, sendEmpty, sendJson, startStream, type RequestContext } from '../context.js'
import { imageDeleteItems, imageHistory, imageInspect, imageSummary, parseFilters } from '../convert/index.js'
import { jsonStreamLine } from '../stream/index.js'
import { pullImageHandler, pushImageHandler, saveOneHandler } from './distribution.js'

/**
 * Image names contain slashes ("ghcr.io/org/app:1"), so /images/{name}/json and friends are one
 * wildcard route per method, split here into the name and the action after it.
 */
function nameAndAction(ctx: RequestContext, actions: readonly string[]): { name: string; action: string } {
  const rest = ctx.params['*'] ?? ''
  for (const action of actions) {
    if (action === '' ) continue
    if (rest.endsWith('/' + action)) return { name: rest.slice(0, -action.length - 1), action }
  }
  if (actions.includes('')) return { name: rest, action: '' }
  throw new EngineError('NotFound', 'ROUTE_NOT_FOUND', 'page not found')
}

const pullNotAvailable = (ref: string): EngineError =>
  new EngineError('NotImplemented', 'PULL_NOT_AVAILABLE',
    `Cannot pull "${ref}": pulling images from a registry is not available in berth yet; import one with "docker import" instead`)

/** POST /images/create: `fromSrc=-` imports the request body as a one-layer image; pulls are not available yet. */
const createImage: RouteHandler = async (ctx, deps) => {
  const { engine } = deps
  const fromImage = queryString(ctx, 'fromImage')
  const fromSrc = queryString(ctx, 'fromSrc')
  if (fromImage !== undefined) {
    if (!engine.distribution) {
      const tag = queryString(ctx, 'tag')
      throw pullNotAvailable(tag ? `${fromImage}:${tag}` : fromImage)
    }
    return pullImageHandler(ctx, deps)
  }
  if (fromSrc === undefined) throw invalid('INVALID_PARAMETER', 'fromImage or fromSrc is required')
  if (fromSrc !== '-') throw new EngineError('NotImplemented', 'IMPORT_URL_NOT_AVAILABLE', `Cannot import from "${fromSrc}": importing from a URL is not available yet; pipe the archive to "docker import -" instead`)
  const repo = queryString(ctx, 'repo')
  const tag = queryString(ctx, 'tag')
  const record = await engine.images.importTar(ctx.body, {
    repoTag: repo === undefined ? undefined : tag ? `${repo}:${tag}` : repo,
    message: queryString(ctx, 'message'),
    changes: ctx.query.getAll('changes').filter((c) => c !== ''),
    platform: queryString(ctx, 'platform'),
  })
  startStream(ctx, 'application/json')
  ctx.res.end(jsonStreamLine({ status: record.id }))
}

const getImage: RouteHandler = async (ctx, { engine }) => {
  const { name, action } = nameAndAction(ctx, ['json', 'history', 'get'])
  if (action === 'get') return saveOneHandler(ctx, engine, name)
  if (action === 'json') return sendJson(ctx, 200, imageInspect(await engine.images.resolve(name)))
  sendJson(ctx, 200, imageHistory(await engine.images.history(name)))
}

const postImage: RouteHandler = async (ctx, { engine }) => {
  const { name, action } = nameAndAction(ctx, ['tag', 'push'])
  if (action === 'push') {
    if (!engine.distribution) throw new EngineError('NotImplemented', 'PUSH_NOT_AVAILABLE', `Cannot push "${name}": pushing images to a registry is not available in berth yet`)
    return pushImageHandler(ctx, engine, name)
  }
  const repo = queryString(ctx, 'repo')
  if (repo === undefined) throw invalid('INVALID_PARAMETER', 'repo is required')
  const tag = queryString(ctx, 'tag')
  await engine.images.tag(name, tag ? `${repo}:${tag}` : repo)
  sendEmpty(ctx, 201)
}

const deleteImage: RouteHandler = async (ctx, { engine }) => {
  const { name } = nameAndAction(ctx, [''])
  const result = await engine.images.remove(name, {
    force: queryBool(ctx, 'force'),
    noPrune: queryBool(ctx, 'noprune'),
    isUsedByContainer: (imageId) => engine.containers.isImageUsed(imageId),
    containerUsing: (imageId) => engine.containers.containerUsingImage(imageId),
  })
  sendJson(ctx, 200, imageDeleteItems(result))
}

export const imageRoutes: Route[] = [
  {
    method: 'GET', path: '/images/json',
    handler: async (ctx, { engine }) => {
      const records = await engine.images.list({ all: queryBool(ctx, 'all'), filters: parseFilters(ctx.query.get('filters')) })
      sendJson(ctx, 200, records.map(imageSummary))
    },
  },
  { method: 'POST', path: '/images/create', handler: createImage },
  {
    // berth's own: make an offline base image from the host's packages (`berth image bootstrap busybox`).
    method: 'POST', path: '/berth/images/bootstrap',
    handler: async (ctx, { engine }) => {
      const name = queryString(ctx, 'name')
      if (name === undefined) throw invalid('INVALID_PARAMETER', 'name is required')
      const record = await engine.bootstrapImage(name)
      sendJson(ctx, 200, { Id: record.id, RepoTags: record.repoTags })
    },
  },
  { method: 'GET', path: '/images/*', handler: getImage },
  { method: 'POST', path: '/images/*', handler: postImage },
  { method: 'DELETE', path: '/images/*', handler: deleteImage },
]

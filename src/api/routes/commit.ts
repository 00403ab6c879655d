import { EngineError, invalid } from '../../common/index.js'
import type { ImageRuntimeConfig } from '../../engine/images/index.js'
import type { Route } from '../router.js'
import { queryBoolOr, queryString, readJson, sendJson } from '../context.js'

/** The config fields a commit request body may set (Docker's container Config, image-relevant part). */
const CONFIG_KEYS = ['Cmd', 'Entrypoint', 'Env', 'WorkingDir', 'User', 'Labels', 'ExposedPorts', 'Volumes', 'StopSignal', 'OnBuild', 'Healthcheck'] as const

/** POST /commit: a new image from a container's changes (docker commit). */
export const commitRoutes: Route[] = [
  {
    method: 'POST', path: '/commit',
    handler: async (ctx, { engine }) => {
      if (!engine.commit) throw new EngineError('NotImplemented', 'NOT_IMPLEMENTED', 'commit is not supported by this engine')
      const container = queryString(ctx, 'container')
      if (!container) throw invalid('NO_CONTAINER', 'No container name or ID supplied')
      const repo = queryString(ctx, 'repo')
      const tag = queryString(ctx, 'tag')
      if (!repo && tag) throw invalid('TAG_WITHOUT_REPO', 'invalid reference format: tag given without a repository')
      const body = (await readJson<Record<string, unknown> | null>(ctx)) ?? {}
      const config: Partial<ImageRuntimeConfig> = {}
      for (const key of CONFIG_KEYS) {
        const v = body[key]
        if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && v !== '') (config as Record<string, unknown>)[key] = v
      }
      const image = await engine.commit.commit({
        container,
        reference: repo ? `${repo}${tag ? `:${tag}` : ''}` : undefined,
        comment: queryString(ctx, 'comment') ?? undefined,
        author: queryString(ctx, 'author') ?? undefined,
        pause: queryBoolOr(ctx, 'pause', true),
        changes: ctx.query.getAll('changes').flatMap((c) => c.split('\n')).filter((c) => c.trim() !== ''),
        config,
      })
      sendJson(ctx, 201, { Id: image.id })
    },
  },
]

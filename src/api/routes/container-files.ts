import { EngineError, invalid } from '../../common/index.js'
import type { Route } from '../router.js'
import type { RequestContext } from '../context.js'
import { queryBool, queryString, sendJson } from '../context.js'
import type { PathStat } from '../../engine/containers/index.js'

/** Copying in and out of containers (docker cp), their changes (docker diff) and export. */

const STAT_HEADER = 'X-Docker-Container-Path-Stat'

const statHeader = (stat: PathStat): string => Buffer.from(JSON.stringify(stat)).toString('base64')

function pathParam(ctx: RequestContext): string {
  const path = queryString(ctx, 'path')
  if (!path) throw invalid('EMPTY_PATH', 'bad parameter: path cannot be empty')
  return path
}

const unsupported = (what: string): EngineError => new EngineError('NotImplemented', 'NOT_IMPLEMENTED', `${what} is not supported by this engine`)

export const containerFileRoutes: Route[] = [
  {
    method: 'HEAD', path: '/containers/:id/archive',
    handler: async (ctx, { engine }) => {
      if (!engine.containers.archiveStat) throw unsupported('archive')
      const stat = await engine.containers.archiveStat(ctx.params.id as string, pathParam(ctx))
      ctx.res.writeHead(200, { [STAT_HEADER]: statHeader(stat), 'Content-Type': 'application/json' })
      ctx.res.end()
    },
  },
  {
    method: 'GET', path: '/containers/:id/archive',
    handler: async (ctx, { engine }) => {
      if (!engine.containers.archive) throw unsupported('archive')
      await engine.containers.archive(ctx.params.id as string, pathParam(ctx), (stat) => {
        ctx.res.writeHead(200, { [STAT_HEADER]: statHeader(stat), 'Content-Type': 'application/x-tar' })
        return ctx.res
      })
    },
  },
  {
    method: 'PUT', path: '/containers/:id/archive',
    handler: async (ctx, { engine }) => {
      if (!engine.containers.extractArchive) throw unsupported('archive')
      await engine.containers.extractArchive(ctx.params.id as string, pathParam(ctx), ctx.body, {
        noOverwriteDirNonDir: queryBool(ctx, 'noOverwriteDirNonDir'),
        copyUidGid: queryBool(ctx, 'copyUIDGID'),
      })
      ctx.res.writeHead(200)
      ctx.res.end()
    },
  },
  {
    method: 'GET', path: '/containers/:id/changes',
    handler: async (ctx, { engine }) => {
      if (!engine.containers.changes) throw unsupported('changes')
      const changes = await engine.containers.changes(ctx.params.id as string)
      sendJson(ctx, 200, changes.length > 0 ? changes : null)
    },
  },
  {
    method: 'GET', path: '/containers/:id/export',
    handler: async (ctx, { engine }) => {
      if (!engine.containers.exportRootfs) throw unsupported('export')
      await engine.containers.resolve(ctx.params.id as string)
      ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' })
      await engine.containers.exportRootfs(ctx.params.id as string, ctx.res)
    },
  },
]

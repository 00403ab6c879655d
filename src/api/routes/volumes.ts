import { invalid } from '../../common/index.js'
import type { Route } from '../router.js'
import { queryBool, readJson, sendEmpty, sendJson } from '../context.js'
import { parseFilters, volumeView } from '../convert/index.js'
import type { VolumeCreateRequest, VolumeListResponse, VolumePruneResponse } from '../types/index.js'

function stringMap(value: unknown, field: string): Record<string, string> | undefined {
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw invalid('INVALID_PARAMETER', `invalid JSON: ${field} must be an object of strings`)
  }
  return value as Record<string, string>
}

/** The volume routes (local driver; no cluster volumes). */
export const volumeRoutes: Route[] = [
  {
    method: 'GET', path: '/volumes',
    handler: async (ctx, { engine }) => {
      const volumes = await engine.volumes.list(parseFilters(ctx.query.get('filters')))
      const body: VolumeListResponse = { Volumes: volumes.map((v) => volumeView(v)), Warnings: null }
      sendJson(ctx, 200, body)
    },
  },
  {
    method: 'POST', path: '/volumes/create',
    handler: async (ctx, { engine }) => {
      const req = (await readJson<VolumeCreateRequest>(ctx)) ?? {}
      if (typeof req !== 'object' || Array.isArray(req)) throw invalid('INVALID_PARAMETER', 'invalid JSON: expected an object')
      if (req.Name !== undefined && typeof req.Name !== 'string') throw invalid('INVALID_PARAMETER', 'invalid JSON: Name must be a string')
      const volume = await engine.volumes.create({
        name: req.Name, driver: typeof req.Driver === 'string' ? req.Driver : undefined,
        labels: stringMap(req.Labels, 'Labels'), driverOpts: stringMap(req.DriverOpts, 'DriverOpts'),
      })
      sendJson(ctx, 201, volumeView(volume))
    },
  },
  {
    method: 'POST', path: '/volumes/prune',
    handler: async (ctx, { engine }) => {
      const result = await engine.volumes.prune(parseFilters(ctx.query.get('filters')))
      const body: VolumePruneResponse = { VolumesDeleted: result.deleted.length > 0 ? result.deleted : null, SpaceReclaimed: result.spaceReclaimed }
      sendJson(ctx, 200, body)
    },
  },
  {
    method: 'GET', path: '/volumes/:name',
    handler: async (ctx, { engine }) => sendJson(ctx, 200, volumeView(await engine.volumes.inspect(ctx.params.name as string))),
  },
  {
    method: 'DELETE', path: '/volumes/:name',
    handler: async (ctx, { engine }) => {
      await engine.volumes.remove(ctx.params.name as string, { force: queryBool(ctx, 'force') })
      sendEmpty(ctx)
    },
  },
]

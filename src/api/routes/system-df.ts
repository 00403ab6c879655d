import { invalid } from '../../common/index.js'
import type { Route } from '../router.js'
import { sendJson } from '../context.js'
import { containerSummary, imageSummary, volumeView } from '../convert/index.js'

const TYPES = new Set(['container', 'image', 'volume', 'build-cache'])

/**
 * GET /system/df (`docker system df [-v]`): images with their container counts, containers, and
 * volumes with UsageData (size and reference count). Container layer sizes are not measured yet
 * (SizeRw 0); there is no build cache.
 */
export const systemDfRoutes: Route[] = [
  {
    method: 'GET', path: '/system/df',
    handler: async (ctx, { engine }) => {
      const types = ctx.query.getAll('type')
      for (const t of types) if (!TYPES.has(t)) throw invalid('INVALID_PARAMETER', `unknown object type: ${t}`)
      const want = (t: string): boolean => types.length === 0 || types.includes(t)
      const containers = await engine.containers.list({ all: true })
      const body: Record<string, unknown> = {}
      if (want('image')) {
        const images = await engine.images.list()
        body['LayersSize'] = images.reduce((sum, img) => sum + img.size, 0)
        body['Images'] = images.map((img) => ({
          ...imageSummary(img), SharedSize: 0, Containers: containers.filter((c) => c.imageId === img.id).length,
        }))
      }
      if (want('container')) {
        const now = new Date()
        const sizes = new Map((await engine.images.list()).map((img) => [img.id, img.size]))
        body['Containers'] = containers.map((c) => ({ ...containerSummary(c, now), SizeRw: 0, SizeRootFs: sizes.get(c.imageId) ?? 0 }))
      }
      if (want('volume')) {
        body['Volumes'] = (await engine.volumes.usage()).map(({ volume, usage }) => volumeView(volume, usage))
      }
      if (want('build-cache')) body['BuildCache'] = []
      sendJson(ctx, 200, body)
    },
  },
]

import { digestHex, invalid } from '../../common/index.js'
import type { Route } from '../router.js'
import { sendJson, type RequestContext } from '../context.js'
import { containerSummary, imageSummary, volumeView } from '../convert/index.js'

const TYPES = new Set(['container', 'image', 'volume', 'build-cache'])

/**
 * GET /system/df: images (with the number of containers using each), containers with SizeRw and
 * SizeRootFs, volumes with UsageData (size and reference count) and build cache (always empty). `type` (repeatable) limits the answer to those kinds.
 */
async function diskUsage(ctx: RequestContext, { engine }: Parameters<Route['handler']>[1]): Promise<void> {
  const types = ctx.query.getAll('type')
  for (const t of types) if (!TYPES.has(t)) throw invalid('INVALID_PARAMETER', `unknown object type: ${t}`)
  const wants = (t: string): boolean => types.length === 0 || types.includes(t)
  const body: Record<string, unknown> = {}
  const records = await engine.containers.list({ all: true })
  if (wants('image')) {
    // Layers shared between images count once in LayersSize; SharedSize is what an image shares with others.
    const usage = engine.images.diskUsage
      ? await engine.images.diskUsage()
      : await engine.images.list({ all: false }).then((list) => ({ layersSize: list.reduce((sum, i) => sum + i.size, 0), images: list.map((image) => ({ image, sharedSize: 0 })) }))
    const users = new Map<string, number>()
    for (const r of records) users.set(digestHex(r.imageId), (users.get(digestHex(r.imageId)) ?? 0) + 1)
    body.LayersSize = usage.layersSize
    body.Images = usage.images.map(({ image, sharedSize }) => ({ ...imageSummary(image), SharedSize: sharedSize, Containers: users.get(digestHex(image.id)) ?? 0 }))
  }
  if (wants('container')) {
    const now = new Date()
    body.Containers = await Promise.all(records.map(async (r) => {
      const { sizeRw, sizeRootFs } = await engine.containers.sizes(r.id).catch(() => ({ sizeRw: 0, sizeRootFs: 0 }))
      return { ...containerSummary(r, now), SizeRw: sizeRw, SizeRootFs: sizeRootFs }
    }))
  }
  if (wants('volume')) body.Volumes = engine.volumes ? (await engine.volumes.usage()).map(({ volume, usage }) => volumeView(volume, usage)) : []
  if (wants('build-cache')) body.BuildCache = []
  sendJson(ctx, 200, body)
}

export const systemDiskRoutes: Route[] = [{ method: 'GET', path: '/system/df', handler: diskUsage }]

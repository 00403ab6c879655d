import type { CommandHandler } from '../../command-spec.js'
import { renderRows, templateObject, humanSizeLong as humanSize } from '../../../format/index.js'

export const DEFAULT_DF_TABLE = 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}'
const DF_HEADERS: Record<string, string> = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' }

type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

function reclaimable(reclaim: number, total: number): string {
  return total > 0 ? `${humanSize(reclaim)} (${Math.trunc((100 * reclaim) / total)}%)` : humanSize(reclaim)
}

/** docker's system df summary rows (cli/command/formatter/disk_usage.go). */
export function diskUsageRows(df: Json): Array<Record<string, string>> {
  const images = (df.Images ?? []) as Json[]
  const containers = (df.Containers ?? []) as Json[]
  const volumes = (df.Volumes ?? []) as Json[]
  const cache = (df.BuildCache ?? []) as Json[]
  const imageSize = Number(df.LayersSize ?? 0)
  const unusedImages = images.filter((i) => Number(i.Containers ?? 0) === 0).reduce((s, i) => s + Number(i.Size ?? 0) - Math.max(0, Number(i.SharedSize ?? 0)), 0)
  const ctrSize = containers.reduce((s, c) => s + Number(c.SizeRw ?? 0), 0)
  const ctrReclaim = containers.filter((c) => !['running', 'paused', 'restarting'].includes(String(c.State))).reduce((s, c) => s + Number(c.SizeRw ?? 0), 0)
  const volSize = volumes.reduce((s, v) => s + Math.max(0, Number(v.UsageData?.Size ?? 0)), 0)
  const volReclaim = volumes.filter((v) => Number(v.UsageData?.RefCount ?? 0) === 0).reduce((s, v) => s + Math.max(0, Number(v.UsageData?.Size ?? 0)), 0)
  const cacheSize = cache.reduce((s, c) => s + Number(c.Size ?? 0), 0)
  const cacheReclaim = cache.filter((c) => !c.InUse && !c.Shared).reduce((s, c) => s + Number(c.Size ?? 0), 0)
  return [
    { Type: 'Images', TotalCount: String(images.length), Active: String(images.filter((i) => Number(i.Containers ?? 0) > 0).length), Size: humanSize(imageSize), Reclaimable: reclaimable(unusedImages, imageSize) },
    { Type: 'Containers', TotalCount: String(containers.length), Active: String(containers.filter((c) => ['running', 'paused', 'restarting'].includes(String(c.State))).length), Size: humanSize(ctrSize), Reclaimable: reclaimable(ctrReclaim, ctrSize) },
    { Type: 'Local Volumes', TotalCount: String(volumes.length), Active: String(volumes.filter((v) => Number(v.UsageData?.RefCount ?? 0) > 0).length), Size: humanSize(volSize), Reclaimable: reclaimable(volReclaim, volSize) },
    { Type: 'Build Cache', TotalCount: String(cache.length), Active: String(cache.filter((c) => c.InUse).length), Size: humanSize(cacheSize), Reclaimable: humanSize(cacheReclaim) },
  ]
}

/** `berth system df [--format]`: the summary table of what images, containers, volumes and build cache use. */
export const dfCommand: CommandHandler = async (ctx, _args, options) => {
  const { format } = options as { format?: string }
  const df = await ctx.client().systemDiskUsage()
  const rows = diskUsageRows(df).map((r) => templateObject('*formatter.diskUsageContext', { ...r, toJSON: () => r }))
  ctx.io.stdout.write(renderRows({ format: format || 'table', defaultTable: DEFAULT_DF_TABLE, headers: DF_HEADERS, rows }))
}

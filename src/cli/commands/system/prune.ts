import { isEngineError } from '../../../common/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { humanSizeLong as humanSize } from '../../../format/index.js'
import { confirm } from '../shared/confirm.js'
import { parseFilters } from '../shared/filters.js'

/**
 * `berth system prune [-f] [--filter]`: stopped containers, then whatever else the daemon can
 * prune (dangling images when it serves /images/prune).
 */
export const systemPruneCommand: CommandHandler = async (ctx, _args, options) => {
  const { force, filter } = options as { force?: boolean; filter?: string[] }
  const warning = 'WARNING! This will remove:\n  - all stopped containers\n  - all dangling images\n'
  if (!force && !(await confirm(ctx, warning))) return // docker 28: a declined prompt ends quietly with status 0
  const filters = parseFilters(filter ?? [])
  const client = ctx.client()
  const res = await client.containerPrune(filters)
  let out = ''
  let reclaimed = res.SpaceReclaimed
  if (res.ContainersDeleted?.length) out += `Deleted Containers:\n${res.ContainersDeleted.join('\n')}\n\n`
  try {
    const images = await client.imagePrune(filters)
    if (images) {
      reclaimed += images.SpaceReclaimed
      const lines = (images.ImagesDeleted ?? []).map((i) => ('Untagged' in i ? `untagged: ${i.Untagged}` : `deleted: ${i.Deleted}`))
      if (lines.length > 0) out += `Deleted Images:\n${lines.join('\n')}\n\n`
    }
  } catch (err) {
    if (!isEngineError(err, 'NotFound') && !isEngineError(err, 'NotImplemented')) throw err
  }
  out += `Total reclaimed space: ${humanSize(reclaimed)}\n`
  ctx.io.stdout.write(out)
}

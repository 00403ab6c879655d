import type { CommandHandler } from '../../command-spec.js'
import { humanSizeLong as humanSize } from '../../../format/index.js'
import { confirm } from '../shared/confirm.js'
import { parseFilters } from '../shared/filters.js'

export const CONTAINER_PRUNE_WARNING = 'WARNING! This will remove all stopped containers.'

/** `berth container prune [-f] [--filter]`: docker's listing of deleted containers and reclaimed space. */
export const containerPruneCommand: CommandHandler = async (ctx, _args, options) => {
  const { force, filter } = options as { force?: boolean; filter?: string[] }
  if (!force && !(await confirm(ctx, CONTAINER_PRUNE_WARNING))) {
    return // docker 28: a declined prompt ends quietly with status 0
  }
  const res = await ctx.client().containerPrune(parseFilters(filter ?? []))
  let out = ''
  if (res.ContainersDeleted?.length) out += `Deleted Containers:\n${res.ContainersDeleted.join('\n')}\n\n`
  out += `Total reclaimed space: ${humanSize(res.SpaceReclaimed)}\n`
  ctx.io.stdout.write(out)
}

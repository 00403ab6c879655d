import type { Filters } from '../../../client/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { planPs, renderPs, type PsFlags } from '../../../format/index.js'
import { parseFilters } from '../shared/filters.js'

/**
 * `berth ps`: docker's container table, --format templates, -q ids. bin/berth answers the common
 * invocations without node, from the daemon's GET /berth/cli/ps (api/routes/berth-cli.ts), which
 * renders with the same planPs/renderPs.
 */
export const psCommand: CommandHandler = async (ctx, _args, options) => {
  const flags = options as PsFlags
  const filters: Filters = parseFilters(flags.filter ?? [])
  const plan = planPs(flags)
  const containers = await ctx.client().containerList({ all: plan.all, limit: plan.limit, size: plan.size, filters })
  ctx.io.stdout.write(renderPs(plan, containers))
}

import type { Filters } from '../../../client/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { CONTAINER_HEADERS, DEFAULT_CONTAINER_TABLE, containerContext, renderRows } from '../../../format/index.js'
import { parseFilters } from '../shared/filters.js'

interface PsFlags {
  all?: boolean
  filter?: string[]
  format?: string
  last?: number
  latest?: boolean
  trunc?: boolean
  quiet?: boolean
  size?: boolean
}

/** `berth ps`: docker's container table, --format templates, -q ids. */
export const psCommand: CommandHandler = async (ctx, _args, options) => {
  const flags = options as PsFlags
  const filters: Filters = parseFilters(flags.filter ?? [])
  let limit = flags.last ?? -1
  if (flags.latest && limit === -1) limit = 1
  let format = flags.format ?? ''
  if (flags.quiet) format = '{{.ID}}'
  else if (format === '' || format === 'table') format = DEFAULT_CONTAINER_TABLE + (flags.size ? '\t{{.Size}}' : '')
  // A template that shows .Size needs the daemon to compute sizes.
  const size = !!flags.size || /\{\{[^}]*\.Size\b/.test(format)
  const containers = await ctx.client().containerList({ all: flags.all, limit, size, filters })
  const trunc = flags.trunc !== false
  ctx.io.stdout.write(
    renderRows({
      format,
      defaultTable: DEFAULT_CONTAINER_TABLE,
      headers: CONTAINER_HEADERS,
      rows: containers.map((c) => containerContext(c, trunc)),
    }),
  )
}

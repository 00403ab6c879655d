import { invalid } from '../../common/index.js'
import { TemplateError, planPs, renderPs, type PsFlags } from '../../format/index.js'
import type { RequestContext } from '../context.js'
import type { Route } from '../router.js'
import { parseFilters } from '../convert/index.js'
import { containerListItems } from './containers.js'

/** The query parameters GET /berth/cli/ps takes: `ps`'s own flags, by their long names. */
const PS_BOOLEANS = ['all', 'latest', 'no-trunc', 'quiet', 'size'] as const
const PS_PARAMS = new Set<string>([...PS_BOOLEANS, 'filter', 'format', 'last', 'tz'])

/**
 * berth's own endpoints for its CLI (not part of Docker's API). GET /berth/cli/ps answers `berth ps`
 * already rendered, so that bin/berth can print it with curl instead of starting node (see
 * scripts/bundle-cli.mjs): the same planPs/renderPs as the CLI, over the same list as
 * GET /containers/json. Anything the launcher must not print (a parameter this daemon does not know,
 * a malformed filter or template, another time zone) is an error status; on any status but 200 the
 * launcher runs the node CLI, which says what is wrong exactly as it always does.
 */
export const berthCliRoutes: Route[] = [
  {
    method: 'GET', path: '/berth/cli/ps',
    handler: async (ctx, { engine }) => {
      // {{.CreatedAt}} is local time: rendered here only in the client's own time zone (TZ, when set;
      // else /etc/localtime, which both read).
      if ((ctx.query.get('tz') ?? undefined) !== process.env.TZ) throw invalid('PS_TZ', 'the client\'s time zone (TZ) is not the daemon\'s')
      const plan = planPs(psFlagsFromQuery(ctx))
      const filters = psFilters(ctx.query.getAll('filter'))
      const items = await containerListItems(engine, { all: plan.all, limit: plan.limit > 0 ? plan.limit : undefined, size: plan.size, filters })
      let text: string
      try {
        text = renderPs(plan, items)
      } catch (err) {
        if (err instanceof TemplateError) throw invalid('PS_TEMPLATE', err.message)
        throw err
      }
      const bytes = Buffer.from(text)
      ctx.res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': bytes.length })
      ctx.res.end(bytes)
    },
  },
]

function psFlagsFromQuery(ctx: RequestContext): PsFlags {
  for (const key of ctx.query.keys()) {
    if (!PS_PARAMS.has(key)) throw invalid('PS_FLAG', `unknown ps flag "${key}"`)
  }
  const on = (key: string): boolean => {
    const value = ctx.query.get(key)
    if (value !== null && value !== '1') throw invalid('PS_FLAG', `invalid ps --${key} "${value}"`)
    return value === '1'
  }
  const flags: PsFlags = { all: on('all'), latest: on('latest'), trunc: !on('no-trunc'), quiet: on('quiet'), size: on('size') }
  const format = ctx.query.get('format')
  if (format !== null) flags.format = format
  const last = ctx.query.get('last')
  if (last !== null) {
    // As the CLI's int flags accept them (cli/berth-command.ts parseIntFlag).
    if (!/^[-+]?\d+$/.test(last)) throw invalid('PS_FLAG', `invalid ps --last "${last}"`)
    flags.last = Number(last)
  }
  return flags
}

/** `--filter key=value` values as the CLI sends them (cli/commands/shared/filters.ts), one key's values once each. */
function psFilters(values: string[]): Record<string, string[]> {
  const filters: Record<string, Record<string, true>> = {}
  for (const value of values) {
    const eq = value.indexOf('=')
    if (eq <= 0) throw invalid('PS_FILTER', 'bad format of filter (expected name=value)')
    ;(filters[value.slice(0, eq).trim().toLowerCase()] ??= {})[value.slice(eq + 1).trim()] = true
  }
  return parseFilters(JSON.stringify(filters))
}

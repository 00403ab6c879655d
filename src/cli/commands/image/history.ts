import type { CommandHandler } from '../../command-spec.js'
import {
  renderRows,
  DEFAULT_HISTORY_TABLE,
  HISTORY_HEADERS,
  NON_HUMAN_HISTORY_TABLE,
  historyContext,
} from '../../../format/index.js'

/** `berth history IMAGE`: one row per layer, newest first. */
export const historyCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { format?: string; human?: boolean; trunc?: boolean; quiet?: boolean }
  const human = flags.human !== false
  let format = flags.format || 'table'
  if (format === 'table') format = flags.quiet ? '{{.ID}}' : human ? DEFAULT_HISTORY_TABLE : NON_HUMAN_HISTORY_TABLE
  const history = await ctx.client().imageHistory(args[0]!)
  const rows = history.map((h) => historyContext(h, { trunc: flags.trunc !== false, human }))
  ctx.io.stdout.write(renderRows({ format, defaultTable: DEFAULT_HISTORY_TABLE, headers: HISTORY_HEADERS, rows }))
}

import type { CommandHandler } from '../../command-spec.js'
import { formatColumns } from '../../../format/index.js'

/** `berth top CONTAINER [ps OPTIONS]`: docker's tabwriter(20, 1, 3) table of the ps rows. */
export const topCommand: CommandHandler = async (ctx, args) => {
  const [container = '', ...psArgs] = args
  const result = await ctx.client().containerTop(container, psArgs.length > 0 ? psArgs.join(' ') : undefined)
  const lines = [result.Titles.join('\t'), ...result.Processes.map((p) => p.join('\t'))]
  ctx.io.stdout.write(formatColumns(lines.join('\n') + '\n', { minWidth: 20, padding: 3 }))
  return 0
}

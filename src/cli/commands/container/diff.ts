import type { CommandHandler } from '../../command-spec.js'

const LETTER = ['C', 'A', 'D']

/** `berth diff CONTAINER`: A/C/D lines as docker diff. */
export const diffCommand: CommandHandler = async (ctx, [container = '']) => {
  for (const c of await ctx.client().containerChanges(container)) ctx.io.stdout.write(`${LETTER[c.Kind] ?? '?'} ${c.Path}\n`)
}

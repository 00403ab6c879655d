import type { CommandHandler } from '../../command-spec.js'

/** `berth commit [-a] [-c] [-m] [-p] CONTAINER [REPOSITORY[:TAG]]`: prints the new image's id. */
export const commitCommand: CommandHandler = async (ctx, [container = '', reference], options) => {
  const { author, change, message, pause } = options as { author?: string; change?: string[]; message?: string; pause?: boolean }
  const { Id } = await ctx.client().containerCommit(container, { reference, author, comment: message, pause: pause !== false, changes: change })
  ctx.io.stdout.write(`${Id}\n`)
}

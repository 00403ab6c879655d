import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'

/** `berth rename OLD NEW`. */
export const renameCommand: CommandHandler = async (ctx, args) => {
  const [oldName = '', newName = ''] = args.map((a) => a.trim())
  if (oldName === '' || newName === '') throw new CliError('Error: Neither old nor new names may be empty', 1)
  await ctx.client().containerRename(oldName, newName)
}

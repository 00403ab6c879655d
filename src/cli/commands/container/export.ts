import { createWriteStream } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'

/** `berth export [-o FILE] CONTAINER`: the rootfs as a tar. */
export const exportCommand: CommandHandler = async (ctx, [container = ''], options) => {
  const { output } = options as { output?: string }
  if (!output && ctx.io.stdout.isTTY) throw new CliError('cowardly refusing to save to a terminal. Use the -o flag or redirect', 1)
  const content = await ctx.client().containerExport(container)
  await pipeline(content, output ? createWriteStream(output) : ctx.io.stdout)
}

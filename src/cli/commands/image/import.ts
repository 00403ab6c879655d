import { createReadStream, statSync } from 'node:fs'
import type { Readable } from 'node:stream'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { displayJsonMessages } from '../../render/json-messages.js'
import { parseNormalizedNamed } from '../../../format/index.js'

/** `berth import file|URL|- [REPOSITORY[:TAG]]`: prints the new image id. */
export const importCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { change?: string[]; message?: string; platform?: string }
  const [source = '', ref] = args
  if (ref !== undefined && ref !== '') {
    try {
      parseNormalizedNamed(ref)
    } catch (err) {
      throw new CliError((err as Error).message, 1)
    }
  }
  let body: Readable | { url: string }
  if (source === '-') body = ctx.io.stdin
  else if (/^https?:\/\//.test(source)) body = { url: source }
  else {
    try {
      statSync(source)
    } catch {
      throw new CliError(`open ${source}: no such file or directory`, 1)
    }
    body = createReadStream(source)
  }
  const messages = await ctx.client().imageImport(body, {
    repo: ref,
    message: flags.message,
    changes: flags.change,
    platform: flags.platform,
  })
  await displayJsonMessages(messages, ctx.io.stdout, ctx.io.stdout.isTTY === true)
}

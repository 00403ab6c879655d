import { Writable } from 'node:stream'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { displayJsonMessages } from '../../render/json-messages.js'
import { parseNormalizedNamed } from '../../../format/index.js'
import { registryAuthForImage } from './docker-config.js'

/** `berth pull NAME[:TAG|@DIGEST]`: Docker's progress (bars on a terminal), then the reference. */
export const pullCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { allTags?: boolean; platform?: string; quiet?: boolean }
  const ref = args[0] ?? ''
  let parsed
  try {
    parsed = parseNormalizedNamed(ref)
  } catch (err) {
    throw new CliError((err as Error).message, 1)
  }
  if (flags.allTags) throw new CliError('berth pull: --all-tags is not supported', 1)
  const messages = await ctx.client().imagePull(ref, { platform: flags.platform, registryAuth: registryAuthForImage(ctx.io.env, ref) })
  const out = flags.quiet ? new Writable({ write: (_c, _e, cb) => cb() }) : ctx.io.stdout
  await displayJsonMessages(messages, out, !flags.quiet && ctx.io.stdout.isTTY === true)
  const full = parsed.digest ? `${parsed.name}${parsed.tag ? `:${parsed.tag}` : ''}@${parsed.digest}` : `${parsed.name}:${parsed.tag ?? 'latest'}`
  ctx.io.stdout.write(`${full}\n`)
}

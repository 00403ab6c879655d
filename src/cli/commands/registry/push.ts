import { Writable } from 'node:stream'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { displayJsonMessages } from '../../render/json-messages.js'
import { familiarName, parseNormalizedNamed } from '../../../format/index.js'
import { registryAuthForImage } from './docker-config.js'

/** `berth push NAME[:TAG]`: one tag, or every tag with --all-tags (docker's rule for a bare name). */
export const pushCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { allTags?: boolean; quiet?: boolean }
  const ref = args[0] ?? ''
  let parsed
  try {
    parsed = parseNormalizedNamed(ref)
  } catch (err) {
    throw new CliError((err as Error).message, 1)
  }
  if (parsed.digest) throw new CliError(`invalid reference format: digests are not allowed when pushing`, 1)
  if (flags.allTags && parsed.tag) throw new CliError(`tag can't be used with --all-tags/-a`, 1)
  const tag = flags.allTags ? undefined : parsed.tag ?? 'latest'
  if (!flags.allTags && !parsed.tag) ctx.io.stdout.write(`Using default tag: latest\n`)
  const name = familiarName(parsed.name)
  const messages = await ctx.client().imagePush(name, { tag, registryAuth: registryAuthForImage(ctx.io.env, ref) })
  const out = flags.quiet ? new Writable({ write: (_c, _e, cb) => cb() }) : ctx.io.stdout
  await displayJsonMessages(messages, out, !flags.quiet && ctx.io.stdout.isTTY === true)
  if (flags.quiet) ctx.io.stdout.write(`${ref}\n`)
}

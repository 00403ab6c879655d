import { createReadStream, createWriteStream, renameSync, rmSync, statSync } from 'node:fs'
import { pipeline } from 'node:stream/promises'
import { Writable } from 'node:stream'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { displayJsonMessages } from '../../render/json-messages.js'

/** `berth save [-o FILE] IMAGE...`: the archive to a file (written whole, then renamed) or stdout. */
export const saveCommand: CommandHandler = async (ctx, args, options) => {
  const { output } = options as { output?: string }
  if (!output && ctx.io.stdout.isTTY) throw new CliError('Cowardly refusing to save to a terminal. Use the -o flag or redirect', 1)
  const archive = await ctx.client().imageSave(args)
  if (!output) {
    await pipeline(archive, ctx.io.stdout, { end: false })
    return
  }
  const tmp = `${output}.berth-tmp-${process.pid}`
  try {
    await pipeline(archive, createWriteStream(tmp))
    renameSync(tmp, output)
  } catch (err) {
    rmSync(tmp, { force: true })
    throw new CliError(`failed to save image: ${(err as Error).message}`, 1)
  }
}

/** `berth load [-i FILE] [-q]`: prints "Loaded image: ..." lines. */
export const loadCommand: CommandHandler = async (ctx, _args, options) => {
  const { input, quiet } = options as { input?: string; quiet?: boolean }
  let source
  if (input) {
    try {
      statSync(input)
    } catch {
      throw new CliError(`open ${input}: no such file or directory`, 1)
    }
    source = createReadStream(input)
  } else {
    if (ctx.io.stdin.isTTY) throw new CliError('requested load from stdin, but stdin is empty', 1)
    source = ctx.io.stdin
  }
  const messages = await ctx.client().imageLoad(source, { quiet: quiet ?? false })
  const out = ctx.io.stdout
  await displayJsonMessages(messages, quiet ? new Writable({ write: (c, _e, cb) => (out.write(c), cb()) }) : out, false)
}

import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { forEachTarget } from '../shared/targets.js'

/** `berth restart [-t N] [-s SIG]`: prints each container restarted. */
export const restartCommand: CommandHandler = async (ctx, args, options) => {
  const { signal, timeout, time } = options as { signal?: string; timeout?: number; time?: number }
  if (timeout !== undefined && time !== undefined) throw new CliError('conflicting options: --time and --timeout', 1)
  const client = ctx.client()
  await forEachTarget(ctx, args, async (name) => {
    await client.containerRestart(name, { timeoutSeconds: timeout ?? time, signal })
    return name
  })
}

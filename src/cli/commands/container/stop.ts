import { isEngineError } from '../../../common/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { forEachTarget } from '../shared/targets.js'

/** `berth stop [-t N] [-s SIG]`: prints each container stopped (or already stopped). */
export const stopCommand: CommandHandler = async (ctx, args, options) => {
  const { signal, timeout, time } = options as { signal?: string; timeout?: number; time?: number }
  if (timeout !== undefined && time !== undefined) throw new CliError('conflicting options: --time and --timeout', 1)
  const client = ctx.client()
  await forEachTarget(ctx, args, async (name) => {
    try {
      await client.containerStop(name, { timeoutSeconds: timeout ?? time, signal })
    } catch (err) {
      if (!isEngineError(err, 'NotModified')) throw err
    }
    return name
  })
}

import type { CommandHandler } from '../../command-spec.js'
import { forEachTarget } from '../shared/targets.js'

/** `berth kill [-s SIG]`: prints each container signalled. */
export const killCommand: CommandHandler = async (ctx, args, options) => {
  const { signal } = options as { signal?: string }
  const client = ctx.client()
  await forEachTarget(ctx, args, async (name) => {
    await client.containerKill(name, signal)
    return name
  })
}

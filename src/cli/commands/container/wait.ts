import type { CommandHandler } from '../../command-spec.js'
import { forEachTarget } from '../shared/targets.js'

/** `berth wait`: blocks until each container stops and prints its exit code. */
export const waitCommand: CommandHandler = async (ctx, args) => {
  const client = ctx.client()
  await forEachTarget(ctx, args, async (name) => {
    const handle = await client.containerWait(name)
    const result = await handle.result
    if (result.Error?.Message) throw new Error(result.Error.Message)
    return String(result.StatusCode)
  })
}

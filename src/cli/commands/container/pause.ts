import type { CommandHandler } from '../../command-spec.js'
import { forEachTarget } from '../shared/targets.js'

/** `berth pause CONTAINER...`: prints each container paused. */
export const pauseCommand: CommandHandler = async (ctx, args) => {
  const client = ctx.client()
  await forEachTarget(ctx, args, async (name) => {
    await client.containerPause(name)
    return name
  })
}

/** `berth unpause CONTAINER...`: prints each container unpaused. */
export const unpauseCommand: CommandHandler = async (ctx, args) => {
  const client = ctx.client()
  await forEachTarget(ctx, args, async (name) => {
    await client.containerUnpause(name)
    return name
  })
}

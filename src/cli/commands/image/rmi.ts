import type { CommandHandler } from '../../command-spec.js'
import { forEachTarget } from '../shared/targets.js'

/** `berth rmi [-f] [--no-prune]`: prints what was untagged and deleted. */
export const rmiCommand: CommandHandler = async (ctx, args, options) => {
  const { force, prune } = options as { force?: boolean; prune?: boolean }
  const client = ctx.client()
  await forEachTarget(ctx, args, async (name) => {
    const items = await client.imageRemove(name, { force, noPrune: prune === false })
    for (const item of items) {
      ctx.io.stdout.write('Deleted' in item ? `Deleted: ${item.Deleted}\n` : `Untagged: ${item.Untagged}\n`)
    }
  })
}

import { isEngineError } from '../../../common/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { forEachTarget } from '../shared/targets.js'

/** `berth rm [-f] [-v]`: prints each container removed; -f ignores missing ones, like docker. */
export const rmCommand: CommandHandler = async (ctx, args, options) => {
  const { force, volumes, link } = options as { force?: boolean; volumes?: boolean; link?: boolean }
  if (link) throw new CliError('--link is not supported by berth', 1)
  const client = ctx.client()
  await forEachTarget(ctx, args, async (name) => {
    const target = name.replace(/^\//, '')
    try {
      await client.containerRemove(target, { force, volumes })
    } catch (err) {
      if (force && isEngineError(err, 'NotFound')) return undefined
      throw err
    }
    return name
  })
}

import { isEngineError } from '../../../common/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { CliError, describeError, runFailureStatus } from '../../render/errors.js'
import { forEachTarget } from '../shared/targets.js'
import { StartFailure, runAttached } from './attach-session.js'

/** `berth start`: starts each container; with -a, attaches to one and exits with its status. */
export const startCommand: CommandHandler = async (ctx, args, options) => {
  const { attach, interactive, detachKeys } = options as { attach?: boolean; interactive?: boolean; detachKeys?: string }
  const client = ctx.client()
  if (!attach && !interactive) {
    await forEachTarget(ctx, args, async (name) => {
      try {
        await client.containerStart(name)
      } catch (err) {
        // Starting a running container is not an error for docker's CLI.
        if (!isEngineError(err, 'NotModified')) throw err
      }
      return name
    })
    return 0
  }
  if (args.length > 1) throw new CliError('you cannot start and attach multiple containers at once', 1)
  const { value: container } = await client.containerInspect(args[0]!)
  const tty = !!container.Config.Tty
  try {
    return await runAttached(ctx, {
      containerId: container.Id,
      tty,
      stdin: !!interactive && !!container.Config.OpenStdin,
      stdout: true,
      stderr: true,
      autoRemove: !!container.HostConfig.AutoRemove,
      sigProxy: !tty,
      detachKeys,
      start: async () => {
        try {
          await client.containerStart(container.Id)
        } catch (err) {
          if (!isEngineError(err, 'NotModified')) throw err
        }
      },
    })
  } catch (err) {
    const cause = err instanceof StartFailure ? err.cause : err
    throw new CliError(describeError(cause), err instanceof StartFailure ? runFailureStatus(cause) : 1)
  }
}

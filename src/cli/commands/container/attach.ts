import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { runAttached } from './attach-session.js'

/** `berth attach`: stream a running container's stdio until it exits (its status) or detaches. */
export const attachCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { detachKeys?: string; noStdin?: boolean; sigProxy?: boolean }
  const client = ctx.client()
  const { value: container } = await client.containerInspect(args[0]!)
  if (!container.State.Running) throw new CliError('You cannot attach to a stopped container, start it first', 1)
  if (container.State.Paused) throw new CliError('You cannot attach to a paused container, unpause it first', 1)
  if (container.State.Restarting) throw new CliError('You cannot attach to a restarting container, wait until it is running', 1)
  const tty = !!container.Config.Tty
  const stdin = !flags.noStdin && !!container.Config.OpenStdin
  if (stdin && tty && ctx.io.stdin.isTTY !== true) throw new CliError('the input device is not a TTY', 1)
  return runAttached(ctx, {
    containerId: container.Id,
    tty,
    stdin,
    stdout: true,
    stderr: true,
    autoRemove: false,
    sigProxy: flags.sigProxy !== false && !tty,
    detachKeys: flags.detachKeys,
    onDetach: 'error',
    waitCondition: 'not-running',
    start: async () => {},
  })
}

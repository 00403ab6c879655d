import type { CommandHandler } from '../../command-spec.js'
import { CliError, withHelp } from '../../render/errors.js'
import { buildCreateRequest, type CreateFlags } from './container-config.js'
import { configSources, createContainer, validatePull } from './create-container.js'

interface CreateCommandFlags extends CreateFlags {
  name?: string
  platform?: string
  pull?: string
  quiet?: boolean
}

/** `berth create`: prints the new container's id. */
export const createCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as CreateCommandFlags
  const [image = '', ...command] = args
  let request
  try {
    validatePull(flags.pull)
    request = buildCreateRequest(image, command, flags, configSources(ctx))
  } catch (err) {
    throw new CliError(withHelp(err, ctx.commandPath), 125)
  }
  if (request.Tty && ctx.io.stdout.isTTY && ctx.io.stdout.rows && ctx.io.stdout.columns) {
    request.HostConfig = { ...request.HostConfig, ConsoleSize: [ctx.io.stdout.rows, ctx.io.stdout.columns] }
  }
  const containerId = await createContainer(ctx, request, flags)
  ctx.io.stdout.write(`${containerId}\n`)
}

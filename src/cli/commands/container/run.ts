import type { CommandHandler } from '../../command-spec.js'
import { CliError, describeError, runFailureStatus, withHelp } from '../../render/errors.js'
import { StartFailure, runAttached } from './attach-session.js'
import { buildCreateRequest, type CreateFlags } from './container-config.js'
import { configSources, createContainer, validatePull } from './create-container.js'

interface RunFlags extends CreateFlags {
  detach?: boolean
  detachKeys?: string
  sigProxy?: boolean
  name?: string
  platform?: string
  pull?: string
  quiet?: boolean
}

/** `berth run`: create, then attach + wait + start (or start and print the id with -d). */
export const runCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as RunFlags
  const [image = '', ...command] = args
  let request
  try {
    validatePull(flags.pull)
    if (flags.detach && (flags.attach?.length ?? 0) > 0) throw new Error('Conflicting options: -a and -d')
    request = buildCreateRequest(image, command, flags, configSources(ctx))
  } catch (err) {
    throw new CliError(withHelp(err, ctx.commandPath), 125)
  }
  if (flags.detach) {
    request.AttachStdin = false
    request.AttachStdout = false
    request.AttachStderr = false
    request.StdinOnce = false
  } else if (request.AttachStdin && request.Tty && ctx.io.stdin.isTTY !== true) {
    throw new CliError('the input device is not a TTY', 1)
  }
  if (request.Tty && ctx.io.stdout.isTTY && ctx.io.stdout.rows && ctx.io.stdout.columns) {
    request.HostConfig = { ...request.HostConfig, ConsoleSize: [ctx.io.stdout.rows, ctx.io.stdout.columns] }
  }

  let containerId: string
  try {
    containerId = await createContainer(ctx, request, flags)
  } catch (err) {
    throw new CliError(withHelp(err, ctx.commandPath), runFailureStatus(err))
  }
  const client = ctx.client()

  if (flags.detach) {
    ctx.io.stdout.write(`${containerId}\n`)
    try {
      await client.containerStart(containerId)
    } catch (err) {
      throw new CliError(withHelp(err, ctx.commandPath), runFailureStatus(err))
    }
    return 0
  }

  try {
    return await runAttached(ctx, {
      containerId,
      tty: !!request.Tty,
      stdin: !!request.AttachStdin,
      stdout: !!request.AttachStdout,
      stderr: !!request.AttachStderr,
      autoRemove: !!flags.rm,
      sigProxy: flags.sigProxy !== false,
      detachKeys: flags.detachKeys,
      start: () => client.containerStart(containerId),
    })
  } catch (err) {
    const cause = err instanceof StartFailure ? err.cause : err
    if (err instanceof StartFailure) throw new CliError(withHelp(cause, ctx.commandPath), runFailureStatus(cause))
    throw new CliError(describeError(cause), 1)
  }
}

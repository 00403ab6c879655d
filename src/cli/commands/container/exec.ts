import type { ExecCreateRequest } from '../../../client/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { CliError, describeError } from '../../render/errors.js'
import { DETACHED_MESSAGE, forwardStdin, monitorTtySize } from './attach-session.js'
import { expandEnv, type ConfigSources } from './container-config.js'
import { configSources } from './create-container.js'
import { parseEnvFile } from './env-file.js'
import { copyRaw, demultiplex } from '../../../client/index.js'

interface ExecFlags {
  detach?: boolean
  detachKeys?: string
  env?: string[]
  envFile?: string[]
  interactive?: boolean
  privileged?: boolean
  tty?: boolean
  user?: string
  workdir?: string
}

/** Pure: docker's parseExec. Without -d every output stream is attached, stdin with -i. */
export function execCreateRequest(command: string[], flags: ExecFlags, sources: ConfigSources): ExecCreateRequest {
  const env = [
    ...(flags.envFile ?? []).flatMap((file) => parseEnvFile(sources.readFile(file), sources.env)),
    ...(flags.env ?? []).map((entry) => expandEnv(entry, sources.env)),
  ]
  const request: ExecCreateRequest = {
    User: flags.user ?? '',
    Privileged: flags.privileged === true,
    Tty: flags.tty === true,
    Cmd: command,
    WorkingDir: flags.workdir ?? '',
    Env: env.length > 0 ? env : null,
  }
  if (flags.detachKeys) request.DetachKeys = flags.detachKeys
  if (!flags.detach) {
    request.AttachStdout = true
    request.AttachStderr = true
    if (flags.interactive) request.AttachStdin = true
  }
  return request
}

/**
 * `berth exec`: create the exec, then start it detached or attached; the exit status is the
 * process's (docker's StatusError), 126/127 when it could not be started.
 */
export const execCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as ExecFlags
  const [container = '', ...command] = args
  const client = ctx.client()
  const { io } = ctx
  let request: ExecCreateRequest
  try {
    request = execCreateRequest(command, flags, configSources(ctx))
  } catch (err) {
    throw new CliError(describeError(err), 1)
  }
  // As docker: "no such container" comes before the TTY check, which comes before creating anything.
  // When there is no TTY check to make, the exec is created alongside the inspect (one round trip
  // less): for a container that does not exist both fail, and the inspect's error is the one shown.
  if (request.Tty && io.stdout.isTTY && io.stdout.rows && io.stdout.columns) request.ConsoleSize = [io.stdout.rows, io.stdout.columns]
  let created: ReturnType<typeof client.execCreate> | undefined
  if (!flags.detach && request.AttachStdin && request.Tty) {
    await client.containerInspect(container)
    if (io.stdin.isTTY !== true) throw new CliError('the input device is not a TTY', 1)
  } else {
    created = client.execCreate(container, request)
    created.catch(() => {}) // awaited below, unless the inspect fails first
    await client.containerInspect(container)
  }
  const { Id: execId } = await (created ?? client.execCreate(container, request))
  const consoleSize = request.ConsoleSize ?? undefined
  if (flags.detach) {
    await client.execStart(execId, { detach: true, tty: request.Tty, consoleSize })
    return 0
  }

  const conn = await client.execStart(execId, { detach: false, tty: request.Tty, consoleSize })
  conn.stream.on('error', () => {})
  const cleanups: (() => void)[] = []
  let detached = false
  if (request.Tty && io.stdout.isTTY) cleanups.push(monitorTtySize(ctx, (size) => client.execResize(execId, size)).stop)
  if (request.AttachStdin) {
    cleanups.push(forwardStdin(ctx, conn, request.Tty === true, {
      keys: flags.detachKeys,
      onDetach: () => {
        detached = true
        conn.close()
      },
    }))
  }
  try {
    if (conn.multiplexed ?? !request.Tty) await demultiplex(conn.stream, io.stdout, io.stderr)
    else await copyRaw(conn.stream, io.stdout)
  } catch (err) {
    if (ctx.debug && !detached) io.stderr.write(`Error hijack: ${(err as Error).message}\n`)
  } finally {
    for (const cleanup of cleanups) cleanup()
    conn.close()
  }
  if (detached) throw new CliError(DETACHED_MESSAGE, 1)
  const inspect = await client.execInspect(execId)
  return inspect.ExitCode ?? 0
}

import { EngineError } from '../../../common/index.js'
import { LogPrinter, projectLogs, type LogConsumer } from '../../../compose/ops/index.js'
import type { CommandHandler } from '../../command-spec.js'
import type { CliContext } from '../../context.js'
import { toDaemonTimestamp } from '../../../format/index.js'
import type { ComposeGlobalOptions } from './project-options.js'
import { projectOrName } from './ops-project.js'

interface LogsFlags {
  follow?: boolean
  since?: string
  until?: string
  /** false with --no-color. */
  color?: boolean
  /** false with --no-log-prefix. */
  logPrefix?: boolean
  timestamps?: boolean
  tail?: string
}

/**
 * Whether Compose colours output: --ansi always/never, else (auto) when stdout is a terminal;
 * --no-color and NO_COLOR turn it off.
 */
export function useColor(ctx: CliContext, options: Record<string, unknown>, noColorFlag: boolean): boolean {
  if (noColorFlag || ctx.io.env.NO_COLOR) return false
  const ansi = (options as ComposeGlobalOptions).ansi ?? 'auto'
  if (ansi === 'never') return false
  if (ansi === 'always') return true
  return ctx.io.stdout.isTTY === true
}

/** A LogConsumer printing Compose's prefixed lines to stdout. */
export function stdoutConsumer(ctx: CliContext, printer: LogPrinter): LogConsumer {
  return {
    register: (name) => printer.register(name),
    log: (name, line) => void ctx.io.stdout.write(printer.line(name, line)),
    status: (name, message) => void ctx.io.stdout.write(printer.status(name, message)),
  }
}

/** `compose logs [SERVICE...]`: every container's lines prefixed "web-1  | ", interleaved as they come. */
export const composeLogsCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as LogsFlags
  const { name, project } = await projectOrName(ctx, options)
  let services = args
  if (project) {
    const known = Object.keys(project.services)
    for (const s of args) if (!known.includes(s)) throw new EngineError('NotFound', 'COMPOSE_NO_SUCH_SERVICE', `no such service: ${s}`)
    // With a compose file, only the services it declares (Compose's behaviour).
    if (args.length === 0) services = known
  }
  const printer = new LogPrinter({ color: useColor(ctx, options, flags.color === false), prefix: flags.logPrefix !== false })
  const now = Date.now()
  const controller = new AbortController()
  const stop = (): void => controller.abort()
  process.once('SIGINT', stop)
  try {
    await projectLogs(ctx.client(), name, stdoutConsumer(ctx, printer), {
      services,
      follow: flags.follow,
      tail: flags.tail ?? 'all',
      since: flags.since ? toDaemonTimestamp(flags.since, now) : undefined,
      until: flags.until ? toDaemonTimestamp(flags.until, now) : undefined,
      timestamps: flags.timestamps,
      signal: controller.signal,
    })
  } finally {
    process.off('SIGINT', stop)
  }
}

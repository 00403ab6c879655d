import { copyRaw, demultiplex } from '../../../client/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { toDaemonTimestamp } from '../../../format/index.js'

interface LogsFlags {
  follow?: boolean
  since?: string
  until?: string
  tail?: string
  timestamps?: boolean
  details?: boolean
}

/** `berth logs`: the container's output, demultiplexed unless it has a TTY. */
export const logsCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as LogsFlags
  const client = ctx.client()
  const name = args[0]!
  const { value: container } = await client.containerInspect(name)
  const now = Date.now()
  const logs = await client.containerLogs(name, {
    stdout: true,
    stderr: true,
    follow: flags.follow,
    timestamps: flags.timestamps,
    details: flags.details,
    tail: flags.tail,
    since: flags.since ? toDaemonTimestamp(flags.since, now) : undefined,
    until: flags.until ? toDaemonTimestamp(flags.until, now) : undefined,
  })
  const multiplexed = logs.multiplexed ?? !container.Config.Tty
  if (multiplexed) await demultiplex(logs.stream, ctx.io.stdout, ctx.io.stderr)
  else await copyRaw(logs.stream, ctx.io.stdout)
}

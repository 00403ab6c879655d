import type { CommandHandler } from '../../command-spec.js'
import { renderRows } from '../../../format/index.js'
import { CliError, describeError } from '../../render/errors.js'
import { DEFAULT_STATS_TABLE, STATS_HEADERS, statsContext, statsEntry, type StatsEntry } from '../../render/stats-context.js'

interface StatsFlags {
  all?: boolean
  format?: string
  stream?: boolean
  trunc?: boolean
}

/**
 * `berth stats`: docker's live table (redrawn every second) or, with --no-stream, one sample per
 * container. Without arguments, every running container (-a: all).
 */
export const statsCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as StatsFlags
  const client = ctx.client()
  const format = flags.format || 'table'
  const trunc = flags.trunc !== false
  let targets = args
  if (targets.length === 0) {
    const list = await client.containerList({ all: flags.all })
    targets = list.map((c) => c.Id)
  }
  const render = (entries: StatsEntry[]): string =>
    renderRows({ format, defaultTable: DEFAULT_STATS_TABLE, headers: STATS_HEADERS, rows: entries.map((e) => statsContext(e, trunc)) })

  if (flags.stream === false) {
    const entries: StatsEntry[] = []
    const errors: string[] = []
    await Promise.all(targets.map(async (target, i) => {
      try {
        for await (const s of await client.containerStats(target, { stream: false })) entries[i] = statsEntry(target, s)
      } catch (err) {
        errors[i] = describeError(err)
      }
    }))
    ctx.io.stdout.write(render(entries.filter(Boolean)))
    const failed = errors.filter(Boolean)
    if (failed.length > 0) throw new CliError(failed.join('\n'), 1)
    return
  }

  const latest = new Map<string, StatsEntry>()
  const controller = new AbortController()
  const streams = targets.map(async (target) => {
    try {
      for await (const s of await client.containerStats(target, { stream: true, signal: controller.signal })) latest.set(target, statsEntry(target, s))
    } catch {
      // the container went away: its row stays at the last sample
    }
  })
  const stop = (): void => controller.abort()
  process.once('SIGINT', stop)
  const timer = setInterval(() => {
    // Clear the screen and move home, as docker's stats does between frames.
    ctx.io.stdout.write('\x1b[2J\x1b[H' + render(targets.map((t) => latest.get(t)).filter((e): e is StatsEntry => e !== undefined)))
  }, 1000)
  try {
    await Promise.all(streams)
  } finally {
    clearInterval(timer)
    process.off('SIGINT', stop)
  }
}

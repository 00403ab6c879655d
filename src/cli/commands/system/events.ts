import type { EventMessage } from '../../../client/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { renderTemplate, goJson, rfc3339NanoFixed, toDaemonTimestamp } from '../../../format/index.js'
import { parseFilters } from '../shared/filters.js'

/** `berth events`: streams daemon events until --until or Ctrl-C. */
export const eventsCommand: CommandHandler = async (ctx, _args, options) => {
  const flags = options as { filter?: string[]; format?: string; since?: string; until?: string }
  const now = Date.now()
  let since: string | undefined
  let until: string | undefined
  try {
    since = flags.since ? toDaemonTimestamp(flags.since, now) : undefined
    until = flags.until ? toDaemonTimestamp(flags.until, now) : undefined
  } catch (err) {
    throw new CliError((err as Error).message, 1)
  }
  const controller = new AbortController()
  const stop = (): void => controller.abort()
  process.once('SIGINT', stop)
  try {
    const events = await ctx.client().events({ since, until, filters: parseFilters(flags.filter ?? []), signal: controller.signal })
    for await (const event of events) ctx.io.stdout.write(formatEvent(event, flags.format ?? ''))
  } catch (err) {
    if (!controller.signal.aborted) throw err
  } finally {
    process.off('SIGINT', stop)
  }
}

/** docker's prettyPrintEvent, or the --format template (json: one object per line). */
export function formatEvent(event: EventMessage, format: string): string {
  if (format === 'json') return `${goJson(event)}\n`
  if (format !== '') return `${renderTemplate(format, event)}\n`
  let line = ''
  if (event.timeNano) line += `${rfc3339NanoFixed(BigInt(event.timeNano))} `
  else if (event.time) line += `${rfc3339NanoFixed(BigInt(event.time) * 1_000_000_000n)} `
  line += `${event.Type} ${event.Action} ${event.Actor?.ID ?? ''}`
  const attributes = event.Actor?.Attributes ?? {}
  const keys = Object.keys(attributes).sort()
  if (keys.length > 0) line += ` (${keys.map((k) => `${k}=${attributes[k]}`).join(', ')})`
  return `${line}\n`
}

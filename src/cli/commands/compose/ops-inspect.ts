import {
  canonicalName, projectEvents, projectImages, projectTop, specifiedContainer,
  type ContainerImage, type ContainerProcesses, type ProjectEvent,
} from '../../../compose/ops/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { formatColumns, goJson, toDaemonTimestamp, humanSize, truncateId } from '../../../format/index.js'
import { printList } from './ops-ps.js'
import { projectName, projectOrName } from './ops-project.js'

/**
 * Compose's top: per container its name, then its processes through tabwriter(5, 1, 3), each
 * process row tab-terminated (so the last column is padded too) and a blank line after.
 */
export function renderTop(containers: ContainerProcesses[]): string {
  return containers.map((c) => {
    const body = `${c.titles.join('\t')}\n${c.processes.map((p) => p.map((v) => `${v}\t`).join('') + '\n').join('')}\n`
    return `${c.name}\n${formatColumns(body, { minWidth: 5, padding: 3 })}`
  }).join('')
}

/** `compose top [SERVICE...]`. */
export const composeTopCommand: CommandHandler = async (ctx, args, options) => {
  const name = await projectName(ctx, options)
  ctx.io.stdout.write(renderTop(await projectTop(ctx.client(), name, args)))
}

/** Go's strconv.ParseUint(s, 10, 16), with its error text. */
function parsePort(text: string): number {
  if (!/^\d+$/.test(text)) throw new CliError(`strconv.ParseUint: parsing "${text}": invalid syntax`, 1)
  const port = Number(text)
  if (port > 65535) throw new CliError(`strconv.ParseUint: parsing "${text}": value out of range`, 1)
  return port
}

/** `compose port SERVICE PRIVATE_PORT`: the public "ip:port" of a service container's port. */
export const composePortCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { protocol?: string; index?: number }
  const [service = '', privateText = ''] = args
  const port = parsePort(privateText)
  const protocol = (flags.protocol ?? 'tcp').toLowerCase()
  const name = await projectName(ctx, options)
  const c = await specifiedContainer(ctx.client(), name, service, { index: flags.index ?? 0, oneOff: 'include' })
  const found = (c.Ports ?? []).find((p) => p.PrivatePort === port && p.Type === protocol)
  if (!found) {
    const ports = (c.Ports ?? []).map((p) => `${p.PublicPort ?? 0}/${p.Type}`).join(', ')
    throw new CliError(`no port ${port}/${protocol} for container ${canonicalName(c)}: ${ports}`, 1)
  }
  ctx.io.stdout.write(`${found.IP ?? ''}:${found.PublicPort ?? 0}\n`)
}

/** Compose's images table rows (sorted by container name by projectImages). */
export function imageRows(images: ContainerImage[]): string[][] {
  return images.map((i) => [i.containerName, i.repository || '<none>', i.tag || '<none>', truncateId(i.id), humanSize(i.size)])
}

/** `compose images [SERVICE...]`: CONTAINER REPOSITORY TAG IMAGE ID SIZE. */
export const composeImagesCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { format?: string; quiet?: boolean }
  const name = await projectName(ctx, options)
  const images = await projectImages(ctx.client(), name, args)
  if (flags.quiet) {
    const ids: string[] = []
    for (const i of images) {
      const id = i.id.includes(':') ? i.id.slice(i.id.indexOf(':') + 1) : i.id
      if (!ids.includes(id)) ids.push(id)
    }
    ctx.io.stdout.write(ids.map((id) => `${id}\n`).join(''))
    return
  }
  const json = images.map((i) => ({ ID: i.id, ContainerName: i.containerName, Repository: i.repository, Tag: i.tag, Size: i.size }))
  ctx.io.stdout.write(printList(imageRows(images), ['CONTAINER', 'REPOSITORY', 'TAG', 'IMAGE ID', 'SIZE'], json, flags.format ?? 'table'))
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** Go's "2006-01-02 15:04:05.000000" in local time. */
function eventTime(nanos: bigint): string {
  const date = new Date(Number(nanos / 1_000_000n))
  const micros = pad(Number((nanos % 1_000_000_000n) / 1000n), 6)
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${micros}`
}

/** Go's time.Time JSON (RFC 3339 with nanoseconds, trailing zeros trimmed) in local time. */
function eventTimeJson(nanos: bigint): string {
  const date = new Date(Number(nanos / 1_000_000n))
  const frac = String(nanos % 1_000_000_000n).padStart(9, '0').replace(/0+$/, '')
  const minutes = -date.getTimezoneOffset()
  const zone = minutes === 0 ? 'Z' : `${minutes > 0 ? '+' : '-'}${pad(Math.trunc(Math.abs(minutes) / 60))}:${pad(Math.abs(minutes) % 60)}`
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}${frac ? `.${frac}` : ''}${zone}`
}

/**
 * One event as `compose events` prints it: Compose's Event.String() ("<time> container <action>
 * <id> (k=v, ...)" and its own newline, then Println's), or with --json a JSON object per line.
 */
export function formatEvent(event: ProjectEvent, json: boolean): string {
  const keys = Object.keys(event.attributes).sort()
  if (json) {
    const attributes = Object.fromEntries(keys.map((k) => [k, event.attributes[k]]))
    return `${goJson({ action: event.action, attributes, id: event.container, service: event.service, time: eventTimeJson(event.timeNano), type: 'container' })}\n`
  }
  const attrs = keys.map((k) => `${k}=${event.attributes[k]}`).join(', ')
  return `${eventTime(event.timeNano)} container ${event.action} ${event.container} (${attrs})\n\n`
}

/** `compose events [SERVICE...]`: the project's container events until interrupted (or --until). */
export const composeEventsCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { json?: boolean; since?: string; until?: string }
  const { name } = await projectOrName(ctx, options)
  const now = Date.now()
  const controller = new AbortController()
  const stop = (): void => controller.abort()
  process.once('SIGINT', stop)
  try {
    for await (const event of projectEvents(ctx.client(), name, {
      services: args, signal: controller.signal,
      since: flags.since ? toDaemonTimestamp(flags.since, now) : undefined,
      until: flags.until ? toDaemonTimestamp(flags.until, now) : undefined,
    })) {
      ctx.io.stdout.write(formatEvent(event, flags.json === true))
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err
  } finally {
    process.off('SIGINT', stop)
  }
}

import { EngineError } from '../../../common/index.js'
import {
  filterByStatus, listStacks, matchesNameFilter, psContainers, servicesOf, type ServiceContainer, type Stack,
} from '../../../compose/ops/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { displayablePorts, renderRows, formatColumns, goJson, templateObject, type TemplateObject, goTimeString, ellipsis, goQuote, humanSize, timeAgo, truncateId } from '../../../format/index.js'
import { CliError } from '../../render/errors.js'
import { parseFilters } from '../shared/filters.js'
import { projectOrName } from './ops-project.js'

export const DEFAULT_COMPOSE_PS_TABLE = 'table {{.Name}}\t{{.Image}}\t{{.Command}}\t{{.Service}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}'

export const COMPOSE_PS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID', Name: 'NAME', Project: 'PROJECT', Service: 'SERVICE', Image: 'IMAGE', Command: 'COMMAND',
  CreatedAt: 'CREATED AT', RunningFor: 'CREATED', Ports: 'PORTS', State: 'STATE', Status: 'STATUS', Size: 'SIZE',
  Labels: 'LABELS', Health: 'HEALTH', ExitCode: 'EXIT CODE', Names: 'NAMES', Mounts: 'MOUNTS', Networks: 'NETWORKS',
  LocalVolumes: 'LOCAL VOLUMES', Publishers: 'PUBLISHERS',
}

/** Compose's formatter.ContainerContext for one `compose ps` row. */
export function composeContainerContext(c: ServiceContainer, trunc: boolean, nowMs: number = Date.now()): TemplateObject {
  const names = c.Names.map((n) => n.replace(/^\//, ''))
  const fields: Record<string, unknown> = {
    Command: goQuote(trunc ? ellipsis(c.Command, 20) : c.Command),
    CreatedAt: goTimeString(c.Created),
    ExitCode: c.ExitCode,
    Health: c.Health,
    ID: trunc ? truncateId(c.ID) : c.ID,
    Image: c.Image,
    Labels: Object.keys(c.Labels).sort().map((k) => `${k}=${c.Labels[k]}`).join(','),
    LocalVolumes: String(c.LocalVolumes),
    Mounts: c.Mounts.map((m) => (trunc ? ellipsis(m, 15) : m)).join(','),
    Name: c.Name,
    Names: trunc ? (names.find((n) => !n.includes('/')) ?? names.join(',')) : names.join(','),
    Networks: c.Networks.join(','),
    Ports: displayablePorts(c.Publishers.map((p) => ({ IP: p.URL, PrivatePort: p.TargetPort, PublicPort: p.PublishedPort, Type: p.Protocol }))),
    Project: c.Project,
    Publishers: c.Publishers,
    RunningFor: timeAgo(c.Created, nowMs),
    Service: c.Service,
    Size: (c.SizeRootFs ?? 0) > 0 ? `${humanSize(c.SizeRw ?? 0)} (virtual ${humanSize(c.SizeRootFs!)})` : humanSize(c.SizeRw ?? 0),
    State: c.State,
    Status: c.Status,
  }
  return templateObject('*formatter.ContainerContext', {
    ...fields,
    Label: (name: unknown) => c.Labels[String(name)] ?? '',
    toJSON: () => JSON.parse(goJson(fields)) as unknown,
  })
}

interface PsFlags {
  format?: string
  all?: boolean
  quiet?: boolean
  services?: boolean
  filter?: string
  status?: string[]
  trunc?: boolean
  orphans?: boolean
}

/** Compose's psOptions.parseFilter: only status=... (source is not implemented). */
export function statusesFromFilter(filter: string | undefined): string[] {
  if (!filter) return []
  const eq = filter.indexOf('=')
  if (eq < 0) throw new CliError('arguments to --filter should be in form KEY=VAL', 1)
  const key = filter.slice(0, eq)
  if (key === 'status') return [filter.slice(eq + 1)]
  if (key === 'source') throw new CliError('not implemented', 1)
  throw new CliError(`unknown filter ${key}`, 1)
}

/** `compose ps [SERVICE...]`: Compose's table sorted by name, -q ids, --services, --status. */
export const composePsCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as PsFlags
  const statuses = [...(flags.status ?? []), ...statusesFromFilter(flags.filter)]
  const { name, project } = await projectOrName(ctx, options)
  let services = args
  if (project) {
    const known = Object.keys(project.services)
    for (const s of args) if (!known.includes(s)) throw new EngineError('NotFound', 'COMPOSE_NO_SUCH_SERVICE', `no such service: ${s}`)
    if (args.length === 0 && flags.orphans === false) services = known
  }
  let rows = await psContainers(ctx.client(), name, { services, all: flags.all === true || statuses.length > 0 })
  if (statuses.length > 0) rows = filterByStatus(rows, statuses)
  rows.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0))
  if (flags.quiet) {
    ctx.io.stdout.write(rows.map((r) => `${r.ID}\n`).join(''))
    return
  }
  if (flags.services) {
    ctx.io.stdout.write(`${servicesOf(rows).join('\n')}\n`)
    return
  }
  const trunc = flags.trunc !== false
  const now = Date.now()
  ctx.io.stdout.write(renderRows({
    format: flags.format || 'table',
    defaultTable: DEFAULT_COMPOSE_PS_TABLE,
    headers: COMPOSE_PS_HEADERS,
    rows: rows.map((r) => composeContainerContext(r, trunc, now)),
  }))
}

/**
 * Compose's formatter.Print for lists: "table" through tabwriter(20, 1, 3) under the headers,
 * "json" as one JSON array line.
 */
export function printList(rows: string[][], headers: string[], json: unknown[], format: string): string {
  switch (format.toLowerCase()) {
    case 'table':
    case 'pretty':
    case '':
      return formatColumns([headers, ...rows].map((r) => `${r.join('\t')}\n`).join(''), { minWidth: 20, padding: 3 })
    case 'json':
      return `${goJson(json)}\n`
    default:
      throw new CliError(`format value "${format}" could not be parsed: parsing failed`, 1)
  }
}

/** `compose ls`: NAME STATUS CONFIG FILES per project. */
export const composeLsCommand: CommandHandler = async (ctx, _args, options) => {
  const flags = options as { format?: string; quiet?: boolean; all?: boolean; filter?: string[] }
  const filters = parseFilters(flags.filter ?? [])
  for (const key of Object.keys(filters)) if (key !== 'name') throw new CliError(`invalid filter '${key}'`, 1)
  const stacks: Stack[] = (await listStacks(ctx.client(), { all: flags.all })).filter((s) => matchesNameFilter(s.Name, filters.name ?? []))
  if (flags.quiet) {
    ctx.io.stdout.write(stacks.map((s) => `${s.Name}\n`).join(''))
    return
  }
  ctx.io.stdout.write(printList(
    stacks.map((s) => [s.Name, s.Status, s.ConfigFiles]),
    ['NAME', 'STATUS', 'CONFIG FILES'],
    stacks,
    flags.format ?? 'table',
  ))
}

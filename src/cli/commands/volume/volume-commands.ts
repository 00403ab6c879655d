import type { Volume } from '../../../client/index.js'
import type { CommandHandler } from '../../command-spec.js'
import type { CliIo } from '../../context.js'
import { CliError } from '../../render/errors.js'
import { renderRows, humanSizeLong } from '../../../format/index.js'
import { parseFilters } from '../shared/filters.js'
import { forEachTarget } from '../shared/targets.js'
import { DEFAULT_VOLUME_TABLE, VOLUME_HEADERS, volumeContext } from './volume-context.js'

function keyValues(values: string[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const value of values ?? []) {
    const eq = value.indexOf('=')
    if (eq < 0 && flag === 'opt') throw new CliError(`invalid argument "${value}" for "-o, --opt" flag: bad format for key-value pair`, 125)
    if (eq < 0) out[value] = ''
    else out[value.slice(0, eq)] = value.slice(eq + 1)
  }
  return out
}

/** `berth volume create [NAME]`: prints the volume's name. */
export const volumeCreateCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { driver?: string; label?: string[]; name?: string; opt?: string[] }
  if (args[0] && flags.name && args[0] !== flags.name) {
    throw new CliError(`conflicting options: cannot specify a volume-name through both --name and as a positional arg`, 1)
  }
  const volume = await ctx.client().volumeCreate({
    Name: args[0] ?? flags.name ?? '',
    Driver: flags.driver ?? 'local',
    DriverOpts: keyValues(flags.opt, 'opt'),
    Labels: keyValues(flags.label, 'label'),
  })
  ctx.io.stdout.write(`${volume.Name}\n`)
}

/** `berth volume ls`: docker's "DRIVER  VOLUME NAME" table, sorted by name. */
export const volumeLsCommand: CommandHandler = async (ctx, _args, options) => {
  const flags = options as { filter?: string[]; format?: string; quiet?: boolean }
  const { Volumes, Warnings } = await ctx.client().volumeList({ filters: parseFilters(flags.filter ?? []) })
  const volumes = [...Volumes].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0))
  let format = flags.format || 'table'
  if (flags.quiet && (format === 'table' || format === '')) format = '{{.Name}}'
  ctx.io.stdout.write(renderRows({ format, defaultTable: DEFAULT_VOLUME_TABLE, headers: VOLUME_HEADERS, rows: volumes.map((v: Volume) => volumeContext(v)) }))
  for (const warning of Warnings ?? []) ctx.io.stderr.write(`${warning}\n`)
}

/** `berth volume rm`: prints each name removed; errors together at the end, status 1. */
export const volumeRmCommand: CommandHandler = async (ctx, args, options) => {
  const { force } = options as { force?: boolean }
  const client = ctx.client()
  await forEachTarget(ctx, args, async (name) => {
    await client.volumeRemove(name, { force })
    return name
  })
}

/** Reads one line from stdin; true for "y"/"Y" (docker's prompt.Confirm). */
async function confirm(io: CliIo, message: string): Promise<boolean> {
  io.stdout.write(`${message} [y/N] `)
  let line = ''
  for await (const chunk of io.stdin) {
    line += String(chunk)
    if (line.includes('\n')) break
  }
  const answer = line.split('\n')[0]?.trim() ?? ''
  return answer === 'y' || answer === 'Y'
}

/** `berth volume prune [-a] [-f]`: anonymous unused volumes, or all unused with -a. */
export const volumePruneCommand: CommandHandler = async (ctx, _args, options) => {
  const flags = options as { all?: boolean; filter?: string[]; force?: boolean }
  const filters = parseFilters(flags.filter ?? [])
  if (flags.all) {
    if (filters['all']) throw new CliError('conflicting options: cannot specify both --all and --filter all=1', 1)
    filters['all'] = ['true']
  }
  const warning = filters['all']?.some((v) => ['1', 'true'].includes(v.toLowerCase()))
    ? 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?'
    : 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?'
  if (!flags.force && !(await confirm(ctx.io, warning))) return 0
  const report = await ctx.client().volumePrune({ filters })
  const deleted = report.VolumesDeleted ?? []
  if (deleted.length > 0) ctx.io.stdout.write(`Deleted Volumes:\n${deleted.map((n) => `${n}\n`).join('')}\n`)
  ctx.io.stdout.write(`Total reclaimed space: ${humanSizeLong(report.SpaceReclaimed ?? 0)}\n`)
}

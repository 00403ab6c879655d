import { isEngineError } from '../../../common/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { renderRows } from '../../../format/index.js'
import { CliError } from '../../render/errors.js'
import { parseFilters } from '../shared/filters.js'
import { forEachTarget } from '../shared/targets.js'
import { inspectAll } from '../system/inspect.js'

export const DEFAULT_NETWORK_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}'
const NETWORK_HEADERS = { ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv6: 'IPV6', Internal: 'INTERNAL', Labels: 'LABELS', CreatedAt: 'CREATED AT' }

/** `berth network ls`: docker's table, sorted by name. */
export const networkLsCommand: CommandHandler = async (ctx, _args, options) => {
  const flags = options as { filter?: string[]; format?: string; trunc?: boolean; quiet?: boolean }
  const list = await ctx.client().networkList({ filters: parseFilters(flags.filter ?? []) })
  list.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0))
  const trunc = flags.trunc !== false
  let format = flags.format || 'table'
  if (flags.quiet) format = '{{.ID}}'
  const rows = list.map((n) => ({
    ID: trunc ? n.Id.slice(0, 12) : n.Id,
    Name: n.Name,
    Driver: n.Driver,
    Scope: n.Scope,
    IPv6: String(n.EnableIPv6),
    Internal: String(n.Internal),
    Labels: Object.entries(n.Labels ?? {}).map(([k, v]) => `${k}=${v}`).join(','),
    CreatedAt: n.Created,
  }))
  ctx.io.stdout.write(renderRows({ format, defaultTable: DEFAULT_NETWORK_TABLE, headers: NETWORK_HEADERS, rows }))
}

export const networkInspectCommand: CommandHandler = async (ctx, args, options) => {
  const { format } = options as { format?: string }
  await inspectAll(ctx, args, format ?? '', (ref) => ctx.client().networkInspect(ref))
}

function mapFlag(values: string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const v of values ?? []) {
    const i = v.indexOf('=')
    out[i < 0 ? v : v.slice(0, i)] = i < 0 ? '' : v.slice(i + 1)
  }
  return out
}

/** `berth network create`: prints the new network's id. */
export const networkCreateCommand: CommandHandler = async (ctx, args, options) => {
  const f = options as {
    attachable?: boolean; driver?: string; gateway?: string[]; internal?: boolean; ipRange?: string[]; ipamDriver?: string
    ipamOpt?: string[]; ipv6?: boolean; label?: string[]; opt?: string[]; subnet?: string[]
  }
  const subnets = (f.subnet ?? []).flatMap((s) => s.split(','))
  const gateways = (f.gateway ?? []).flatMap((s) => s.split(','))
  const ranges = (f.ipRange ?? []).flatMap((s) => s.split(','))
  if (gateways.length > subnets.length) throw new CliError('every ip-range or gateway must have a corresponding subnet', 1)
  const config = subnets.map((subnet, i) => ({
    Subnet: subnet, ...(gateways[i] ? { Gateway: gateways[i] } : {}), ...(ranges[i] ? { IPRange: ranges[i] } : {}),
  }))
  const created = await ctx.client().networkCreate({
    Name: args[0], Driver: f.driver || 'bridge', Internal: !!f.internal, Attachable: !!f.attachable, EnableIPv6: !!f.ipv6,
    IPAM: { Driver: f.ipamDriver || 'default', Config: config, Options: mapFlag(f.ipamOpt) },
    Options: mapFlag(f.opt), Labels: mapFlag(f.label),
  })
  ctx.io.stdout.write(`${created.Id}\n`)
}

export const networkRmCommand: CommandHandler = async (ctx, args, options) => {
  const { force } = options as { force?: boolean }
  const client = ctx.client()
  await forEachTarget(ctx, args, async (name) => {
    try {
      await client.networkRemove(name)
    } catch (err) {
      if (force && isEngineError(err, 'NotFound')) return undefined
      throw err
    }
    return name
  })
}

export const networkConnectCommand: CommandHandler = async (ctx, args, options) => {
  const f = options as { alias?: string[]; ip?: string; link?: string[] }
  await ctx.client().networkConnect(args[0]!, {
    Container: args[1],
    EndpointConfig: {
      Aliases: (f.alias ?? []).flatMap((a) => a.split(',')),
      Links: f.link ?? [],
      ...(f.ip ? { IPAMConfig: { IPv4Address: f.ip } } : {}),
    },
  })
}

export const networkDisconnectCommand: CommandHandler = async (ctx, args, options) => {
  const { force } = options as { force?: boolean }
  await ctx.client().networkDisconnect(args[0]!, { Container: args[1], Force: !!force })
}

export const networkPruneCommand: CommandHandler = async (ctx, _args, options) => {
  const f = options as { filter?: string[]; force?: boolean }
  if (!f.force) {
    ctx.io.stdout.write('WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ')
    const answer = await readLine(ctx.io.stdin)
    if (!/^y(es)?$/i.test(answer.trim())) return
  }
  const res = await ctx.client().networkPrune({ filters: parseFilters(f.filter ?? []) })
  const deleted = res.NetworksDeleted ?? []
  if (deleted.length > 0) ctx.io.stdout.write(`Deleted Networks:\n${deleted.map((n) => `${n}\n`).join('')}\n`)
}

async function readLine(stdin: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stdin) return ''
  for await (const chunk of stdin) return String(chunk).split('\n')[0] ?? ''
  return ''
}

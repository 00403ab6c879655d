/**
 * Pure `docker ps` selection (moby daemon/list.go): newest first, running only unless all/limit or
 * a status/exited filter is given, and the filters status, name (regexp on the name with or
 * without "/"), id (prefix), label (key or key=value, all must match), ancestor, exited, before,
 * since, volume (a mount's volume name, bind source or destination), health, network (the exact name, or
 * a prefix of the id once it has started, of a network the container is attached to). Accepted-but-unsupported filters
 * (publish, expose, isolation, is-task) are ignored; unknown ones are InvalidArgument.
 */
import { EngineError } from '../../common/index.js'
import { ZERO_TIME } from './record.js'
import type { ContainerListOptions, ContainerRecord, ContainerStatus } from './types.js'

const ACCEPTED = new Set([
  'ancestor', 'before', 'exited', 'health', 'id', 'isolation', 'label', 'name', 'status', 'publish', 'expose',
  'since', 'volume', 'network', 'is-task',
])
const STATUSES: readonly ContainerStatus[] = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']

export interface ListFilterContext {
  /** Resolves before/since references (throws NotFound like resolve()). */
  lookup(nameOrId: string): ContainerRecord
  /** Image ids the ancestor filter values resolved to (undefined = no ancestor filter). */
  ancestorImageIds?: ReadonlySet<string>
  /** The networks a container is attached to (without it, the network filter matches nothing). */
  networksOf?(containerId: string): ReadonlyArray<{ id: string; name: string }>
}

function invalidFilter(key: string, value?: string): EngineError {
  return new EngineError('InvalidArgument', 'INVALID_FILTER', value === undefined ? `invalid filter '${key}'` : `invalid filter '${key}=${value}'`)
}

function matches(patterns: readonly string[], source: string): boolean {
  return patterns.some((p) => {
    if (p === source) return true
    try {
      return new RegExp(p).test(source)
    } catch {
      return false
    }
  })
}

function labelsMatch(filters: readonly string[], labels: Record<string, string>): boolean {
  return filters.every((f) => {
    const eq = f.indexOf('=')
    if (eq < 0) return Object.hasOwn(labels, f)
    return labels[f.slice(0, eq)] === f.slice(eq + 1)
  })
}

/** The containers to list, newest first. `records` may be in any order. */
export function filterContainers(records: readonly ContainerRecord[], opts: ContainerListOptions, ctx: ListFilterContext): ContainerRecord[] {
  const filters = opts.filters ?? {}
  for (const key of Object.keys(filters)) if (!ACCEPTED.has(key)) throw invalidFilter(key)
  const status = filters['status'] ?? []
  for (const s of status) if (!STATUSES.includes(s as ContainerStatus)) throw invalidFilter('status', s)
  const exited = (filters['exited'] ?? []).map((v) => {
    if (!/^-?\d+$/.test(v)) throw invalidFilter('exited', v)
    return Number(v)
  })
  const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : undefined
  const all = opts.all === true || limit !== undefined || status.length > 0 || exited.length > 0
  const names = filters['name'] ?? []
  const ids = filters['id'] ?? []
  const labels = filters['label'] ?? []
  const volumes = filters['volume'] ?? []
  const health = filters['health'] ?? []
  const networks = filters['network'] ?? []
  for (const h of health) if (!['starting', 'healthy', 'unhealthy', 'none'].includes(h)) throw invalidFilter('health', h)
  const before = (filters['before'] ?? []).map((v) => ctx.lookup(v).id)
  const since = (filters['since'] ?? []).map((v) => ctx.lookup(v).id)

  const newestFirst = newestFirstOrder(records)
  const out: ContainerRecord[] = []
  let waitingForBefore = before.length > 0
  for (const r of newestFirst) {
    if (waitingForBefore) {
      if (before.includes(r.id)) waitingForBefore = false
      continue
    }
    if (since.includes(r.id)) break
    if (!all && !r.state.running) continue
    if (labels.length > 0 && !labelsMatch(labels, r.spec.labels ?? {})) continue
    if (names.length > 0 && !matches(names, `/${r.name}`) && !matches(names, r.name)) continue
    if (ids.length > 0 && !ids.some((p) => r.id.startsWith(p))) continue
    if (exited.length > 0 && !(exited.includes(r.state.exitCode) && !r.state.running && r.state.startedAt !== ZERO_TIME)) continue
    if (status.length > 0 && !status.includes(r.state.status)) continue
    if (ctx.ancestorImageIds && !ctx.ancestorImageIds.has(r.imageId)) continue
    if (volumes.length > 0 && !(r.mountPoints ?? []).some((m) => volumes.includes(m.destination) || volumes.includes(m.name || m.source))) continue
    if (health.length > 0 && !health.includes(r.state.running && r.state.health ? r.state.health.status : 'none')) continue
    if (networks.length > 0 && !onNetwork(ctx.networksOf?.(r.id) ?? [], networks, r.state.startedAt !== ZERO_TIME)) continue
    out.push(r)
    if (limit !== undefined && out.length >= limit) break
  }
  return out
}

/**
 * As moby's list filter: a value is a network's name, or a prefix of the NetworkID the container's
 * endpoint settings carry, which dockerd fills at the first start (a never-started container has none).
 */
function onNetwork(attached: ReadonlyArray<{ id: string; name: string }>, values: readonly string[], started: boolean): boolean {
  return values.some((v) => attached.some((n) => n.name === v || (started && n.id.startsWith(v))))
}

/**
 * `records` newest first; records created in the same instant keep their reverse order. The store
 * keeps them oldest first already, so that is checked before sorting (a list of 1000 skips the sort).
 */
function newestFirstOrder(records: readonly ContainerRecord[]): ContainerRecord[] {
  const reversed = [...records].reverse()
  for (let i = 1; i < reversed.length; i++) {
    // Reversed first so ties keep newest-first order (sort is stable).
    if (reversed[i - 1]!.created < reversed[i]!.created) return reversed.sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0))
  }
  return reversed
}

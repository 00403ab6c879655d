import type { ContainerSummary } from '../api/types/index.js'
import { CONTAINER_HEADERS, DEFAULT_CONTAINER_TABLE, containerCell, containerContext, isContainerCell, type ContainerCellField } from './container-context.js'
import { finishRows, parseFormat, renderRows } from './formatter.js'
import { fieldsOnlyPlan } from './template-exec.js'

/** `ps` flags, as the CLI's option parser gives them (commander's names: --no-trunc is `trunc: false`). */
export interface PsFlags {
  all?: boolean
  filter?: string[]
  format?: string
  last?: number
  latest?: boolean
  trunc?: boolean
  quiet?: boolean
  size?: boolean
}

/** What `ps` asks the daemon for (GET /containers/json) and how it prints the answer. */
export interface PsPlan {
  all: boolean
  /** -1: no limit. */
  limit: number
  /** The daemon must compute SizeRw/SizeRootFs (-s, or a template that shows .Size). */
  size: boolean
  /** The --format template after -q and the defaults ("table ..." or a row template). */
  format: string
  trunc: boolean
}

/**
 * docker's `ps`: -q prints ids, -n/-l limit to the newest, a bare or "table" format is the default
 * table (plus SIZE with -s). The one place both the CLI (`berth ps`) and the daemon's rendered
 * `berth ps` (GET /berth/cli/ps) decide this, so both print the same bytes.
 */
export function planPs(flags: PsFlags): PsPlan {
  let limit = flags.last ?? -1
  if (flags.latest && limit === -1) limit = 1
  let format = flags.format ?? ''
  if (flags.quiet) format = '{{.ID}}'
  else if (format === '' || format === 'table') format = DEFAULT_CONTAINER_TABLE + (flags.size ? '\t{{.Size}}' : '')
  return { all: !!flags.all, limit, size: !!flags.size || /\{\{[^}]*\.Size\b/.test(format), format, trunc: flags.trunc !== false }
}

/**
 * The output of `ps` for the daemon's list; throws a TemplateError for a template that does not parse
 * or run. Templates that are only text and ContainerContext fields (the default table, -q,
 * `table {{.ID}}\t{{.Names}}`...) are filled in from containerCell() without a context per row or the
 * template interpreter: the same text, a fraction of the work for a list of 1000.
 */
export function renderPs(plan: PsPlan, containers: readonly ContainerSummary[], nowMs: number = Date.now()): string {
  const parsed = parseFormat(plan.format, DEFAULT_CONTAINER_TABLE)
  const parts = fieldsOnlyPlan(parsed.template)
  if (parts !== null && parts.every((p) => 'text' in p || isContainerCell(p.field))) {
    const cells = parts.map((p) => ('text' in p ? p.text : (p.field as ContainerCellField)))
    const fields = parts.map((p) => 'field' in p)
    let rows = ''
    for (const c of containers) {
      for (let i = 0; i < cells.length; i++) rows += fields[i] ? containerCell(c, cells[i] as ContainerCellField, plan.trunc, nowMs) : cells[i]
      rows += '\n'
    }
    return finishRows(parsed, CONTAINER_HEADERS, rows)
  }
  return renderRows({
    format: plan.format,
    defaultTable: DEFAULT_CONTAINER_TABLE,
    headers: CONTAINER_HEADERS,
    rows: containers.map((c) => containerContext(c, plan.trunc, nowMs)),
  })
}

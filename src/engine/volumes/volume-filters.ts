/** Docker's volume list and prune filters. Pure. */
import { invalid } from '../../common/index.js'
import type { VolumeRecord } from './types.js'

const LIST_KEYS = new Set(['dangling', 'label', 'label!', 'name', 'driver'])
const PRUNE_KEYS = new Set(['label', 'label!', 'all'])

function boolValue(key: string, value: string): boolean {
  const v = value.toLowerCase()
  if (v === 'true' || v === '1') return true
  if (v === 'false' || v === '0') return false
  throw invalid('INVALID_FILTER', `invalid filter '${key}=${value}'`)
}

export function validateVolumeFilters(filters: Record<string, string[]>): void {
  for (const key of Object.keys(filters)) {
    if (!LIST_KEYS.has(key)) throw invalid('INVALID_FILTER', `invalid filter '${key}'`)
  }
  for (const v of filters['dangling'] ?? []) boolValue('dangling', v)
}

/** Validates prune filters; true when `all` asks for every unused volume, not only anonymous ones. */
export function validatePruneFilters(filters: Record<string, string[]>): boolean {
  for (const key of Object.keys(filters)) {
    if (!PRUNE_KEYS.has(key)) throw invalid('INVALID_FILTER', `invalid filter '${key}'`)
  }
  return (filters['all'] ?? []).some((v) => boolValue('all', v))
}

/** "key" matches a label's presence, "key=value" its value. */
function labelMatches(labels: Record<string, string>, expr: string): boolean {
  const eq = expr.indexOf('=')
  if (eq < 0) return expr in labels
  const key = expr.slice(0, eq)
  return key in labels && labels[key] === expr.slice(eq + 1)
}

/** Every given filter key must match (values of one key are alternatives, label values must all match). */
export function matchVolumeFilters(v: VolumeRecord, filters: Record<string, string[]>, inUse: boolean): boolean {
  const dangling = filters['dangling'] ?? []
  if (dangling.length > 0 && !dangling.some((d) => boolValue('dangling', d) === !inUse)) return false
  const names = filters['name'] ?? []
  if (names.length > 0 && !names.some((n) => v.name.includes(n))) return false
  const drivers = filters['driver'] ?? []
  if (drivers.length > 0 && !drivers.includes(v.driver)) return false
  if (!(filters['label'] ?? []).every((l) => labelMatches(v.labels, l))) return false
  if ((filters['label!'] ?? []).some((l) => labelMatches(v.labels, l))) return false
  return true
}

/** Pure: Docker's network list filters (driver, id, label, name, scope, type, dangling). */
import { invalid } from '../../common/index.js'
import type { NetworkRecord } from './types.js'

const KNOWN = new Set(['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling', 'until'])

function labelMatches(labels: Record<string, string>, wanted: string): boolean {
  const i = wanted.indexOf('=')
  if (i < 0) return Object.hasOwn(labels, wanted)
  return labels[wanted.slice(0, i)] === wanted.slice(i + 1)
}

export function filterNetworks(networks: readonly NetworkRecord[], filters: Record<string, string[]>): NetworkRecord[] {
  for (const key of Object.keys(filters)) {
    if (!KNOWN.has(key)) throw invalid('INVALID_FILTER', `invalid filter '${key}'`)
  }
  for (const t of filters['type'] ?? []) {
    if (t !== 'custom' && t !== 'builtin') throw invalid('INVALID_FILTER', `invalid filter: 'type'='${t}'`)
  }
  const any = (key: string, test: (v: string) => boolean): boolean => {
    const values = filters[key] ?? []
    return values.length === 0 || values.some(test)
  }
  return networks.filter((n) =>
    any('driver', (v) => n.driver === v) &&
    any('id', (v) => n.id.includes(v)) &&
    any('name', (v) => n.name.includes(v)) &&
    any('scope', (v) => v === n.scope) &&
    any('type', (v) => (v === 'builtin') === n.predefined) &&
    any('dangling', (v) => (v === 'true' || v === '1') === (Object.keys(n.endpoints).length === 0 && !n.predefined)) &&
    (filters['label'] ?? []).every((v) => labelMatches(n.labels, v)),
  )
}

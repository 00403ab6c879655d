import { SOURCE_FILE, isMap, scalarString, type RawMap } from './raw.js'
import { OverrideTag, ResetTag } from './yaml-tags.js'

/**
 * Compose's merge rules (for `-f` overrides and `extends`), on canonical raw services
 * (see canonical-service.ts): mappings merge key by key, sequences concatenate without
 * duplicates, scalars are replaced; command, entrypoint and healthcheck.test are replaced as a
 * whole; ports are unique by host ip + published + target + protocol; volumes by target;
 * secrets/configs by target; env_file by path; ulimits entries are replaced; logging options
 * merge only when the driver is unchanged.
 */

const REPLACE = new Set(['command', 'entrypoint'])

/** Key identifying a sequence element for de-duplication (later definitions win). */
type Indexer = (item: unknown) => string
const byValue: Indexer = (item) => (isMap(item) || Array.isArray(item) ? JSON.stringify(item) : scalarString(item))
const SEQUENCE_INDEX: Record<string, Indexer> = {
  ports: (p) => (isMap(p) ? `${scalarString(p.host_ip)}:${scalarString(p.published)}:${scalarString(p.target)}/${scalarString(p.protocol ?? 'tcp')}` : byValue(p)),
  volumes: (v) => (isMap(v) ? scalarString(v.target) : byValue(v)),
  secrets: (s) => (isMap(s) ? scalarString(s.target ?? `/run/secrets/${scalarString(s.source)}`) : byValue(s)),
  configs: (s) => (isMap(s) ? scalarString(s.target ?? `/${scalarString(s.source)}`) : byValue(s)),
  env_file: (e) => (isMap(e) ? scalarString(e.path) : byValue(e)),
  devices: (d) => (isMap(d) ? scalarString(d.target) : scalarString(d).split(':')[1] ?? scalarString(d)),
}

/** Merges an override service over a base service (both canonical); returns a new mapping. */
export function mergeService(base: RawMap, override: RawMap): RawMap {
  const out: RawMap = { ...base }
  for (const [key, value] of Object.entries(override)) {
    if (applyTag(out, key, value)) continue
    const current = out[key]
    if (current === undefined || value === null || REPLACE.has(key)) { out[key] = value; continue }
    if (key === 'healthcheck' && isMap(current) && isMap(value)) {
      out[key] = { ...(mergeValues(current, value) as RawMap), ...(value.test !== undefined ? { test: value.test } : {}) }
    } else if (key === 'logging' && isMap(current) && isMap(value)) {
      out[key] = value.driver === undefined || value.driver === current.driver ? mergeValues(current, value) : value
    } else if (key === 'ulimits' && isMap(current) && isMap(value)) {
      out[key] = { ...current, ...value }
    } else if (key === 'networks' && isMap(current) && isMap(value)) {
      const nets: RawMap = { ...current }
      for (const [n, att] of Object.entries(value)) nets[n] = att === null ? (nets[n] ?? null) : mergeValues(nets[n] ?? {}, att)
      out[key] = nets
    } else if (Array.isArray(current) && Array.isArray(value)) {
      out[key] = mergeSequence(current, value, SEQUENCE_INDEX[key] ?? byValue)
    } else {
      out[key] = mergeValues(current, value)
    }
  }
  const file = (override as { [SOURCE_FILE]?: string })[SOURCE_FILE]
  if (file) (out as { [SOURCE_FILE]?: string })[SOURCE_FILE] = file
  return out
}

/** Generic merge: mappings recursively, sequences concatenated unique, scalars replaced. */
export function mergeValues(base: unknown, override: unknown): unknown {
  if (isMap(base) && isMap(override)) {
    const out: RawMap = { ...base }
    for (const [key, value] of Object.entries(override)) {
      if (applyTag(out, key, value)) continue
      out[key] = out[key] === undefined || value === null ? value : mergeValues(out[key], value)
    }
    return out
  }
  if (Array.isArray(base) && Array.isArray(override)) return mergeSequence(base, override, byValue)
  return override
}

/** `!reset` drops the inherited value, `!override` replaces it; true when `value` was such a tag. */
function applyTag(out: RawMap, key: string, value: unknown): boolean {
  if (value instanceof ResetTag) { delete out[key]; return true }
  if (value instanceof OverrideTag) { out[key] = value.value; return true }
  return false
}

function mergeSequence(base: unknown[], override: unknown[], index: Indexer): unknown[] {
  const out = [...base]
  const positions = new Map<string, number>()
  out.forEach((item, i) => positions.set(index(item), i))
  for (const item of override) {
    const key = index(item)
    const at = positions.get(key)
    if (at === undefined) { positions.set(key, out.length); out.push(item) } else out[at] = item
  }
  return out
}

/**
 * Merges one file's canonical model over another's: services with mergeService, the other
 * top-level sections as mappings, scalars (name) replaced.
 */
export function mergeModels(base: RawMap, override: RawMap): RawMap {
  const out: RawMap = { ...base }
  for (const [key, value] of Object.entries(override)) {
    if (applyTag(out, key, value)) continue
    if (key === 'services' && isMap(out.services) && isMap(value)) {
      const services: RawMap = { ...out.services }
      for (const [name, svc] of Object.entries(value)) {
        const prev = services[name]
        services[name] = isMap(prev) && isMap(svc) ? mergeService(prev, svc) : svc
      }
      out.services = services
    } else {
      out[key] = out[key] === undefined ? value : mergeValues(out[key], value)
    }
  }
  return out
}

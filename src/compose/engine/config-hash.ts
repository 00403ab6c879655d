import { createHash } from 'node:crypto'
import type { ServiceConfig } from '../model/index.js'

/**
 * Docker Compose's ServiceHash: sha256 (hex) of the service's normalized config without the keys
 * that do not change a container (build, pull policy, scale/replicas, depends_on, profiles).
 * Stored as LABEL_CONFIG_HASH; `up` recreates a container whose label differs. Keys are sorted so
 * the hash does not depend on the order the loader produced them in.
 */
export function serviceConfigHash(service: ServiceConfig): string {
  const { build: _build, pullPolicy: _pull, scale: _scale, dependsOn: _deps, profiles: _profiles, ...rest } = service
  const hashed: Record<string, unknown> = { ...rest }
  if (rest.deploy) {
    const { replicas: _replicas, ...deploy } = rest.deploy
    hashed['deploy'] = deploy
  }
  return createHash('sha256').update(stableJson(hashed)).digest('hex')
}

/** JSON with object keys in sorted order (arrays keep theirs); undefined members are dropped. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : stableJson(v))).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`
}

import { scopedName } from '../labels.js'
import { child, fail, isMap, scalarString, toBool, toStringMap, type RawContext, type RawMap } from './raw.js'
import { resolvePath } from './short-syntax.js'
import type { IpamConfig, NetworkConfig, SecretOrConfigDefinition, VolumeConfig } from './types.js'

/** Top-level networks, volumes, secrets and configs → their normalized definitions. */

/** `external: true`, `external: {name: x}` (old syntax) or absent; returns [external, legacy name]. */
function externalOf(def: RawMap, ctx: RawContext): [boolean, string | undefined] {
  const ext = def.external
  if (ext === undefined || ext === null) return [false, undefined]
  if (isMap(ext)) return [true, ext.name === undefined ? undefined : scalarString(ext.name)]
  return [toBool(ext, child(ctx, 'external')), undefined]
}

function engineName(project: string, key: string, def: RawMap, ctx: RawContext): { name: string; external: boolean } {
  const [external, legacyName] = externalOf(def, ctx)
  const explicit = def.name === undefined || def.name === null ? legacyName : scalarString(def.name)
  return { name: explicit ?? (external ? key : scopedName(project, key)), external }
}

export function toNetwork(project: string, key: string, value: unknown, ctx: RawContext): NetworkConfig {
  const def: RawMap = isMap(value) ? value : {}
  const { name, external } = engineName(project, key, def, ctx)
  const net: NetworkConfig = {
    name, external,
    driverOpts: toStringMap(def.driver_opts),
    internal: def.internal === undefined ? false : toBool(def.internal, child(ctx, 'internal')),
    attachable: def.attachable === undefined ? false : toBool(def.attachable, child(ctx, 'attachable')),
    labels: toStringMap(def.labels),
  }
  if (def.driver !== undefined) net.driver = scalarString(def.driver)
  if (def.enable_ipv6 !== undefined) net.enableIpv6 = toBool(def.enable_ipv6, child(ctx, 'enable_ipv6'))
  if (isMap(def.ipam)) {
    const ipam: IpamConfig = {
      config: (Array.isArray(def.ipam.config) ? def.ipam.config : []).map((c: unknown) => {
        const m: RawMap = isMap(c) ? c : {}
        const entry: IpamConfig['config'][number] = { auxAddresses: toStringMap(m.aux_addresses) }
        if (m.subnet !== undefined) entry.subnet = scalarString(m.subnet)
        if (m.ip_range !== undefined) entry.ipRange = scalarString(m.ip_range)
        if (m.gateway !== undefined) entry.gateway = scalarString(m.gateway)
        return entry
      }),
      options: toStringMap(def.ipam.options),
    }
    if (def.ipam.driver !== undefined) ipam.driver = scalarString(def.ipam.driver)
    net.ipam = ipam
  }
  return net
}

export function toVolume(project: string, key: string, value: unknown, ctx: RawContext): VolumeConfig {
  const def: RawMap = isMap(value) ? value : {}
  const { name, external } = engineName(project, key, def, ctx)
  const vol: VolumeConfig = { name, external, driverOpts: toStringMap(def.driver_opts), labels: toStringMap(def.labels) }
  if (def.driver !== undefined) vol.driver = scalarString(def.driver)
  return vol
}

/** A secret or config definition; `file:` was already resolved to an absolute path by the loader. */
export function toSecretOrConfig(project: string, key: string, value: unknown, ctx: RawContext): SecretOrConfigDefinition {
  const def: RawMap = isMap(value) ? value : {}
  const { name, external } = engineName(project, key, def, ctx)
  const out: SecretOrConfigDefinition = { name, external }
  if (def.file !== undefined) out.file = scalarString(def.file)
  if (def.environment !== undefined) out.environment = scalarString(def.environment)
  if (def.content !== undefined) out.content = scalarString(def.content)
  if (!external && out.file === undefined && out.environment === undefined && out.content === undefined) {
    fail(ctx, 'must define one of "file", "environment", "content" or "external"')
  }
  return out
}

/** Resolves `file:` of top-level secrets/configs against the declaring file's directory. */
export function resolveResourceFiles(section: unknown, baseDir: string, home: string | undefined): RawMap | undefined {
  if (!isMap(section)) return undefined
  const out: RawMap = {}
  for (const [key, def] of Object.entries(section)) {
    out[key] = isMap(def) && typeof def.file === 'string' ? { ...def, file: resolvePath(def.file, baseDir, home) } : def
  }
  return out
}

import {
  SOURCE_FILE, child, fail, isMap, listOrMapToMap, scalarString, toStringList, toStringMap, type RawContext, type RawMap,
} from './raw.js'
import { OverrideTag, ResetTag } from './yaml-tags.js'
import { canonicalFileRefs, canonicalPorts, canonicalVolume, resolvePath } from './short-syntax.js'

/** Where a service definition came from: relative paths in it resolve against `baseDir`. */
export interface ServiceSource {
  file?: string
  baseDir: string
  /** $HOME for "~" paths. */
  home?: string
}

const LIST_OR_MAP_KEYS = ['environment']
const STRING_MAP_KEYS = ['labels', 'annotations', 'sysctls']
const STRING_LIST_KEYS = ['dns', 'dns_search', 'dns_opt', 'tmpfs', 'cap_add', 'cap_drop', 'security_opt', 'links',
  'external_links', 'profiles', 'devices', 'device_cgroup_rules', 'group_add', 'volumes_from']

/**
 * One raw service mapping (after interpolation) → its canonical raw form: long syntax everywhere,
 * list-or-dict keys as mappings, relative paths resolved against `source.baseDir`. The output
 * still uses the file's key names; `mergeService` and `toServiceConfig` consume it.
 */
export function canonicalService(raw: RawMap, name: string, source: ServiceSource): RawMap {
  const ctx: RawContext = { file: source.file, path: `services.${name}` }
  const s: RawMap = {}
  const tagged = new Map<string, ResetTag | OverrideTag>()
  for (const [key, value] of Object.entries(raw)) {
    if (value instanceof ResetTag) { tagged.set(key, value); continue }
    if (value instanceof OverrideTag) { tagged.set(key, value); s[key] = value.value; continue }
    s[key] = value
  }
  canonicalKeys(s, ctx, source)
  for (const [key, tag] of tagged) s[key] = tag instanceof ResetTag ? tag : new OverrideTag(s[key])
  if (source.file) (s as { [SOURCE_FILE]?: string })[SOURCE_FILE] = source.file
  return s
}

function canonicalKeys(s: RawMap, ctx: RawContext, source: ServiceSource): void {
  for (const key of LIST_OR_MAP_KEYS) if (s[key] !== undefined) s[key] = listOrMapToMap(s[key])
  for (const key of STRING_MAP_KEYS) if (s[key] !== undefined) s[key] = toStringMap(s[key])
  for (const key of STRING_LIST_KEYS) if (s[key] !== undefined) s[key] = toStringList(s[key])
  if (s.expose !== undefined) s.expose = toStringList(s.expose)
  if (s.build !== undefined) s.build = canonicalBuild(s.build, source, child(ctx, 'build'))
  if (s.env_file !== undefined) s.env_file = canonicalEnvFiles(s.env_file, source)
  if (s.label_file !== undefined) s.label_file = toStringList(s.label_file).map((p) => resolvePath(p, source.baseDir, source.home))
  if (s.ports !== undefined) s.ports = canonicalPorts(s.ports, child(ctx, 'ports'))
  if (s.volumes !== undefined) {
    if (!Array.isArray(s.volumes)) fail(child(ctx, 'volumes'), 'must be a list')
    s.volumes = s.volumes.map((v, i) => canonicalVolume(v, child(child(ctx, 'volumes'), i), source.baseDir, source.home))
  }
  if (s.networks !== undefined) s.networks = canonicalNetworks(s.networks)
  if (s.depends_on !== undefined) s.depends_on = canonicalDependsOn(s.depends_on)
  if (s.extra_hosts !== undefined) s.extra_hosts = canonicalExtraHosts(s.extra_hosts, child(ctx, 'extra_hosts'))
  if (s.secrets !== undefined) s.secrets = canonicalFileRefs(s.secrets)
  if (s.configs !== undefined) s.configs = canonicalFileRefs(s.configs)
  if (s.ulimits !== undefined && isMap(s.ulimits)) {
    const u: RawMap = {}
    for (const [k, v] of Object.entries(s.ulimits)) u[k] = isMap(v) ? { ...v } : { soft: v, hard: v }
    s.ulimits = u
  }
  if (isMap(s.deploy) && s.deploy.labels !== undefined) s.deploy = { ...s.deploy, labels: toStringMap(s.deploy.labels) }
  if (isMap(s.logging) && isMap(s.logging.options)) s.logging = { ...s.logging, options: toStringMap(s.logging.options) }
}

function isRemoteContext(context: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(context) || context.startsWith('git@') || context.startsWith('github.com/')
}

function canonicalBuild(value: unknown, source: ServiceSource, ctx: RawContext): RawMap {
  const b: RawMap = isMap(value) ? { ...value } : typeof value === 'string' ? { context: value } : fail(ctx, 'must be a string or a mapping')
  const context = b.context === undefined ? '.' : scalarString(b.context)
  b.context = isRemoteContext(context) ? context : resolvePath(context, source.baseDir, source.home)
  if (b.args !== undefined) b.args = keepTag(b.args, (v) => listOrMapToMap(v))
  if (b.labels !== undefined) b.labels = keepTag(b.labels, toStringMap)
  if (b.extra_hosts !== undefined) b.extra_hosts = keepTag(b.extra_hosts, (v) => canonicalExtraHosts(v, child(ctx, 'extra_hosts')))
  for (const key of ['cache_from', 'cache_to', 'tags', 'platforms']) if (b[key] !== undefined) b[key] = keepTag(b[key], toStringList)
  return b
}

/** Applies `convert` under a `!override` tag and leaves a `!reset` tag alone. */
function keepTag(value: unknown, convert: (v: unknown) => unknown): unknown {
  if (value instanceof ResetTag) return value
  if (value instanceof OverrideTag) return new OverrideTag(convert(value.value))
  return convert(value)
}

function canonicalEnvFiles(value: unknown, source: ServiceSource): RawMap[] {
  const items = Array.isArray(value) ? value : [value]
  return items.map((item) => {
    const entry: RawMap = isMap(item) ? { ...item } : { path: scalarString(item) }
    entry.path = resolvePath(scalarString(entry.path), source.baseDir, source.home)
    entry.required ??= true
    return entry
  })
}

function canonicalNetworks(value: unknown): RawMap {
  if (Array.isArray(value)) return Object.fromEntries(value.map((n) => [scalarString(n), null]))
  return isMap(value) ? { ...value } : {}
}

function canonicalDependsOn(value: unknown): RawMap {
  const out: RawMap = {}
  if (Array.isArray(value)) {
    for (const name of value) out[scalarString(name)] = { condition: 'service_started', required: true }
  } else if (isMap(value)) {
    for (const [name, dep] of Object.entries(value)) {
      const d: RawMap = isMap(dep) ? { ...dep } : {}
      d.condition ??= 'service_started'
      d.required ??= true
      out[name] = d
    }
  }
  return out
}

/** extra_hosts as host → [ip...] (list "host:ip" / "host=ip" or mapping syntax). */
function canonicalExtraHosts(value: unknown, ctx: RawContext): RawMap {
  const out: Record<string, string[]> = {}
  const add = (host: string, ip: string) => { (out[host] ??= []).includes(ip) || out[host]!.push(ip) }
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = scalarString(item)
      const eq = text.indexOf('=')
      const sep = eq >= 0 ? eq : text.indexOf(':')
      if (sep <= 0) fail(ctx, `invalid extra host ${JSON.stringify(text)}`)
      add(text.slice(0, sep), text.slice(sep + 1).replace(/^\[(.*)\]$/, '$1'))
    }
  } else if (isMap(value)) {
    for (const [host, ips] of Object.entries(value)) for (const ip of toStringList(ips)) add(host, ip)
  }
  return out
}


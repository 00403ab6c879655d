import * as path from 'node:path'
import { child, fail, isMap, scalarString, type RawContext, type RawMap } from './raw.js'

/**
 * Short syntax → the long (canonical) raw form, before merging: ports, volumes, secrets/configs.
 * Output keeps the Compose file's own key names (snake_case) so `-f` merging and `extends` work
 * on one form.
 */

/** `[[HOST_IP:][HOST_PORTS]:]CONTAINER_PORTS[/PROTO]` or a long-syntax mapping → long-syntax entries. */
export function canonicalPorts(value: unknown, ctx: RawContext): RawMap[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) fail(ctx, 'must be a list')
  const out: RawMap[] = []
  value.forEach((item, i) => {
    const c = child(ctx, i)
    if (isMap(item)) {
      const entry: RawMap = { ...item }
      if (entry.published !== undefined && entry.published !== null) entry.published = scalarString(entry.published)
      entry.mode ??= 'ingress'
      entry.protocol ??= 'tcp'
      out.push(entry)
    } else {
      out.push(...parsePortSpec(scalarString(item), c))
    }
  })
  return out
}

function parseRange(text: string, c: RawContext): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text)
  if (!m) fail(c, `invalid port ${JSON.stringify(text)}`)
  const start = Number(m[1])
  const end = m[2] === undefined ? start : Number(m[2])
  if (start > 65535 || end > 65535 || end < start) fail(c, `invalid port range ${JSON.stringify(text)}`)
  return [start, end]
}

export function parsePortSpec(spec: string, c: RawContext): RawMap[] {
  let rest = spec.trim()
  let protocol = 'tcp'
  const slash = rest.lastIndexOf('/')
  if (slash >= 0) { protocol = rest.slice(slash + 1).toLowerCase(); rest = rest.slice(0, slash) }
  if (!['tcp', 'udp', 'sctp'].includes(protocol)) fail(c, `invalid protocol ${JSON.stringify(protocol)} in port ${JSON.stringify(spec)}`)
  let hostIp: string | undefined
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']')
    if (close < 0 || rest[close + 1] !== ':') fail(c, `invalid port ${JSON.stringify(spec)}`)
    hostIp = rest.slice(1, close)
    rest = rest.slice(close + 2)
  }
  const parts = rest.split(':')
  let hostPart = ''
  let containerPart: string
  if (hostIp === undefined && parts.length === 3) { hostIp = parts[0]; hostPart = parts[1]!; containerPart = parts[2]! }
  else if (parts.length === 2) { hostPart = parts[0]!; containerPart = parts[1]! }
  else if (parts.length === 1) containerPart = parts[0]!
  else fail(c, `invalid port ${JSON.stringify(spec)}`)
  if (hostIp === '') hostIp = undefined
  const [start, end] = parseRange(containerPart, c)
  const base = (target: number, published?: string): RawMap => {
    const e: RawMap = { mode: 'ingress' }
    if (hostIp !== undefined) e.host_ip = hostIp
    e.target = target
    if (published !== undefined) e.published = published
    e.protocol = protocol
    return e
  }
  if (hostPart === '') {
    const out: RawMap[] = []
    for (let p = start; p <= end; p++) out.push(base(p))
    return out
  }
  const [hStart, hEnd] = parseRange(hostPart, c)
  if (start === end) return [base(start, hStart === hEnd ? String(hStart) : `${hStart}-${hEnd}`)]
  if (hEnd - hStart !== end - start) fail(c, `invalid ranges specified for container and host ports: ${JSON.stringify(spec)}`)
  const out: RawMap[] = []
  for (let p = start; p <= end; p++) out.push(base(p, String(hStart + p - start)))
  return out
}

const PROPAGATIONS = ['shared', 'slave', 'private', 'rshared', 'rslave', 'rprivate']

/** A host path as Compose treats it: starts with ".", "/" or "~". */
export function isFilePath(source: string): boolean {
  return source.startsWith('.') || source.startsWith('/') || source.startsWith('~')
}

/** Resolves a relative or "~" path against `baseDir` / `home`. */
export function resolvePath(p: string, baseDir: string, home: string | undefined): string {
  if (p === '~' || p.startsWith('~/')) return path.join(home ?? '/root', p.slice(1))
  return path.resolve(baseDir, p)
}

/** `[SOURCE:]TARGET[:MODE]` or a long-syntax mapping → long-syntax volume (bind sources resolved). */
export function canonicalVolume(item: unknown, c: RawContext, baseDir: string, home: string | undefined): RawMap {
  if (isMap(item)) {
    const v: RawMap = { ...item }
    if (v.type === 'bind' && typeof v.source === 'string') v.source = resolvePath(v.source, baseDir, home)
    return v
  }
  const spec = scalarString(item)
  const parts = spec.split(':')
  if (parts.length > 3 || parts.some((p, i) => p === '' && !(i === 0 && parts.length === 1))) fail(c, `invalid volume specification: ${JSON.stringify(spec)}`)
  let source = ''
  let target: string
  let mode = ''
  if (parts.length === 1) target = parts[0]!
  else if (parts.length === 2) { source = parts[0]!; target = parts[1]! }
  else { source = parts[0]!; target = parts[1]!; mode = parts[2]! }
  const v: RawMap = {}
  if (source === '') v.type = 'volume'
  else if (isFilePath(source)) { v.type = 'bind'; v.source = resolvePath(source, baseDir, home) }
  else { v.type = 'volume'; v.source = source }
  v.target = target.length > 1 ? path.posix.normalize(target).replace(/\/$/, '') : target
  const bind: RawMap = {}
  const volume: RawMap = {}
  for (const opt of mode ? mode.split(',') : []) {
    if (opt === 'ro') v.read_only = true
    else if (opt === 'rw') continue
    else if (opt === 'z' || opt === 'Z') bind.selinux = opt
    else if (opt === 'nocopy') volume.nocopy = true
    else if (PROPAGATIONS.includes(opt)) bind.propagation = opt
    else if (['cached', 'delegated', 'consistent'].includes(opt)) v.consistency = opt
    // Other options are ignored, as Compose does.
  }
  if (v.type === 'bind') v.bind = { ...bind, create_host_path: true }
  else v.volume = volume
  return v
}

/** Service-level secrets/configs: "name" or long mapping → long mapping. */
export function canonicalFileRefs(value: unknown): RawMap[] {
  if (!Array.isArray(value)) return []
  return value.map((item) => (isMap(item) ? { ...item } : { source: scalarString(item) }))
}

import type { ContainerSummary, PortSummary } from '../../client/index.js'
import { templateObject, type TemplateObject } from './template-exec.js'
import { goJson } from './template-funcs.js'
import { familiarName, splitReference } from './references.js'
import { goTimeString } from './time.js'
import { ellipsis, goQuote, humanSize, timeAgo, truncateId } from './units.js'

export const DEFAULT_CONTAINER_TABLE = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}'

export const CONTAINER_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Names: 'NAMES',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Size: 'SIZE',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
}

/** docker's formatter.ContainerContext for one `ps` row. */
export function containerContext(c: ContainerSummary, trunc: boolean, nowMs: number = Date.now()): TemplateObject {
  const labels = c.Labels ?? {}
  const fields: Record<string, string> = {
    ID: trunc ? truncateId(c.Id) : c.Id,
    Names: names(c.Names ?? [], trunc),
    Image: image(c, trunc),
    Command: goQuote(trunc ? ellipsis(c.Command ?? '', 20) : (c.Command ?? '')),
    CreatedAt: goTimeString(c.Created),
    RunningFor: timeAgo(c.Created, nowMs),
    Ports: displayablePorts(c.Ports ?? []),
    State: c.State ?? '',
    Status: c.Status ?? '',
    Size: size(c),
    Labels: Object.keys(labels).map((k) => `${k}=${labels[k]}`).sort().join(','),
    Mounts: (c.Mounts ?? []).map((m) => (trunc ? ellipsis(m.Name || m.Source || '', 15) : m.Name || m.Source || '')).join(','),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Driver === 'local').length),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).join(','),
  }
  return templateObject('*formatter.ContainerContext', {
    ...fields,
    Label: (name: unknown) => labels[String(name)] ?? '',
    // Sorted only when asked for: `ps` with 1000 rows would sort 1000 objects for nothing.
    toJSON: () => JSON.parse(goJson(Object.fromEntries(Object.keys(fields).sort().map((k) => [k, fields[k]])))) as unknown,
  })
}

function names(list: string[], trunc: boolean): string {
  const stripped = list.map((n) => n.replace(/^\//, ''))
  // Truncated output shows one name, skipping legacy link names ("other/alias").
  if (trunc) return stripped.find((n) => !n.includes('/')) ?? ''
  return stripped.join(',')
}

function image(c: ContainerSummary, trunc: boolean): string {
  const ref = c.Image ?? ''
  if (ref === '') return '<no image>'
  if (!trunc) return ref
  if (c.ImageID && truncateId(c.ImageID) === truncateId(ref)) return truncateId(ref)
  const { name, tag } = splitReference(ref)
  return familiarName(name) + (tag ? `:${tag}` : '')
}

function size(c: ContainerSummary): string {
  const rw = humanSize(c.SizeRw ?? 0)
  return (c.SizeRootFs ?? 0) > 0 ? `${rw} (virtual ${humanSize(c.SizeRootFs!)})` : rw
}

/** "0.0.0.0:8080->80/tcp, 9000-9001/tcp": consecutive ports grouped like docker's DisplayablePorts. */
export function displayablePorts(input: PortSummary[]): string {
  const ports = [...input].sort((a, b) =>
    a.PrivatePort - b.PrivatePort || (a.IP ?? '').localeCompare(b.IP ?? '') ||
    (a.PublicPort ?? 0) - (b.PublicPort ?? 0) || a.Type.localeCompare(b.Type))
  const groups = new Map<string, { first: number; last: number }>()
  const result: string[] = []
  const hostMappings: string[] = []
  for (const port of ports) {
    const current = port.PrivatePort
    let key = port.Type
    if (port.IP) {
      if (port.PublicPort !== current) {
        hostMappings.push(`${joinHostPort(port.IP, port.PublicPort ?? 0)}->${port.PrivatePort}/${port.Type}`)
        continue
      }
      key = `${port.IP}/${port.Type}`
    }
    const group = groups.get(key)
    if (!group) groups.set(key, { first: current, last: current })
    else if (current === group.last + 1) group.last = current
    else {
      result.push(formGroup(key, group.first, group.last))
      groups.set(key, { first: current, last: current })
    }
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last))
  return [...result, ...hostMappings].join(', ')
}

function formGroup(key: string, first: number, last: number): string {
  const slash = key.lastIndexOf('/')
  const ip = slash === -1 ? '' : key.slice(0, slash)
  const type = slash === -1 ? key : key.slice(slash + 1)
  let group = first === last ? String(first) : `${first}-${last}`
  if (ip !== '') group = `${joinHostPort(ip, group)}->${group}`
  return `${group}/${type}`
}

function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

import type { ContainerSummary, PortWire as PortSummary } from '../api/types/index.js'
import type { TemplateObject } from './template-exec.js'
import { TYPE_NAME } from './template-values.js'
import { goJson } from './template-funcs.js'
import { familiarName, splitReference } from './references.js'
import { goTimeString } from './time.js'
import { compareStrings } from '../common/compare.js'
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

/** The fields of a ContainerContext, in docker's order (what `{{.}}` prints). */
const CONTAINER_FIELDS = ['ID', 'Names', 'Image', 'Command', 'CreatedAt', 'RunningFor', 'Ports', 'State', 'Status', 'Size', 'Labels', 'Mounts', 'LocalVolumes', 'Networks'] as const
const SORTED_FIELDS = [...CONTAINER_FIELDS].sort()

/** A ContainerContext field (every one is a string): what containerCell() computes. */
export type ContainerCellField = (typeof CONTAINER_FIELDS)[number]

/**
 * docker's formatter.ContainerContext for one `ps` row. Each field is a getter, made when a template
 * reads it: the default table reads 7 of the 14, and a list of 1000 rows made every one of them.
 */
export function containerContext(c: ContainerSummary, trunc: boolean, nowMs: number = Date.now()): TemplateObject {
  const labels = c.Labels ?? {}
  const context = {
    get ID() { return containerCell(c, 'ID', trunc, nowMs) },
    get Names() { return containerCell(c, 'Names', trunc, nowMs) },
    get Image() { return containerCell(c, 'Image', trunc, nowMs) },
    get Command() { return containerCell(c, 'Command', trunc, nowMs) },
    get CreatedAt() { return containerCell(c, 'CreatedAt', trunc, nowMs) },
    get RunningFor() { return containerCell(c, 'RunningFor', trunc, nowMs) },
    get Ports() { return containerCell(c, 'Ports', trunc, nowMs) },
    get State() { return containerCell(c, 'State', trunc, nowMs) },
    get Status() { return containerCell(c, 'Status', trunc, nowMs) },
    get Size() { return containerCell(c, 'Size', trunc, nowMs) },
    get Labels() { return containerCell(c, 'Labels', trunc, nowMs) },
    get Mounts() { return containerCell(c, 'Mounts', trunc, nowMs) },
    get LocalVolumes() { return containerCell(c, 'LocalVolumes', trunc, nowMs) },
    get Networks() { return containerCell(c, 'Networks', trunc, nowMs) },
    Label: (name: unknown) => labels[String(name)] ?? '',
    toJSON: () => JSON.parse(goJson(Object.fromEntries(SORTED_FIELDS.map((k) => [k, context[k]])))) as unknown,
    [TYPE_NAME]: '*formatter.ContainerContext',
  }
  return context as unknown as TemplateObject
}

/** Whether `field` is one of a ContainerContext's string fields (containerCell() knows it). */
export function isContainerCell(field: string): field is ContainerCellField {
  return CELL_FIELDS.has(field)
}

const CELL_FIELDS: ReadonlySet<string> = new Set(CONTAINER_FIELDS)

/**
 * One field of a ContainerContext without making the context: what a template prints for
 * `{{.Field}}`. renderPs() builds the rows of simple templates from it directly.
 */
export function containerCell(c: ContainerSummary, field: ContainerCellField, trunc: boolean, nowMs: number): string {
  switch (field) {
    case 'ID': return trunc ? truncateId(c.Id) : c.Id
    case 'Names': return names(c.Names ?? [], trunc)
    case 'Image': return image(c, trunc)
    case 'Command': return goQuote(trunc ? ellipsis(c.Command ?? '', 20) : (c.Command ?? ''))
    case 'CreatedAt': return goTimeString(c.Created)
    case 'RunningFor': return timeAgo(c.Created, nowMs)
    case 'Ports': return displayablePorts(c.Ports ?? [])
    case 'State': return c.State ?? ''
    case 'Status': return c.Status ?? ''
    case 'Size': return size(c)
    case 'Labels': {
      const labels = c.Labels ?? {}
      return Object.keys(labels).map((k) => `${k}=${labels[k]}`).sort().join(',')
    }
    case 'Mounts': return (c.Mounts ?? []).map((m) => (trunc ? ellipsis(m.Name || m.Source || '', 15) : m.Name || m.Source || '')).join(',')
    case 'LocalVolumes': return String((c.Mounts ?? []).filter((m) => m.Driver === 'local').length)
    case 'Networks': return Object.keys(c.NetworkSettings?.Networks ?? {}).join(',')
  }
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
  let short = shortImages.get(ref)
  if (short === undefined) {
    const { name, tag } = splitReference(ref)
    short = familiarName(name) + (tag ? `:${tag}` : '')
    if (shortImages.size > 1000) shortImages.clear()
    shortImages.set(ref, short)
  }
  return short
}

/** ref -> its short form: the rows of a list share a few images. */
const shortImages = new Map<string, string>()

function size(c: ContainerSummary): string {
  const rw = humanSize(c.SizeRw ?? 0)
  return (c.SizeRootFs ?? 0) > 0 ? `${rw} (virtual ${humanSize(c.SizeRootFs!)})` : rw
}

/** "0.0.0.0:8080->80/tcp, 9000-9001/tcp": consecutive ports grouped like docker's DisplayablePorts. */
export function displayablePorts(input: PortSummary[]): string {
  const ports = [...input].sort((a, b) =>
    a.PrivatePort - b.PrivatePort || compareStrings(a.IP ?? '', b.IP ?? '') ||
    (a.PublicPort ?? 0) - (b.PublicPort ?? 0) || compareStrings(a.Type, b.Type))
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

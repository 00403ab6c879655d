import type { Volume } from '../../../client/index.js'
import { templateObject, type TemplateObject, humanSize } from '../../../format/index.js'

export const DEFAULT_VOLUME_TABLE = 'table {{.Driver}}\t{{.Name}}'

export const VOLUME_HEADERS: Record<string, string> = {
  Name: 'VOLUME NAME',
  Driver: 'DRIVER',
  Scope: 'SCOPE',
  Mountpoint: 'MOUNTPOINT',
  Labels: 'LABELS',
  Links: 'LINKS',
  Size: 'SIZE',
  Group: 'GROUP',
  Availability: 'AVAILABILITY',
  Status: 'STATUS',
}

/** docker's volumeContext: one `volume ls` row; Label "k" looks up one label. */
export function volumeContext(v: Volume): TemplateObject {
  const labels = v.Labels ?? {}
  // Alphabetical, as docker's JSON of the context's map.
  const fields: Record<string, unknown> = {
    Availability: 'N/A',
    Driver: v.Driver,
    Group: 'N/A',
    Labels: Object.entries(labels).map(([k, val]) => `${k}=${val}`).join(','),
    Links: v.UsageData ? String(v.UsageData.RefCount) : 'N/A',
    Mountpoint: v.Mountpoint,
    Name: v.Name,
    Scope: v.Scope,
    Size: v.UsageData && v.UsageData.Size >= 0 ? humanSize(v.UsageData.Size) : 'N/A',
    Status: 'N/A',
  }
  const json = { ...fields }
  return templateObject('*formatter.volumeContext', { ...fields, Label: (name: unknown) => labels[String(name)] ?? '', toJSON: () => json })
}

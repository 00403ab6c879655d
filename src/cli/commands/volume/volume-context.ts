import type { Volume } from '../../../client/index.js'
import { templateObject, type TemplateObject } from '../../render/template-exec.js'
import { humanSize } from '../../render/units.js'

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
  const fields: Record<string, unknown> = {
    Name: v.Name,
    Driver: v.Driver,
    Scope: v.Scope,
    Mountpoint: v.Mountpoint,
    Labels: Object.entries(labels).map(([k, val]) => `${k}=${val}`).join(','),
    Links: v.UsageData ? String(v.UsageData.RefCount) : 'N/A',
    Size: v.UsageData && v.UsageData.Size >= 0 ? humanSize(v.UsageData.Size) : 'N/A',
    Group: 'N/A',
    Availability: 'N/A',
    Status: 'N/A',
  }
  const json = { ...fields }
  return templateObject('*formatter.volumeContext', { ...fields, Label: (name: unknown) => labels[String(name)] ?? '', toJSON: () => json })
}

import type { ProgressEvent } from '../../engine/images/index.js'
import type { JsonStreamMessage } from '../types/index.js'

/** go-units HumanSize: decimal units, 4 significant digits ("1.234MB", "512B"). */
export function humanSizeDecimal(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB', 'PB']
  let v = bytes
  let i = 0
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  return `${Number(v.toPrecision(4))}${units[i]}`
}

/**
 * moby's JSONProgress.String() as the daemon renders it (terminal width 200): a 50-column bar,
 * then current/total in decimal units.
 */
export function progressBar(current: number, total: number | undefined): string {
  if (current <= 0 && (total ?? 0) <= 0) return ''
  if (total === undefined || total <= 0) return humanSizeDecimal(current).padStart(8)
  let pct = Math.floor((current / total) * 100 / 2)
  if (pct > 50) pct = 50
  const bar = `[${'='.repeat(pct)}>${' '.repeat(Math.max(0, 50 - pct))}] `
  const numbers = current > total ? humanSizeDecimal(current).padStart(8) : `${humanSizeDecimal(current).padStart(8)}/${humanSizeDecimal(total)}`
  return bar + numbers
}

/** One engine progress event as Docker's JSON message. */
export function progressMessage(event: ProgressEvent): JsonStreamMessage {
  if (event.aux !== undefined) return { progressDetail: {}, aux: event.aux }
  const msg: JsonStreamMessage = { status: event.status }
  if (event.current !== undefined) {
    msg.progressDetail = { current: event.current, ...(event.total !== undefined ? { total: event.total } : {}) }
    msg.progress = progressBar(event.current, event.total)
  } else if (event.id !== undefined) msg.progressDetail = {}
  if (event.id !== undefined) msg.id = event.id
  return msg
}

import { ComposeError } from './compose-error.js'

/**
 * Compose's scalar units: Go-style durations ("1m30s", "500ms") in nanoseconds and docker's
 * RAM sizes ("512m", "1gb", binary multiples) in bytes, plus the renderings `compose config` uses.
 */

const DURATION_UNITS: Record<string, number> = {
  ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9,
}

/** Parses a Go duration string (or a plain number of seconds) into nanoseconds; null if invalid. */
export function parseDuration(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.round(value * 1e9) : null
  if (typeof value !== 'string') return null
  let text = value.trim()
  if (text === '') return null
  let sign = 1
  if (text[0] === '-' || text[0] === '+') { if (text[0] === '-') sign = -1; text = text.slice(1) }
  if (text === '0') return 0
  if (/^\d+(\.\d+)?$/.test(text)) return sign * Math.round(Number(text) * 1e9)
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y
  let total = 0
  let pos = 0
  while (pos < text.length) {
    re.lastIndex = pos
    const m = re.exec(text)
    if (!m) return null
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!
    pos = re.lastIndex
  }
  return sign * Math.round(total)
}

/** Like parseDuration but throws a ComposeError naming `where`. */
export function requireDuration(value: unknown, where: string, file?: string): number {
  const ns = parseDuration(value)
  if (ns === null) throw new ComposeError(`${prefix(file)}${where}: invalid duration ${JSON.stringify(value)}`, { file, path: where })
  return ns
}

/** Go's time.Duration.String(): "1m30s", "500ms", "1h0m0s", "0s". */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s'
  const neg = ns < 0
  let u = Math.abs(Math.round(ns))
  let out: string
  if (u < 1e9) {
    if (u < 1e3) out = `${u}ns`
    else if (u < 1e6) out = `${trimFraction(u / 1e3)}µs`
    else out = `${trimFraction(u / 1e6)}ms`
  } else {
    const hours = Math.floor(u / 3600e9)
    u -= hours * 3600e9
    const minutes = Math.floor(u / 60e9)
    u -= minutes * 60e9
    const seconds = `${trimFraction(u / 1e9)}s`
    out = hours > 0 ? `${hours}h${minutes}m${seconds}` : minutes > 0 ? `${minutes}m${seconds}` : seconds
  }
  return neg ? `-${out}` : out
}

function trimFraction(n: number): string {
  return String(Number(n.toFixed(9)))
}

const SIZE_MULTIPLIERS: Record<string, number> = {
  '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5,
}

/** docker/go-units RAMInBytes: "512m", "1g", "1gb", "1GiB", "2048" (bytes); null if invalid. */
export function parseSize(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : null
  if (typeof value !== 'string') return null
  const m = /^(\d+(?:\.\d+)?) ?([kmgtpb])?i?b?$/i.exec(value.trim())
  if (!m) return null
  const unit = (m[2] ?? '').toLowerCase()
  return Math.floor(Number(m[1]) * SIZE_MULTIPLIERS[unit]!)
}

/** Like parseSize but throws a ComposeError naming `where`. */
export function requireSize(value: unknown, where: string, file?: string): number {
  const bytes = parseSize(value)
  if (bytes === null) throw new ComposeError(`${prefix(file)}${where}: invalid size ${JSON.stringify(value)}`, { file, path: where })
  return bytes
}

function prefix(file: string | undefined): string {
  return file ? `${file}: ` : ''
}

// Go time layouts docker prints, and docker's parsing of --since/--until values.
import { isoTime } from '../common/index.js'

const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

function zoneOffset(date: Date, separator: string): string {
  const minutes = -date.getTimezoneOffset()
  const sign = minutes >= 0 ? '+' : '-'
  const abs = Math.abs(minutes)
  return `${sign}${pad(Math.trunc(abs / 60))}${separator}${pad(abs % 60)}`
}

function zoneName(date: Date): string {
  if (date.getTimezoneOffset() === 0 && (process.env.TZ === undefined || /^(UTC|Etc\/UTC|)$/.test(process.env.TZ))) return 'UTC'
  const part = new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName')
  const name = part?.value ?? ''
  return /^GMT[+-]/.test(name) || name === '' ? zoneOffset(date, '').slice(0, 3) : name
}

function localDateTime(date: Date, separator: string): string {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}${separator}` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
}

/** Go's time.Time.String() in local time: "2006-01-02 15:04:05 -0700 MST". */
export function goTimeString(unixSeconds: number): string {
  const date = new Date(unixSeconds * 1000)
  return `${localDateTime(date, ' ')} ${zoneOffset(date, '')} ${zoneName(date)}`
}

/** time.RFC3339 in UTC: "2006-01-02T15:04:05Z". */
export function rfc3339Utc(unixSeconds: number): string {
  return isoTime(unixSeconds * 1000).replace(/\.\d+Z$/, 'Z')
}

/** jsonmessage.RFC3339NanoFixed in local time: "2006-01-02T15:04:05.000000000Z07:00". */
export function rfc3339NanoFixed(unixNanos: bigint): string {
  const date = new Date(Number(unixNanos / 1_000_000n))
  const nanos = pad(Number(((unixNanos % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n), 9)
  const offset = date.getTimezoneOffset() === 0 ? 'Z' : zoneOffset(date, ':')
  return `${localDateTime(date, 'T')}.${nanos}${offset}`
}

const durationUnits: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** Go's time.ParseDuration, in milliseconds; undefined when `text` is not a duration. */
export function parseGoDuration(text: string): number | undefined {
  const m = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(text)
  if (!m) return text === '0' ? 0 : undefined
  let total = 0
  for (const part of text.slice(m[1]!.length).matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(part[1]) * durationUnits[part[2]!]!
  }
  return m[1] === '-' ? -total : total
}

/**
 * docker's timetypes.GetTimestamp for --since/--until: a Go duration means that long before
 * `nowMs`, an RFC 3339 date or date-time (local time when it has no zone) becomes
 * "seconds.nanoseconds", and a unix timestamp passes through.
 */
export function toDaemonTimestamp(value: string, nowMs: number = Date.now()): string {
  const duration = value === '0' ? undefined : parseGoDuration(value)
  if (duration !== undefined) return String(Math.floor((nowMs - duration) / 1000))
  if (/^\d+(\.\d+)?$/.test(value)) return value
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})(?::(\d{2}))?(?::(\d{2}))?(?:\.(\d{1,9}))?)?(Z|z|[+-]\d{2}:\d{2})?$/.exec(value)
  if (!m) {
    if (value.includes('-')) throw new Error(`parsing time "${value}": cannot parse "${value}" as RFC 3339`)
    throw new Error(`failed to parse value as time or duration: "${value}"`)
  }
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m
  let ms: number
  if (zone === undefined) {
    ms = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)).getTime()
  } else {
    ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s))
    if (zone !== 'Z' && zone !== 'z') {
      const sign = zone[0] === '-' ? -1 : 1
      ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000
    }
  }
  return `${Math.floor(ms / 1000)}.${frac.padEnd(9, '0')}`
}

import { humanDuration } from '../common/index.js'
// Human-readable numbers and strings exactly as Docker's CLI prints them (docker/go-units,
// docker/cli formatter helpers, Go's strconv.Quote).

const decimalUnits = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB']

/** go-units HumanSizeWithPrecision: base 1000, `precision` significant digits ("4.26MB"). */
export function humanSize(bytes: number, precision = 3): string {
  let size = bytes
  let unit = 0
  while (size >= 1000 && unit < decimalUnits.length - 1) {
    size /= 1000
    unit++
  }
  return formatG(size, precision) + decimalUnits[unit]
}

/** go-units HumanSize: 4 significant digits. */
export function humanSizeLong(bytes: number): string {
  return humanSize(bytes, 4)
}

/** Go's fmt %.{precision}g: shortest of %e/%f, trailing zeros removed, two-digit exponent. */
export function formatG(value: number, precision: number): string {
  if (value === 0) return '0'
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : value < 0 ? '-Inf' : 'NaN'
  const p = Math.max(precision, 1)
  const [mantissa = '', expText = '0'] = value.toExponential(p - 1).split('e')
  const exp = Number(expText)
  if (exp < -4 || exp >= p) {
    const m = stripZeros(mantissa)
    const sign = exp < 0 ? '-' : '+'
    return `${m}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`
  }
  return stripZeros(value.toFixed(Math.max(p - 1 - exp, 0)))
}

function stripZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text
}

export { humanDuration }

/** "<duration> ago" from a unix time in seconds, as `docker ps` and `docker images` show it. */
export function timeAgo(unixSeconds: number, nowMs: number = Date.now()): string {
  return `${humanDuration(nowMs - unixSeconds * 1000)} ago`
}

/** docker's stringid.TruncateID: drops an algorithm prefix and keeps 12 characters. */
export function truncateId(id: string): string {
  const colon = id.indexOf(':')
  const hex = colon >= 0 ? id.slice(colon + 1) : id
  return hex.length > 12 ? hex.slice(0, 12) : hex
}

/** docker's formatter.Ellipsis: at most `max` characters, the last one replaced by "…". */
export function ellipsis(text: string, max: number): string {
  if (max <= 0) return ''
  const chars = Array.from(text)
  if (max === 1) return chars[0] ?? ''
  if (chars.length <= max) return text
  return chars.slice(0, max - 1).join('') + '…'
}

/** Go's strconv.Quote: double quotes, Go escapes for control characters, UTF-8 kept. */
export function goQuote(text: string): string {
  let out = '"'
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    switch (ch) {
      case '"': out += '\\"'; break
      case '\\': out += '\\\\'; break
      case '\x07': out += '\\a'; break
      case '\b': out += '\\b'; break
      case '\f': out += '\\f'; break
      case '\n': out += '\\n'; break
      case '\r': out += '\\r'; break
      case '\t': out += '\\t'; break
      case '\v': out += '\\v'; break
      default:
        if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`
        else if (code >= 0x80 && code < 0xa0) out += `\\u${code.toString(16).padStart(4, '0')}`
        else out += ch
    }
  }
  return out + '"'
}

const binaryUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB']

/** go-units BytesSize: base 1024, 4 significant digits ("1.5MiB", "7.668GiB"). */
export function bytesSize(bytes: number): string {
  let size = bytes
  let unit = 0
  while (size >= 1024 && unit < binaryUnits.length - 1) {
    size /= 1024
    unit++
  }
  return formatG(size, 4) + binaryUnits[unit]
}

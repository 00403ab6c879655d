// Template functions: Go's builtins that docker formats use plus docker/cli's templates package
// (json, split, join, title, lower, upper, pad, truncate).
import { isTrue, printValue } from './template-values.js'

export type TemplateFunction = (...args: unknown[]) => unknown

const str = (value: unknown): string => (typeof value === 'string' ? value : printValue(value))

/** encoding/json with SetEscapeHTML(false); objects keep their key order. */
export function goJson(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value, (_key, v: unknown) => (v === undefined ? null : v)) ?? 'null'
}

function index(collection: unknown, ...keys: unknown[]): unknown {
  let value = collection
  for (const key of keys) {
    if (Array.isArray(value)) {
      const i = Number(key)
      if (!Number.isInteger(i) || i < 0 || i >= value.length) throw new Error(`index out of range: ${printValue(key)}`)
      value = value[i]
    } else if (typeof value === 'object' && value !== null) {
      const map = value as Record<string, unknown>
      if (Object.prototype.hasOwnProperty.call(map, str(key))) value = map[str(key)]
      // A missing key gives the map's zero value: "" for string maps such as Labels.
      else value = Object.values(map).every((v) => typeof v === 'string') ? '' : undefined
    } else if (value === null || value === undefined) {
      throw new Error('index of untyped nil')
    } else {
      throw new Error(`can't index item of type ${typeof value}`)
    }
  }
  return value
}

function compare(op: string, a: unknown, b: unknown): boolean {
  if (typeof a !== typeof b && !(a === null || b === null)) throw new Error('incompatible types for comparison')
  switch (op) {
    case 'lt': return (a as number) < (b as number)
    case 'le': return (a as number) <= (b as number)
    case 'gt': return (a as number) > (b as number)
    default: return (a as number) >= (b as number)
  }
}

/** A small fmt.Sprintf: %s %v %d %q %t %x %%, with width, '-' and '0' flags. */
export function sprintf(format: string, ...args: unknown[]): string {
  let n = 0
  return format.replace(/%([-0]*)(\d*)(?:\.(\d+))?([svdqtxX%])/g, (_all, flags: string, width: string, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%'
    if (n >= args.length) return `%!${verb}(MISSING)`
    const arg = args[n++]
    let text: string
    switch (verb) {
      case 'd': text = typeof arg === 'number' ? Math.trunc(arg).toString() : `%!d(${typeof arg}=${printValue(arg)})`; break
      case 'q': text = JSON.stringify(str(arg)); break
      case 'x': text = typeof arg === 'number' ? arg.toString(16) : Buffer.from(str(arg)).toString('hex'); break
      case 'X': text = typeof arg === 'number' ? arg.toString(16).toUpperCase() : Buffer.from(str(arg)).toString('hex').toUpperCase(); break
      default: text = str(arg)
    }
    if (precision !== undefined && verb === 's') text = text.slice(0, Number(precision))
    const w = Number(width || 0)
    if (text.length < w) text = flags.includes('-') ? text.padEnd(w) : text.padStart(w, flags.includes('0') ? '0' : ' ')
    return text
  })
}

function title(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_m, sep: string, ch: string) => sep + ch.toUpperCase())
}

function print(...args: unknown[]): string {
  // fmt.Sprint adds spaces between operands when neither side is a string.
  let out = ''
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string') out += ' '
    out += str(arg)
  })
  return out
}

export const basicFunctions: Record<string, TemplateFunction> = {
  and: (...args) => args.find((a) => !isTrue(a)) ?? args.at(-1),
  or: (...args) => args.find((a) => isTrue(a)) ?? args.at(-1),
  not: (a) => !isTrue(a),
  len: (a) => {
    if (typeof a === 'string' || Array.isArray(a)) return a.length
    if (typeof a === 'object' && a !== null) return Object.keys(a).length
    throw new Error(`len of type ${typeof a}`)
  },
  index: (collection, ...keys) => index(collection, ...keys),
  slice: (s, start, end) => (typeof s === 'string' || Array.isArray(s) ? s.slice(Number(start ?? 0), end === undefined ? undefined : Number(end)) : s),
  print: (...args) => print(...args),
  println: (...args) => `${args.map(str).join(' ')}\n`,
  printf: (format, ...args) => sprintf(str(format), ...args),
  eq: (a, ...rest) => rest.some((b) => a === b),
  ne: (a, b) => a !== b,
  lt: (a, b) => compare('lt', a, b),
  le: (a, b) => compare('le', a, b),
  gt: (a, b) => compare('gt', a, b),
  ge: (a, b) => compare('ge', a, b),
  json: (v) => goJson(v),
  split: (s, sep) => str(s).split(str(sep)),
  join: (list, sep) => (Array.isArray(list) ? list.map(str).join(str(sep)) : str(list)),
  title: (s) => title(str(s)),
  lower: (s) => str(s).toLowerCase(),
  upper: (s) => str(s).toUpperCase(),
  pad: (s, prefix, suffix) => (str(s) === '' ? '' : ' '.repeat(Number(prefix)) + str(s) + ' '.repeat(Number(suffix))),
  truncate: (s, length) => (str(s).length < Number(length) ? str(s) : str(s).slice(0, Number(length))),
}

/** docker's HeaderFunctions: in a table header these return the column name unchanged. */
export const headerFunctions: Record<string, TemplateFunction> = {
  json: (v) => v,
  split: (v) => v,
  join: (v) => v,
  title: (v) => v,
  lower: (v) => v,
  upper: (v) => v,
  truncate: (v) => v,
}

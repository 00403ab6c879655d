import { ComposeError } from './compose-error.js'

/** Helpers for the untyped YAML tree (after parsing, before normalization). */

export type RawMap = Record<string, unknown>

/** A plain mapping (not a list, not a tag wrapper). */
export function isMap(value: unknown): value is RawMap {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

/** Where in which file a raw value came from, for error messages. */
export interface RawContext {
  file?: string
  /** Dotted key path of the value ("services.web.ports[0]"). */
  path: string
}

export function fail(ctx: RawContext, message: string): never {
  throw new ComposeError(`${ctx.file ? `${ctx.file}: ` : ''}${ctx.path}: ${message}`, { file: ctx.file, path: ctx.path })
}

export function child(ctx: RawContext, key: string | number): RawContext {
  return { file: ctx.file, path: typeof key === 'number' ? `${ctx.path}[${key}]` : ctx.path ? `${ctx.path}.${key}` : key }
}

/** Scalar → string as Compose prints it (numbers and booleans keep their YAML spelling). */
export function scalarString(value: unknown): string {
  if (value === null || value === undefined) return ''
  return typeof value === 'string' ? value : String(value)
}

/** A YAML boolean or one of the strings YAML 1.1 / Go's ParseBool accept. */
export function toBool(value: unknown, ctx: RawContext): boolean {
  if (typeof value === 'boolean') return value
  if (typeof value === 'string') {
    const v = value.toLowerCase()
    if (['true', 'yes', 'y', 'on', '1'].includes(v)) return true
    if (['false', 'no', 'n', 'off', '0'].includes(v)) return false
  }
  fail(ctx, `invalid boolean ${JSON.stringify(value)}`)
}

export function toInt(value: unknown, ctx: RawContext): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value
  if (typeof value === 'string' && /^[-+]?\d+$/.test(value.trim())) return Number(value.trim())
  fail(ctx, `invalid integer ${JSON.stringify(value)}`)
}

export function toNumber(value: unknown, ctx: RawContext): number {
  if (typeof value === 'number') return value
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value)
  fail(ctx, `invalid number ${JSON.stringify(value)}`)
}

/** A string or a list of strings → list (Compose accepts both for dns, tmpfs, env_file...). */
export function toStringList(value: unknown): string[] {
  if (value === undefined || value === null) return []
  return (Array.isArray(value) ? value : [value]).map(scalarString)
}

/**
 * List-or-dict syntax (environment, labels, args, sysctls...) → mapping. "KEY=VALUE" items
 * split at the first "="; a bare "KEY" maps to null (or "" when `bareIsEmpty`).
 */
export function listOrMapToMap(value: unknown, bareIsEmpty = false): Record<string, string | null> {
  const out: Record<string, string | null> = {}
  if (Array.isArray(value)) {
    for (const item of value) {
      const text = scalarString(item)
      const eq = text.indexOf('=')
      if (eq < 0) out[text] = bareIsEmpty ? '' : null
      else out[text.slice(0, eq)] = text.slice(eq + 1)
    }
  } else if (isMap(value)) {
    for (const [key, v] of Object.entries(value)) out[key] = v === null || v === undefined ? (bareIsEmpty ? '' : null) : scalarString(v)
  }
  return out
}

/** Same as listOrMapToMap with nulls turned into "" (labels, annotations). */
export function toStringMap(value: unknown): Record<string, string> {
  return listOrMapToMap(value, true) as Record<string, string>
}

/**
 * The file a canonical service was (last) defined in, carried as a symbol so it survives spreads
 * and merges but never shows up in Object.entries or JSON.
 */
export const SOURCE_FILE = Symbol('compose.sourceFile')

export function sourceFileOf(value: unknown): string | undefined {
  return isMap(value) ? (value as { [SOURCE_FILE]?: string })[SOURCE_FILE] : undefined
}

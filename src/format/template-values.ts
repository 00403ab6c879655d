// The value model templates run on: decoded JSON, plus Go-struct-like objects for docker's
// formatter contexts. Printing and truth follow Go's fmt and text/template.

export const TYPE_NAME = Symbol('templateTypeName')
export const LENIENT = Symbol('templateLenient')

/**
 * A Go struct as templates see it (docker's formatter contexts): fields are properties,
 * methods are functions, and a missing field is an error naming `typeName`. A lenient object
 * behaves like a Go map: a missing key prints "<no value>" (docker's table header context).
 */
export type TemplateObject = Record<string, unknown>

export function templateObject(typeName: string, fields: Record<string, unknown>, options: { lenient?: boolean } = {}): TemplateObject {
  const object: Record<string | symbol, unknown> = { ...fields }
  object[TYPE_NAME] = typeName
  if (options.lenient) object[LENIENT] = true
  return object as TemplateObject
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A decoded JSON object that stands for a Go struct: non-empty with only capitalised keys. */
export function isStruct(value: Record<string, unknown>): boolean {
  if ((value as Record<symbol, unknown>)[TYPE_NAME] !== undefined) return true
  const keys = Object.keys(value)
  return keys.length > 0 && keys.every((k) => /^[A-Z]/.test(k))
}

export function goTypeName(value: unknown): string {
  if (typeof value === 'string') return 'string'
  if (typeof value === 'boolean') return 'bool'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64'
  if (Array.isArray(value)) return '[]interface {}'
  if (isPlainObject(value)) return ((value as Record<symbol, unknown>)[TYPE_NAME] as string | undefined) ?? 'map[string]interface {}'
  return 'interface {}'
}

/** Go's truth for if/with/and/or: zero values and empty collections are false. */
export function isTrue(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false
  if (Array.isArray(value)) return value.length > 0
  if (isPlainObject(value)) return isStruct(value) || Object.keys(value).length > 0
  return true
}

/** fmt's %v for decoded JSON: maps as map[k:v], slices as [a b], missing values as <no value>. */
export function printValue(value: unknown): string {
  if (value === undefined) return '<no value>'
  if (value === null) return '<nil>'
  if (typeof value === 'string') return value
  if (typeof value === 'number') return formatNumber(value)
  if (typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (Array.isArray(value)) return `[${value.map(printElement).join(' ')}]`
  if (isPlainObject(value)) {
    if ((value as Record<symbol, unknown>)[TYPE_NAME] !== undefined) {
      const fields = Object.values(value).filter((v) => typeof v !== 'function')
      return `{${fields.map(printElement).join(' ')}}`
    }
    return `map[${Object.keys(value).sort().map((k) => `${k}:${printElement(value[k])}`).join(' ')}]`
  }
  return String(value)
}

function printElement(value: unknown): string {
  return value === undefined ? '<nil>' : printValue(value)
}

function formatNumber(value: number): string {
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return value.toFixed(0)
  return String(value)
}

import { EngineError } from '../../common/index.js'

/**
 * Parses Docker's `filters` query parameter. Current clients send {"key": {"value": true}},
 * old ones {"key": ["value"]}; both become {key: [values]}.
 */
export function parseFilters(raw: string | null | undefined): Record<string, string[]> {
  if (raw === null || raw === undefined || raw.trim() === '') return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch (err) {
    throw new EngineError('InvalidArgument', 'INVALID_FILTER', `invalid filter: ${(err as Error).message}`, { cause: err })
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new EngineError('InvalidArgument', 'INVALID_FILTER', 'invalid filter: expected a JSON object')
  }
  const out: Record<string, string[]> = {}
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(value)) out[key] = value.map(String)
    else if (value !== null && typeof value === 'object') {
      out[key] = Object.entries(value as Record<string, unknown>).filter(([, on]) => on === true).map(([v]) => v)
    } else {
      throw new EngineError('InvalidArgument', 'INVALID_FILTER', `invalid filter: value of "${key}" must be an object or an array`)
    }
  }
  return out
}

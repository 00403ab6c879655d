import type { Filters } from '../../../client/index.js'
import { CliError } from '../../render/errors.js'

/** docker's --filter key=value flags, repeatable; the same key may appear several times. */
export function parseFilters(values: string[]): Filters {
  const filters: Filters = {}
  for (const value of values) {
    const eq = value.indexOf('=')
    if (eq <= 0) throw new CliError(`bad format of filter (expected name=value)`, 125)
    const key = value.slice(0, eq).trim().toLowerCase()
    ;(filters[key] ??= []).push(value.slice(eq + 1).trim())
  }
  return filters
}

import { invalid } from '../../common/index.js'
import { familiarName, familiarReference } from './reference.js'

/** Filters `GET /images/json` accepts (moby's acceptedImageFilterTags). */
const acceptedFilters = new Set(['dangling', 'label', 'before', 'since', 'reference', 'until'])

export function validateImageFilters(filters: Record<string, string[]>): void {
  for (const key of Object.keys(filters)) {
    if (!acceptedFilters.has(key)) throw invalid('INVALID_FILTER', `invalid filter '${key}'`)
  }
  for (const v of filters.dangling ?? []) {
    if (!['true', 'false', '1', '0'].includes(v.toLowerCase())) throw invalid('INVALID_FILTER', `invalid filter 'dangling=${v}'`)
  }
}

/** dangling=true -> true, dangling=false -> false, absent -> undefined. */
export function danglingFilter(filters: Record<string, string[]>): boolean | undefined {
  const values = filters.dangling
  if (!values || values.length === 0) return undefined
  return values.some((v) => v === 'true' || v === '1')
}

/**
 * Go's path.Match: '*' is any run of non-'/' characters, '?' one non-'/' character, '[...]' a class
 * ('^' negates), '\' escapes. InvalidArgument for a malformed pattern.
 */
export function globToRegExp(pattern: string): RegExp {
  let re = '^'
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string
    if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '\\') {
      const next = pattern[++i]
      if (next === undefined) throw invalid('INVALID_FILTER', 'syntax error in pattern')
      re += escapeRe(next)
    } else if (c === '[') {
      const end = pattern.indexOf(']', i + 2)
      if (end < 0) throw invalid('INVALID_FILTER', 'syntax error in pattern')
      let body = pattern.slice(i + 1, end)
      const negate = body.startsWith('^')
      if (negate) body = body.slice(1)
      if (body === '') throw invalid('INVALID_FILTER', 'syntax error in pattern')
      re += `[${negate ? '^/' : ''}${body.replace(/[\]\\^]/g, '\\$&')}]`
      i = end
    } else re += escapeRe(c)
  }
  return new RegExp(`${re}$`)
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')

/** Docker's reference.FamiliarMatch: the pattern against "name:tag", then against "name". */
export function referenceMatches(pattern: string, normalizedRef: string): boolean {
  const re = globToRegExp(pattern)
  return re.test(familiarReference(normalizedRef)) || re.test(familiarName(normalizedRef))
}

/** label=key or label=key=value: every condition must hold. */
export function labelsMatch(conditions: readonly string[], labels: Record<string, string> | undefined): boolean {
  return conditions.every((cond) => {
    const i = cond.indexOf('=')
    const key = i < 0 ? cond : cond.slice(0, i)
    if (!labels || !(key in labels)) return false
    return i < 0 || labels[key] === cond.slice(i + 1)
  })
}

/** `until`: unix seconds, RFC 3339 time, or a Go duration ("10m", "1h30m") before now. Returns ms. */
export function parseTimestamp(value: string, now: Date): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000
  const dur = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(value)
  if (dur && value !== '') {
    const [, h = '0', m = '0', s = '0'] = dur
    return now.getTime() - ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000
  }
  const t = Date.parse(value)
  if (Number.isNaN(t)) throw invalid('INVALID_FILTER', `failed to parse value as time or duration: "${value}"`)
  return t
}

import { ComposeError } from './compose-error.js'
import { OverrideTag, ResetTag } from './yaml-tags.js'

/**
 * Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
 * `${VAR:?err}`, `${VAR?err}`, `${VAR:+alt}`, `${VAR+alt}` (defaults and alternatives are
 * themselves templates, so they nest), and `$$` for a literal `$`.
 */

export type Lookup = (name: string) => string | undefined

export class TemplateError extends Error {
  constructor(readonly kind: 'invalid' | 'required', message: string) {
    super(message)
  }
}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/

/**
 * Substitutes variables in `text`. `onUnset` is called for a variable that is unset and has no
 * default (it becomes ""). Throws TemplateError for a bad template or a missing required variable.
 */
export function substitute(text: string, lookup: Lookup, onUnset: (name: string) => void = () => {}): string {
  let out = ''
  let i = 0
  while (i < text.length) {
    const dollar = text.indexOf('$', i)
    if (dollar < 0) { out += text.slice(i); break }
    out += text.slice(i, dollar)
    const next = text[dollar + 1]
    if (next === '$') { out += '$'; i = dollar + 2; continue }
    if (next === '{') {
      const close = matchingBrace(text, dollar + 2)
      if (close < 0) throw invalid(text)
      out += braced(text.slice(dollar + 2, close), text, lookup, onUnset)
      i = close + 1
      continue
    }
    const m = NAME.exec(text.slice(dollar + 1))
    if (!m) throw invalid(text)
    const value = lookup(m[0])
    if (value === undefined) onUnset(m[0])
    out += value ?? ''
    i = dollar + 1 + m[0].length
  }
  return out
}

function braced(body: string, whole: string, lookup: Lookup, onUnset: (name: string) => void): string {
  const m = NAME.exec(body)
  if (!m) throw invalid(whole)
  const name = m[0]
  const rest = body.slice(name.length)
  const value = lookup(name)
  if (rest === '') {
    if (value === undefined) onUnset(name)
    return value ?? ''
  }
  const op = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)
  if (!op) throw invalid(whole)
  const arg = rest.slice(op[0].length)
  const empty = value === undefined || (op[0].startsWith(':') && value === '')
  switch (op[0]) {
    case ':-': case '-':
      return empty ? substitute(arg, lookup, onUnset) : value!
    case ':?': case '?':
      if (empty) {
        const reason = substitute(arg, lookup, onUnset)
        throw new TemplateError('required', reason
          ? `required variable ${name} is missing a value: ${reason}`
          : `required variable ${name} is missing a value`)
      }
      return value!
    default:
      return empty ? '' : substitute(arg, lookup, onUnset)
  }
}

function matchingBrace(text: string, from: number): number {
  let depth = 1
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '$') { i++; continue }
    if (text[i] === '$' && text[i + 1] === '{') { depth++; i++; continue }
    if (text[i] === '}' && --depth === 0) return i
  }
  return -1
}

function invalid(text: string): TemplateError {
  return new TemplateError('invalid', text)
}

export interface InterpolateOptions {
  lookup: Lookup
  /** File the tree came from (named in errors). */
  file?: string
  onUnset?: (name: string) => void
}

/** Interpolates every string value (not keys) of a parsed YAML tree; returns a new tree. */
export function interpolateTree(tree: unknown, options: InterpolateOptions, path = ''): unknown {
  if (typeof tree === 'string') {
    try {
      return substitute(tree, options.lookup, options.onUnset)
    } catch (err) {
      if (!(err instanceof TemplateError)) throw err
      const where = options.file ? `${options.file}: ` : ''
      const message = err.kind === 'invalid'
        ? `${where}invalid interpolation format for ${path}.\nYou may need to escape any $ with another $.\n${err.message}`
        : `${where}error while interpolating ${path}: ${err.message}`
      throw new ComposeError(message, { file: options.file, path })
    }
  }
  if (tree instanceof ResetTag) return tree
  if (tree instanceof OverrideTag) return new OverrideTag(interpolateTree(tree.value, options, path))
  if (Array.isArray(tree)) return tree.map((item, i) => interpolateTree(item, options, `${path}[${i}]`))
  if (tree !== null && typeof tree === 'object') {
    const out: Record<string, unknown> = {}
    for (const [key, value] of Object.entries(tree)) {
      out[key] = interpolateTree(value, options, path ? `${path}.${key}` : key)
    }
    return out
  }
  return tree
}

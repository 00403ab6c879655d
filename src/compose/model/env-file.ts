import { substitute, TemplateError, type Lookup } from './interpolate.js'

/**
 * Compose's .env / env_file syntax: `KEY=VALUE` lines, optional `export ` prefix, `#` comment
 * lines and ` #` inline comments after unquoted values, 'single quotes' (literal),
 * "double quotes" (escapes \n \t \\ \" and variables; may span lines), unquoted values with
 * variables expanded, and a bare `KEY` that takes its value from `lookup` (omitted when unset).
 * Variables expand against the keys defined earlier in the same file, then `lookup`.
 */
export function parseEnvFile(text: string, lookup: Lookup = () => undefined): Record<string, string> {
  const vars: Record<string, string> = {}
  const resolve: Lookup = (name) => (Object.hasOwn(vars, name) ? vars[name] : lookup(name))
  const src = text.replace(/\r\n?/g, '\n')
  let i = 0
  let line = 1
  while (i < src.length) {
    // Skip blank space and comment lines.
    const ch = src[i]!
    if (ch === '\n') { i++; line++; continue }
    if (ch === ' ' || ch === '\t') { i++; continue }
    if (ch === '#') { i = skipLine(src, i); continue }
    let end = src.indexOf('\n', i)
    if (end < 0) end = src.length
    let head = src.slice(i, end)
    if (/^export[ \t]+/.test(head)) { const n = /^export[ \t]+/.exec(head)![0].length; i += n; head = head.slice(n) }
    const keyEnd = head.indexOf('=') < 0 ? head.length : head.indexOf('=')
    const key = head.slice(0, keyEnd).trim()
    if (!/^[A-Za-z0-9_.\-[\]]+$/.test(key)) throw new Error(`line ${line}: unexpected character in variable name ${JSON.stringify(key)}`)
    if (keyEnd === head.length) {
      const value = lookup(key)
      if (value !== undefined) vars[key] = value
      i = end
      continue
    }
    i += keyEnd + 1
    while (src[i] === ' ' || src[i] === '\t') i++
    const q = src[i]
    if (q === "'" || q === '"') {
      let j = i + 1
      let raw = ''
      while (j < src.length && src[j] !== q) {
        if (q === '"' && src[j] === '\\' && j + 1 < src.length) { raw += src[j]! + src[j + 1]!; j += 2; continue }
        raw += src[j]
        j++
      }
      if (j >= src.length) throw new Error(`line ${line}: unterminated quoted value for ${key}`)
      line += (raw.match(/\n/g) ?? []).length
      vars[key] = q === "'" ? raw : expand(unescape(raw), resolve, line)
      i = skipLine(src, j + 1)
    } else {
      let value = src.slice(i, end)
      const comment = /[ \t]#/.exec(value)
      if (comment) value = value.slice(0, comment.index)
      vars[key] = expand(value.trim(), resolve, line)
      i = end
    }
  }
  return vars
}

function skipLine(src: string, from: number): number {
  const nl = src.indexOf('\n', from)
  return nl < 0 ? src.length : nl
}

function unescape(raw: string): string {
  return raw.replace(/\\(.)/gs, (_m, c: string) => {
    switch (c) {
      case 'n': return '\n'
      case 'r': return '\r'
      case 't': return '\t'
      case '"': return '"'
      case '\\': return '\\'
      case '$': return '\\$'
      default: return `\\${c}`
    }
  })
}

function expand(value: string, lookup: Lookup, line: number): string {
  // "\$" keeps a literal dollar; turn it into "$$" for the template engine.
  const template = value.replace(/\\\$/g, '$$$$')
  try {
    return substitute(template, lookup)
  } catch (err) {
    if (err instanceof TemplateError) throw new Error(`line ${line}: ${err.kind === 'invalid' ? `invalid interpolation format: ${err.message}` : err.message}`)
    throw err
  }
}

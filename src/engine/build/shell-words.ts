/**
 * Variable substitution as the Dockerfile builder does it (buildkit's shell lexer): `$VAR`,
 * `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}`, `${VAR+alt}`, `${VAR:?msg}`,
 * single quotes (literal), double quotes (expanded), and the escape character (`\` or the
 * `# escape` directive's). Pure. Throws Error with the lexer's message; callers add the location.
 */

export type Env = ReadonlyMap<string, string>

interface Lexer {
  src: string
  pos: number
  escape: string
  env: Env
  /** Names referenced (for build-arg usage). */
  used: Set<string>
}

/** Expands one word: quotes are removed, variables substituted. */
export function expandWord(word: string, env: Env, escape = '\\', used?: Set<string>): string {
  const lx: Lexer = { src: word, pos: 0, escape, env, used: used ?? new Set() }
  return processUntil(lx, undefined).join('')
}

/**
 * Expands and splits into words at unquoted whitespace, as ProcessWords does (for EXPOSE, VOLUME,
 * COPY/ADD sources in shell form). A variable's value is split too when it is unquoted.
 */
export function expandWords(text: string, env: Env, escape = '\\', used?: Set<string>): string[] {
  const words: string[] = []
  for (const raw of splitWords(text, escape)) {
    const expanded = expandWord(raw, env, escape, used)
    if (!/["']/.test(raw) && /\$/.test(raw)) words.push(...expanded.split(/[ \t\r\n]+/).filter((w) => w !== ''))
    else words.push(expanded)
  }
  return words
}

/** Splits at unquoted, unescaped whitespace, keeping quotes and escapes in the words. */
export function splitWords(text: string, escape = '\\'): string[] {
  const words: string[] = []
  let cur = ''
  let inWord = false
  let quote = ''
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string
    if (quote === '' && /[ \t\r\n]/.test(ch)) {
      if (inWord) words.push(cur)
      cur = ''
      inWord = false
      continue
    }
    inWord = true
    if (ch === escape && quote !== "'" && i + 1 < text.length) {
      cur += ch + text[i + 1]
      i++
      continue
    }
    if (quote === '' && (ch === '"' || ch === "'")) quote = ch
    else if (ch === quote) quote = ''
    cur += ch
  }
  if (inWord) words.push(cur)
  return words
}

function processUntil(lx: Lexer, stop: string | undefined): string[] {
  const out: string[] = []
  while (lx.pos < lx.src.length) {
    const ch = lx.src[lx.pos] as string
    if (stop !== undefined && ch === stop) return out
    if (ch === "'") out.push(singleQuoted(lx))
    else if (ch === '"') out.push(doubleQuoted(lx))
    else if (ch === '$') out.push(dollar(lx))
    else if (ch === lx.escape) {
      lx.pos++
      if (lx.pos >= lx.src.length) {
        out.push(ch)
        break
      }
      out.push(lx.src[lx.pos] as string)
      lx.pos++
    } else {
      out.push(ch)
      lx.pos++
    }
  }
  if (stop !== undefined) throw new Error(`syntax error: missing '${stop}'`)
  return out
}

function singleQuoted(lx: Lexer): string {
  lx.pos++
  const end = lx.src.indexOf("'", lx.pos)
  if (end < 0) throw new Error('unexpected end of statement while looking for matching single-quote')
  const text = lx.src.slice(lx.pos, end)
  lx.pos = end + 1
  return text
}

function doubleQuoted(lx: Lexer): string {
  lx.pos++
  let out = ''
  while (lx.pos < lx.src.length) {
    const ch = lx.src[lx.pos] as string
    if (ch === '"') {
      lx.pos++
      return out
    }
    if (ch === '$') {
      out += dollar(lx)
      continue
    }
    if (ch === lx.escape) {
      const next = lx.src[lx.pos + 1]
      if (next === '"' || next === '$' || next === lx.escape) {
        out += next
        lx.pos += 2
        continue
      }
    }
    out += ch
    lx.pos++
  }
  throw new Error('unexpected end of statement while looking for matching double-quote')
}

function lookup(lx: Lexer, name: string): string | undefined {
  lx.used.add(name)
  return lx.env.get(name)
}

function dollar(lx: Lexer): string {
  lx.pos++ // '$'
  const ch = lx.src[lx.pos]
  if (ch === '{') {
    lx.pos++
    const name = readName(lx)
    if (name === '') throw new Error('bad substitution: ${' + (lx.src[lx.pos] ?? '') + '...')
    const next = lx.src[lx.pos]
    if (next === undefined) throw new Error("syntax error: missing '}'")
    if (next === '}') {
      lx.pos++
      return lookup(lx, name) ?? ''
    }
    let op = ''
    if (next === ':') {
      op = ':'
      lx.pos++
    }
    const mod = lx.src[lx.pos]
    if (mod !== '-' && mod !== '+' && mod !== '?') {
      throw new Error(`unsupported modifier (${op}${mod ?? ''}) in substitution`)
    }
    lx.pos++
    const word = processUntil(lx, '}').join('')
    lx.pos++ // '}'
    const value = lookup(lx, name)
    const set = op === ':' ? value !== undefined && value !== '' : value !== undefined
    if (mod === '-') return set ? (value as string) : word
    if (mod === '+') return set ? word : ''
    if (!set) throw new Error(`${name}: ${word === '' ? 'is not allowed to be unset' : word}`)
    return value as string
  }
  const name = readName(lx)
  if (name === '') return '$'
  return lookup(lx, name) ?? ''
}

function readName(lx: Lexer): string {
  const first = lx.src[lx.pos]
  if (first !== undefined && /[0-9]/.test(first)) {
    lx.pos++
    return first
  }
  const start = lx.pos
  while (lx.pos < lx.src.length && /[A-Za-z0-9_]/.test(lx.src[lx.pos] as string)) lx.pos++
  return lx.src.slice(start, lx.pos)
}

/**
 * Dockerfile parser (the Dockerfile reference, as buildkit's frontend/dockerfile/parser reads it):
 * parser directives (`# syntax`, `# escape`, `# check`) before anything else, comments, line
 * continuations with the escape character, empty continuation lines, case-insensitive instruction
 * keywords, leading `--flag[=value]` words, and here-documents (`<<EOF`, `<<-EOF`, `<<"EOF"`) for
 * RUN, COPY and ADD. Pure: text in, nodes out. Errors are InvalidArgument naming file and line.
 */
import { EngineError } from '../../common/index.js'
import { splitWords } from './shell-words.js'

export const INSTRUCTIONS = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
] as const
export type Keyword = (typeof INSTRUCTIONS)[number]

export interface Heredoc {
  /** The terminator ("EOF"). */
  name: string
  /** Lines up to the terminator, each with its "\n" (leading tabs removed for `<<-`). */
  content: string
  /** False when the name was quoted: no variable expansion in the content. */
  expand: boolean
  chomp: boolean
  /** `3<<EOF` gives 3. */
  fd?: number
}

export interface DockerfileNode {
  keyword: Keyword
  /** Leading flags as written ("--from=build"). */
  flags: string[]
  /** What follows the keyword and flags, continuations joined, trimmed. */
  rest: string
  heredocs: Heredoc[]
  /** The instruction as written on its logical line (keyword included), for step messages. */
  original: string
  startLine: number
  endLine: number
}

export interface ParsedDockerfile {
  /** `# escape=` directive, default "\". */
  escape: string
  syntax?: string
  nodes: DockerfileNode[]
}

export class DockerfileParseError extends EngineError {
  constructor(readonly file: string, readonly line: number, readonly detail: string) {
    super('InvalidArgument', 'DOCKERFILE_PARSE', `${file}:${line}: ${detail}`)
  }
}

const HEREDOC_KEYWORDS = new Set<string>(['RUN', 'COPY', 'ADD'])
const HEREDOC_RE = /^(\d*)<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\3$/

/** Parses a heredoc marker word (`<<EOF`, `<<-'EOF'`, `3<<EOF`), or undefined. */
export function parseHeredocMarker(word: string): Omit<Heredoc, 'content'> | undefined {
  const m = HEREDOC_RE.exec(word)
  if (!m) return undefined
  const fd = m[1] ? Number(m[1]) : undefined
  return { name: m[4] as string, expand: m[3] === '', chomp: m[2] === '-', ...(fd !== undefined ? { fd } : {}) }
}

/** The instruction name closest to a misspelled one (edit distance <= 2), for "did you mean". */
function suggest(word: string): string | undefined {
  let best: string | undefined
  let bestDist = 3
  for (const name of INSTRUCTIONS) {
    const d = editDistance(word.toUpperCase(), name)
    if (d < bestDist) {
      bestDist = d
      best = name
    }
  }
  return best
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number
    row[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] as number
      row[j] = Math.min((row[j] as number) + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1))
      prev = tmp
    }
  }
  return row[b.length] as number
}

const isComment = (line: string): boolean => /^[ \t]*#/.test(line)
const isBlank = (line: string): boolean => /^[ \t\r]*$/.test(line)

export function parseDockerfile(text: string, file = 'Dockerfile'): ParsedDockerfile {
  const lines = text.replace(/^\uFEFF/, '').split('\n').map((l) => l.replace(/\r$/, ''))
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop()
  let escape = '\\'
  let syntax: string | undefined
  let i = 0
  // Directives: `# key=value` lines at the very top; each key at most once.
  const seen = new Set<string>()
  for (; i < lines.length; i++) {
    const m = /^[ \t]*#[ \t]*([A-Za-z][A-Za-z0-9]*)[ \t]*=[ \t]*(.*?)[ \t]*$/.exec(lines[i] as string)
    if (!m) break
    const key = (m[1] as string).toLowerCase()
    const value = m[2] as string
    if (key !== 'escape' && key !== 'syntax' && key !== 'check') break
    if (seen.has(key)) throw new DockerfileParseError(file, i + 1, `only one ${key} parser directive can be used`)
    seen.add(key)
    if (key === 'escape') {
      if (value !== '\\' && value !== '`') throw new DockerfileParseError(file, i + 1, `invalid escape token '${value}' does not match ` + '` or \\')
      escape = value
    } else if (key === 'syntax') syntax = value
  }
  const contRe = new RegExp(`${escape === '\\' ? '\\\\' : '`'}[ \\t]*$`)
  const nodes: DockerfileNode[] = []
  for (; i < lines.length; i++) {
    const first = lines[i] as string
    if (isComment(first) || isBlank(first)) continue
    const startLine = i + 1
    let line = first.replace(/^[ \t]+/, '')
    let ended = !contRe.test(line)
    if (!ended) line = line.replace(contRe, '')
    while (!ended && i + 1 < lines.length) {
      i++
      const next = lines[i] as string
      if (isComment(next) || isBlank(next)) continue
      ended = !contRe.test(next)
      line += ended ? next : next.replace(contRe, '')
    }
    const trimmed = line.trim()
    const sp = /[ \t]/.exec(trimmed)
    const word = sp ? trimmed.slice(0, sp.index) : trimmed
    const keyword = word.toUpperCase()
    if (!(INSTRUCTIONS as readonly string[]).includes(keyword)) {
      const hint = suggest(word)
      throw new DockerfileParseError(file, startLine, `unknown instruction: ${keyword}${hint ? ` (did you mean ${hint}?)` : ''}`)
    }
    let rest = sp ? trimmed.slice(sp.index).trim() : ''
    const flags: string[] = []
    if (keyword !== 'ONBUILD') {
      for (;;) {
        const fm = /^(--[^\s=]*(?:=(?:"[^"]*"|'[^']*'|\S)*)?)(?:\s+|$)/.exec(rest)
        if (!fm || fm[1] === '--') break
        flags.push(fm[1] as string)
        rest = rest.slice(fm[0].length)
      }
    }
    const node: DockerfileNode = { keyword: keyword as Keyword, flags, rest, heredocs: [], original: trimmed, startLine, endLine: i + 1 }
    if (HEREDOC_KEYWORDS.has(keyword) && rest.includes('<<') && !rest.trimStart().startsWith('[')) {
      for (const w of splitWords(rest, escape)) {
        const marker = parseHeredocMarker(w)
        if (!marker) continue
        let content = ''
        let terminated = false
        while (i + 1 < lines.length) {
          i++
          const raw = lines[i] as string
          const candidate = marker.chomp ? raw.replace(/^\t+/, '') : raw
          if (candidate === marker.name) {
            terminated = true
            break
          }
          content += candidate + '\n'
        }
        if (!terminated) throw new DockerfileParseError(file, startLine, `unterminated heredoc: no line "${marker.name}" ends the here-document started here`)
        node.heredocs.push({ ...marker, content })
      }
      node.endLine = i + 1
    }
    nodes.push(node)
  }
  return { escape, ...(syntax !== undefined ? { syntax } : {}), nodes }
}

// Parser for the subset of Go's text/template that docker's --format flags use: text, actions
// with pipelines, fields (.A.B), variables ($x, $x.A), function calls, literals, parentheses,
// if/else if/else, range (with $k, $v :=), with, comments and {{- -}} trimming.

export class TemplateError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'TemplateError'
  }
}

export type Operand =
  | { type: 'field'; pos: number; text: string; names: string[] }
  | { type: 'dot'; pos: number; text: string }
  | { type: 'variable'; pos: number; text: string; name: string; names: string[] }
  | { type: 'identifier'; pos: number; text: string; name: string }
  | { type: 'string'; pos: number; text: string; value: string }
  | { type: 'number'; pos: number; text: string; value: number }
  | { type: 'bool'; pos: number; text: string; value: boolean }
  | { type: 'nil'; pos: number; text: string }
  | { type: 'pipe'; pos: number; text: string; pipe: Pipe; names: string[] }

export interface Command {
  pos: number
  text: string
  args: Operand[]
}

export interface Pipe {
  pos: number
  decl: string[]
  cmds: Command[]
}

export interface BlockNode {
  type: 'if' | 'with' | 'range'
  pos: number
  pipe: Pipe
  list: TemplateNode[]
  elseList: TemplateNode[] | undefined
}

export type TemplateNode = { type: 'text'; text: string } | { type: 'action'; pos: number; pipe: Pipe } | BlockNode

export interface ParsedTemplate {
  source: string
  nodes: TemplateNode[]
}

/** Names the parser accepts as functions (Go rejects unknown functions at parse time). */
export const KNOWN_FUNCTIONS = new Set([
  'and', 'or', 'not', 'len', 'index', 'print', 'printf', 'println', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'slice',
  'json', 'split', 'join', 'title', 'lower', 'upper', 'pad', 'truncate',
])

interface Token {
  kind: 'field' | 'variable' | 'identifier' | 'string' | 'number' | 'pipe' | 'lparen' | 'rparen' | 'declare' | 'assign' | 'comma' | 'dot'
  text: string
  pos: number
  value?: string | number
}

type Block = { keyword: 'if' | 'with' | 'range'; node: BlockNode; inElse: boolean; chained: boolean }

export function parseTemplate(source: string): ParsedTemplate {
  const root: TemplateNode[] = []
  const stack: Block[] = []
  const current = (): TemplateNode[] => {
    const top = stack.at(-1)
    if (!top) return root
    return top.inElse ? (top.node.elseList ??= []) : top.node.list
  }
  let i = 0
  let trimNext = false
  while (i < source.length) {
    const open = source.indexOf('{{', i)
    let text = source.slice(i, open === -1 ? source.length : open)
    if (trimNext) text = text.replace(/^\s+/, '')
    trimNext = false
    if (open === -1) {
      if (text) current().push({ type: 'text', text })
      break
    }
    let start = open + 2
    if (/^-[ \t\r\n]/.test(source.slice(start, start + 2))) {
      text = text.replace(/\s+$/, '')
      start += 1
    }
    if (text) current().push({ type: 'text', text })
    const comment = /^\s*\/\*/.exec(source.slice(start))
    if (comment) {
      const close = source.indexOf('*/', start)
      const end = close === -1 ? -1 : matchClose(source, close + 2)
      if (end === -1) throw parseError(source, open, 'unclosed comment')
      trimNext = source[end - 3] === '-' && /\s/.test(source[end - 4] ?? '')
      i = end
      continue
    }
    const { tokens, end, trimRight } = lexAction(source, start)
    trimNext = trimRight
    i = end
    handleAction(source, tokens, open, stack, current)
  }
  if (stack.length > 0) throw parseError(source, source.length, `unexpected EOF`)
  return { source, nodes: root }
}

function matchClose(source: string, at: number): number {
  const m = /^\s*-?\s*\}\}/.exec(source.slice(at))
  return m ? at + m[0].length : -1
}

function handleAction(
  source: string,
  tokens: Token[],
  pos: number,
  stack: Block[],
  current: () => TemplateNode[],
): void {
  const first = tokens[0]
  if (!first) throw parseError(source, pos, 'missing value for command')
  const keyword = first.kind === 'identifier' ? first.text : ''
  if (keyword === 'end') {
    if (tokens.length > 1) throw parseError(source, pos, `unexpected ${tokens[1]!.text} in end`)
    let block = stack.pop()
    while (block?.chained) block = stack.pop()
    if (!block) throw parseError(source, pos, 'unexpected {{end}}')
    return
  }
  if (keyword === 'else') {
    const top = stack.at(-1)
    if (!top || top.inElse) throw parseError(source, pos, 'unexpected {{else}}')
    top.inElse = true
    top.node.elseList = []
    const next = tokens[1]
    if (next && next.kind === 'identifier' && (next.text === 'if' || next.text === 'with')) {
      // {{else if x}} is {{else}}{{if x}}...{{end}}{{end}} sharing one {{end}}.
      const node = { type: next.text, pos, pipe: parsePipe(source, tokens.slice(2), pos), list: [], elseList: undefined } as Block['node']
      top.node.elseList.push(node)
      stack.push({ keyword: next.text, node, inElse: false, chained: true })
    } else if (next) {
      throw parseError(source, pos, `unexpected ${next.text} in else`)
    }
    return
  }
  if (keyword === 'if' || keyword === 'with' || keyword === 'range') {
    const node = { type: keyword, pos, pipe: parsePipe(source, tokens.slice(1), pos), list: [], elseList: undefined } as Block['node']
    current().push(node)
    stack.push({ keyword, node, inElse: false, chained: false })
    return
  }
  if (keyword === 'define' || keyword === 'template' || keyword === 'block' || keyword === 'break' || keyword === 'continue') {
    throw parseError(source, pos, `{{${keyword}}} is not supported`)
  }
  current().push({ type: 'action', pos, pipe: parsePipe(source, tokens, pos) })
}

function parsePipe(source: string, tokens: Token[], pos: number): Pipe {
  const decl: string[] = []
  let at = 0
  const declEnd = tokens.findIndex((t) => t.kind === 'declare' || t.kind === 'assign')
  if (declEnd > 0 && tokens.slice(0, declEnd).every((t) => t.kind === 'variable' || t.kind === 'comma')) {
    for (const t of tokens.slice(0, declEnd)) if (t.kind === 'variable') decl.push(t.text)
    at = declEnd + 1
  }
  const cmds: Command[] = []
  let args: Operand[] = []
  const flush = (): void => {
    if (args.length === 0) throw parseError(source, pos, 'missing value for command')
    const startPos = args[0]!.pos
    const last = args.at(-1)!
    cmds.push({ pos: startPos, text: source.slice(startPos, last.pos + last.text.length), args })
    args = []
  }
  while (at < tokens.length) {
    const token = tokens[at]!
    if (token.kind === 'pipe') {
      flush()
      at++
      continue
    }
    const [operand, next] = parseOperand(source, tokens, at, pos)
    args.push(operand)
    at = next
  }
  flush()
  return { pos: tokens[0]?.pos ?? pos, decl, cmds }
}

function parseOperand(source: string, tokens: Token[], at: number, pos: number): [Operand, number] {
  const t = tokens[at]!
  switch (t.kind) {
    case 'field':
      return [{ type: 'field', pos: t.pos, text: t.text, names: t.text.split('.').slice(1) }, at + 1]
    case 'dot':
      return [{ type: 'dot', pos: t.pos, text: '.' }, at + 1]
    case 'variable': {
      const [name, ...names] = t.text.split('.')
      return [{ type: 'variable', pos: t.pos, text: t.text, name: name!, names }, at + 1]
    }
    case 'string':
      return [{ type: 'string', pos: t.pos, text: t.text, value: t.value as string }, at + 1]
    case 'number':
      return [{ type: 'number', pos: t.pos, text: t.text, value: t.value as number }, at + 1]
    case 'identifier':
      if (t.text === 'true' || t.text === 'false') return [{ type: 'bool', pos: t.pos, text: t.text, value: t.text === 'true' }, at + 1]
      if (t.text === 'nil') return [{ type: 'nil', pos: t.pos, text: t.text }, at + 1]
      if (!KNOWN_FUNCTIONS.has(t.text)) throw parseError(source, t.pos, `function "${t.text}" not defined`)
      return [{ type: 'identifier', pos: t.pos, text: t.text, name: t.text }, at + 1]
    case 'lparen': {
      let depth = 0
      let close = at
      for (; close < tokens.length; close++) {
        if (tokens[close]!.kind === 'lparen') depth++
        else if (tokens[close]!.kind === 'rparen' && --depth === 0) break
      }
      if (close >= tokens.length) throw parseError(source, t.pos, 'unclosed left paren')
      const pipe = parsePipe(source, tokens.slice(at + 1, close), t.pos)
      const rparen = tokens[close]!
      const after = tokens[close + 1]
      let names: string[] = []
      let next = close + 1
      if (after?.kind === 'field' && after.pos === rparen.pos + 1) {
        names = after.text.split('.').slice(1)
        next++
      }
      const end = names.length > 0 ? after!.pos + after!.text.length : rparen.pos + 1
      return [{ type: 'pipe', pos: t.pos, text: source.slice(t.pos, end), pipe, names }, next]
    }
    default:
      throw parseError(source, t.pos ?? pos, `unexpected "${t.text}" in operand`)
  }
}

function lexAction(source: string, start: number): { tokens: Token[]; end: number; trimRight: boolean } {
  const tokens: Token[] = []
  let i = start
  for (;;) {
    while (i < source.length && /[ \t\r\n]/.test(source[i]!)) i++
    if (i >= source.length) throw parseError(source, start, 'unclosed action')
    const rest = source.slice(i)
    if (rest.startsWith('}}')) return { tokens, end: i + 2, trimRight: false }
    if (rest.startsWith('-}}') && /\s/.test(source[i - 1] ?? '')) return { tokens, end: i + 3, trimRight: true }
    let m: RegExpExecArray | null
    if ((m = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/.exec(rest))) tokens.push({ kind: 'field', text: m[0], pos: i })
    else if (rest[0] === '.' && !/^\.\d/.test(rest)) {
      m = /^\./.exec(rest)
      tokens.push({ kind: 'dot', text: '.', pos: i })
    }
    else if ((m = /^\$[A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(rest))) tokens.push({ kind: 'variable', text: m[0], pos: i })
    else if ((m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) tokens.push({ kind: 'identifier', text: m[0], pos: i })
    else if ((m = /^"(?:[^"\\\n]|\\.)*"/.exec(rest))) tokens.push({ kind: 'string', text: m[0], pos: i, value: unquote(source, i, m[0]) })
    else if ((m = /^`[^`]*`/.exec(rest))) tokens.push({ kind: 'string', text: m[0], pos: i, value: m[0].slice(1, -1) })
    else if ((m = /^[-+]?(0[xX][0-9a-fA-F]+|\d+(\.\d*)?([eE][-+]?\d+)?|\.\d+)/.exec(rest))) {
      tokens.push({ kind: 'number', text: m[0], pos: i, value: Number(m[0]) })
    } else if ((m = /^:=/.exec(rest))) tokens.push({ kind: 'declare', text: m[0], pos: i })
    else if ((m = /^[=|(),]/.exec(rest))) {
      const kinds: Record<string, Token['kind']> = { '=': 'assign', '|': 'pipe', '(': 'lparen', ')': 'rparen', ',': 'comma' }
      tokens.push({ kind: kinds[m[0]]!, text: m[0], pos: i })
    } else if (rest.startsWith('"')) throw parseError(source, i, 'unterminated quoted string')
    else throw parseError(source, i, `unexpected "${rest[0]}" in command`)
    i += m![0].length
  }
}

const simpleEscapes: Record<string, string> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', '"': '"', "'": "'",
}

function unquote(source: string, pos: number, quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_all, esc: string) => {
    if (esc.length === 1) {
      const simple = simpleEscapes[esc]
      if (simple === undefined) throw parseError(source, pos, 'invalid syntax')
      return simple
    }
    if (/^[0-7]{3}$/.test(esc)) return String.fromCodePoint(parseInt(esc, 8))
    return String.fromCodePoint(parseInt(esc.slice(1), 16))
  })
}

export function lineOf(source: string, pos: number): { line: number; col: number } {
  const before = source.slice(0, pos)
  const lastNewline = before.lastIndexOf('\n')
  return { line: before.split('\n').length, col: lastNewline === -1 ? pos : pos - lastNewline - 1 }
}

function parseError(source: string, pos: number, message: string): TemplateError {
  return new TemplateError(`template: :${lineOf(source, pos).line}: ${message}`)
}

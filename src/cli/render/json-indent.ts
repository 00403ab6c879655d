/**
 * Go's json.Indent: re-indents JSON text without decoding it, so numbers, key order and escapes
 * stay exactly as the daemon sent them. Empty objects and arrays stay "{}" and "[]".
 */
export function indentJson(raw: string, indent = '    '): string {
  let out = ''
  let depth = 0
  let inString = false
  let escaped = false
  let needIndent = false
  const newline = (): string => '\n' + indent.repeat(depth)
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!
    if (inString) {
      out += ch
      if (escaped) escaped = false
      else if (ch === '\\') escaped = true
      else if (ch === '"') inString = false
      continue
    }
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') continue
    if (needIndent && ch !== ']' && ch !== '}') {
      needIndent = false
      depth++
      out += newline()
    }
    switch (ch) {
      case '"':
        inString = true
        out += ch
        break
      case '{':
      case '[':
        out += ch
        needIndent = true
        break
      case ',':
        out += ch + newline()
        break
      case ':':
        out += ': '
        break
      case '}':
      case ']':
        if (needIndent) needIndent = false // empty object or array
        else {
          depth--
          out += newline()
        }
        out += ch
        break
      default:
        out += ch
    }
  }
  return out
}

/** Go's json.Compact: drops insignificant whitespace, leaves everything else as sent. */
export function compactJson(raw: string): string {
  let out = ''
  let inString = false
  let escaped = false
  for (const ch of raw) {
    if (inString) {
      if (escaped) escaped = false
      else if (ch === '\\') escaped = true
      else if (ch === '"') inString = false
      out += ch
    } else if (ch === '"') {
      inString = true
      out += ch
    } else if (ch !== ' ' && ch !== '\t' && ch !== '\n' && ch !== '\r') {
      out += ch
    }
  }
  return out
}

/**
 * Splits a command string into words the way Compose does (mattn/go-shellwords without variable
 * expansion): whitespace separates words, single quotes are literal, double quotes honour
 * backslash escapes of `"`, `\`, `$` and `` ` ``, and a backslash outside quotes escapes the next character.
 * Returns null for an unterminated quote.
 */
export function splitShellWords(text: string): string[] | null {
  const words: string[] = []
  let word = ''
  let inWord = false
  let quote: '' | "'" | '"' = ''
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote === "'") {
      if (c === "'") quote = ''
      else word += c
      continue
    }
    if (quote === '"') {
      if (c === '"') quote = ''
      else if (c === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) { word += text[++i]; }
      else word += c
      continue
    }
    if (c === '\\') {
      if (i + 1 < text.length) { word += text[++i]; inWord = true }
      continue
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      if (inWord) { words.push(word); word = ''; inWord = false }
      continue
    }
    if (c === "'" || c === '"') { quote = c; inWord = true; continue }
    word += c
    inWord = true
  }
  if (quote) return null
  if (inWord) words.push(word)
  return words
}

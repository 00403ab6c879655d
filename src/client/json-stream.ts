import type { Readable } from 'node:stream'
import { EngineError } from '../common/index.js'

/**
 * Yields the JSON values of a stream of concatenated JSON documents, as Docker sends pull,
 * import and event messages (usually one per line, but no newline is required between them).
 */
export async function* parseJsonStream<T = unknown>(
  source: Readable,
  options: { int64Fields?: string[] } = {},
): AsyncGenerator<T> {
  const scanner = new JsonScanner()
  const int64 = options.int64Fields?.length ? new RegExp(`"(${options.int64Fields.join('|')})":(-?\\d+)`, 'g') : undefined
  for await (const chunk of source) {
    for (const text of scanner.push(typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8'))) {
      yield parseValue<T>(text, int64)
    }
  }
  const rest = scanner.rest().trim()
  if (rest !== '') yield parseValue<T>(rest, int64)
}

/** Parses one document; `int64` fields become decimal strings (a JS number would round them). */
function parseValue<T>(text: string, int64: RegExp | undefined): T {
  try {
    return JSON.parse(int64 ? text.replace(int64, '"$1":"$2"') : text) as T
  } catch (err) {
    throw new EngineError('Internal', 'BAD_JSON_STREAM', `invalid JSON in stream: ${text.slice(0, 100)}`, { cause: err })
  }
}

/** Splits text into top-level JSON object/array documents by tracking nesting outside strings. */
export class JsonScanner {
  private buffer = ''
  private depth = 0
  private inString = false
  private escaped = false
  private start = -1
  private scanned = 0

  push(text: string): string[] {
    this.buffer += text
    const docs: string[] = []
    for (let i = this.scanned; i < this.buffer.length; i++) {
      const ch = this.buffer[i]!
      if (this.inString) {
        if (this.escaped) this.escaped = false
        else if (ch === '\\') this.escaped = true
        else if (ch === '"') this.inString = false
        continue
      }
      if (ch === '"') this.inString = true
      else if (ch === '{' || ch === '[') {
        if (this.depth === 0) this.start = i
        this.depth++
      } else if (ch === '}' || ch === ']') {
        this.depth--
        if (this.depth === 0 && this.start !== -1) {
          docs.push(this.buffer.slice(this.start, i + 1))
          this.buffer = this.buffer.slice(i + 1)
          this.start = -1
          i = -1
        }
      }
    }
    this.scanned = this.buffer.length
    if (this.depth === 0 && this.start === -1 && this.buffer.trim() === '') {
      this.buffer = ''
      this.scanned = 0
    }
    return docs
  }

  /** Text left after the last complete document. */
  rest(): string {
    return this.buffer
  }
}

import { LineCounter, parseDocument } from 'yaml'
import { ComposeError } from './compose-error.js'

/**
 * Parses one Compose file's YAML (anchors, aliases and `<<` merge keys allowed). Throws a
 * ComposeError naming the file, line and column for invalid YAML or duplicate keys.
 */
export function parseYaml(text: string, file: string): unknown {
  const lineCounter = new LineCounter()
  const doc = parseDocument(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false })
  const err = doc.errors[0]
  if (err) {
    const pos = lineCounter.linePos(err.pos[0])
    const detail = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
    throw new ComposeError(`${file}: yaml: line ${pos.line}, column ${pos.col}: ${detail}`, { file })
  }
  return doc.toJS({ maxAliasCount: 10000 })
}

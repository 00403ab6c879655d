import { LineCounter, Scalar, isNode, parseAllDocuments, visit, type ScalarTag, type Tags } from 'yaml'
import { ComposeError } from './compose-error.js'
import { OverrideTag, ResetTag } from './yaml-tags.js'

/** Go's yaml.v3 reads a leading-zero integer (file modes like 0440) as octal; YAML 1.2 core does not. */
const legacyOctal: ScalarTag = {
  identify: (value) => typeof value === 'number',
  default: true,
  tag: 'tag:yaml.org,2002:int',
  format: 'OCT',
  test: /^0[0-7]+$/,
  resolve: (text: string) => parseInt(text, 8),
}

/**
 * Parses one Compose file's YAML documents (several `---` documents are merged in order by the
 * loader; anchors, aliases and `<<` merge keys allowed; empty documents skipped). Throws a
 * ComposeError naming the file, line and column for invalid YAML or duplicate keys.
 */
export function parseYamlDocuments(text: string, file: string): unknown[] {
  const lineCounter = new LineCounter()
  const parsed = parseAllDocuments(text, { lineCounter, merge: true, uniqueKeys: true, prettyErrors: false, customTags: (tags: Tags) => [legacyOctal, ...tags] })
  const docs = Array.isArray(parsed) ? parsed : [parsed]
  const out: unknown[] = []
  for (const doc of docs) {
    const err = doc.errors[0]
    if (err) {
      const pos = lineCounter.linePos(err.pos[0])
      const detail = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')
      throw new ComposeError(`${file}: yaml: line ${pos.line}, column ${pos.col}: ${detail}`, { file })
    }
    // `!reset` / `!override` values become ResetTag / OverrideTag wrappers (outermost wins).
    visit(doc, {
      Node(_key, node) {
        if (!isNode(node) || (node.tag !== '!reset' && node.tag !== '!override')) return undefined
        const value = node.toJS(doc, { maxAliasCount: 10000 })
        return new Scalar(node.tag === '!reset' ? new ResetTag(value) : new OverrideTag(value))
      },
    })
    const value = doc.toJS({ maxAliasCount: 10000 })
    if (value !== null && value !== undefined) out.push(value)
  }
  return out
}

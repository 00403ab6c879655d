import { invalid } from '../../common/index.js'
import { normalizeReference, parseReference } from './reference.js'

// Docker's rules for references during tag and remove (moby daemon/images/image_delete.go). Pure.

/** A target for tag(): a valid reference without digest, normalized. */
export function tagReference(target: string): string {
  if (parseReference(target).digest) throw invalid('INVALID_REFERENCE', 'refusing to create a tag with a digest reference')
  return normalizeReference(target)
}

export function repoName(normalized: string): string {
  const p = parseReference(normalized)
  return `${p.domain}/${p.path}`
}

/** moby isImageIDPrefix: "sha256:abc" or "abc" naming the id. */
export function isIdPrefix(id: string, ref: string): boolean {
  return id.startsWith(ref) || id.slice('sha256:'.length).startsWith(ref)
}

/** moby isSingleReference: at most one tag, every reference in one repository; false when none. */
export function isSingleReference(refs: readonly string[]): boolean {
  if (refs.length <= 1) return refs.length === 1
  let single: string | undefined
  const canonicalNames = new Set<string>()
  for (const r of refs) {
    if (r.includes('@')) canonicalNames.add(repoName(r))
    else if (single === undefined) single = r
    else return false
  }
  single ??= refs[0] as string
  return canonicalNames.size === 1 && canonicalNames.has(repoName(single))
}

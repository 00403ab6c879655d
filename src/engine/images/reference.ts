import { invalid } from '../../common/index.js'

export interface ParsedReference {
  /** "docker.io" */
  domain: string
  /** "library/busybox" */
  path: string
  tag: string | undefined
  digest: string | undefined
}

const domainRe = /^(?:localhost|(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/
const componentRe = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const tagRe = /^[\w][\w.-]{0,127}$/
const digestRe = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/

/** Parses like Docker's reference.ParseNormalizedNamed: "busybox" -> docker.io/library/busybox. */
export function parseReference(ref: string): ParsedReference {
  const bad = (): Error => invalid('INVALID_REFERENCE', `invalid reference format: repository name (${ref}) must be lowercase`)
  if (ref === '' || ref.length > 255) throw invalid('INVALID_REFERENCE', 'invalid reference format')
  let rest = ref
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!digestRe.test(digest)) throw invalid('INVALID_REFERENCE', 'invalid reference format')
  }
  let tag: string | undefined
  const lastColon = rest.lastIndexOf(':')
  if (lastColon > rest.lastIndexOf('/')) {
    tag = rest.slice(lastColon + 1)
    rest = rest.slice(0, lastColon)
    if (!tagRe.test(tag)) throw invalid('INVALID_REFERENCE', 'invalid reference format')
  }
  let domain = 'docker.io'
  let path = rest
  const slash = rest.indexOf('/')
  if (slash >= 0) {
    const first = rest.slice(0, slash)
    if (first === 'localhost' || first.includes('.') || first.includes(':') || first !== first.toLowerCase()) {
      if (!domainRe.test(first)) throw invalid('INVALID_REFERENCE', 'invalid reference format')
      domain = first
      path = rest.slice(slash + 1)
    }
  }
  if (domain === 'index.docker.io') domain = 'docker.io'
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`
  if (path !== path.toLowerCase()) throw bad()
  for (const c of path.split('/')) if (!componentRe.test(c)) throw invalid('INVALID_REFERENCE', 'invalid reference format')
  return { domain, path, tag, digest }
}

/** "docker.io/library/busybox:latest" (adds :latest when neither tag nor digest is given). */
export function normalizeReference(ref: string): string {
  const p = parseReference(ref)
  const name = `${p.domain}/${p.path}`
  if (p.digest) return p.tag ? `${name}:${p.tag}@${p.digest}` : `${name}@${p.digest}`
  return `${name}:${p.tag ?? 'latest'}`
}

/** Docker's short display form: "docker.io/library/busybox:latest" -> "busybox:latest". */
export function familiarReference(normalized: string): string {
  if (normalized.startsWith('docker.io/library/')) return normalized.slice('docker.io/library/'.length)
  if (normalized.startsWith('docker.io/')) return normalized.slice('docker.io/'.length)
  return normalized
}

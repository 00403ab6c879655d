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
const digestRe = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/
const digestHexLength: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 }
const identifierRe = /^[a-f0-9]{64}$/

/** Parses like Docker's reference.ParseNormalizedNamed: "busybox" -> docker.io/library/busybox. */
export function parseReference(ref: string): ParsedReference {
  if (ref === '') throw invalid('INVALID_REFERENCE', 'invalid reference format')
  if (identifierRe.test(ref)) {
    throw invalid('INVALID_REFERENCE', `invalid repository name (${ref}), cannot specify 64-byte hexadecimal strings`)
  }
  let rest = ref
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!digestRe.test(digest)) throw invalid('INVALID_REFERENCE', 'invalid reference format')
    const [algorithm = '', hex = ''] = digest.split(':')
    const want = digestHexLength[algorithm]
    if (want === undefined) throw invalid('INVALID_REFERENCE', `unsupported digest algorithm`)
    if (hex.length !== want || !/^[a-f0-9]+$/.test(hex)) throw invalid('INVALID_REFERENCE', 'invalid checksum digest format')
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
  if (path !== path.toLowerCase()) {
    throw invalid('INVALID_REFERENCE', `invalid reference format: repository name (${path}) must be lowercase`)
  }
  for (const c of path.split('/')) if (!componentRe.test(c)) throw invalid('INVALID_REFERENCE', 'invalid reference format')
  // Docker limits the name (domain + path), not the whole reference.
  if (domain.length + 1 + path.length > 255) throw invalid('INVALID_REFERENCE', 'repository name must not be more than 255 characters')
  return { domain, path, tag, digest }
}

/** "docker.io/library/busybox:latest" (adds :latest when neither tag nor digest is given). */
export function normalizeReference(ref: string): string {
  const p = parseReference(ref)
  const name = `${p.domain}/${p.path}`
  if (p.digest) return p.tag ? `${name}:${p.tag}@${p.digest}` : `${name}@${p.digest}`
  return `${name}:${p.tag ?? 'latest'}`
}

/**
 * Docker's short display form: "docker.io/library/busybox:latest" -> "busybox:latest",
 * "docker.io/user/repo:1" -> "user/repo:1". "library/" stays when more path follows (library/a/b).
 */
export function familiarReference(normalized: string): string {
  if (!normalized.startsWith('docker.io/')) return normalized
  const rest = normalized.slice('docker.io/'.length)
  const nameEnd = rest.search(/[:@]/)
  const name = nameEnd < 0 ? rest : rest.slice(0, nameEnd)
  if (name.startsWith('library/') && name.split('/').length === 2) return rest.slice('library/'.length)
  return rest
}

/** "docker.io/library/busybox:latest" -> "busybox" (familiar name without tag or digest). */
export function familiarName(normalized: string): string {
  const p = parseReference(normalized)
  return familiarReference(`${p.domain}/${p.path}`)
}

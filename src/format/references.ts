// Docker's "familiar" image reference forms (distribution/reference), enough for display.

/** Strips the docker.io/ and docker.io/library/ prefixes: "docker.io/library/busybox" -> "busybox". */
export function familiarName(name: string): string {
  for (const prefix of ['docker.io/library/', 'index.docker.io/library/', 'docker.io/', 'index.docker.io/']) {
    if (name.startsWith(prefix)) return name.slice(prefix.length)
  }
  return name
}

/** Splits "repo:tag@digest" into its parts; tag and digest may be absent. */
export function splitReference(ref: string): { name: string; tag?: string; digest?: string } {
  let rest = ref
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at !== -1) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
  }
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest }
  return { name: rest, digest }
}

/** reference.TagNameOnly + FamiliarString: "busybox" -> "busybox:latest"; digests are kept. */
export function withDefaultTag(ref: string): string {
  const { name, tag, digest } = splitReference(ref)
  if (digest !== undefined) return `${familiarName(name)}${tag ? `:${tag}` : ''}@${digest}`
  return `${familiarName(name)}:${tag ?? 'latest'}`
}

const NAME_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*'
const DOMAIN = '(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?'
const REFERENCE = new RegExp(`^(?:(${DOMAIN})/)?(${NAME_COMPONENT}(?:/${NAME_COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`)

/**
 * distribution/reference ParseNormalizedNamed, reduced to what the CLI needs: validates the
 * reference and returns the fully qualified name ("docker.io/library/busybox"), tag and digest.
 */
export function parseNormalizedNamed(ref: string): { name: string; tag?: string; digest?: string } {
  const m = REFERENCE.exec(ref)
  if (!m || ref.length > 255) throw new Error('invalid reference format')
  let domain: string | undefined = m[1]
  let path = m[2]!
  // A first component without '.', ':' or "localhost" is a Docker Hub path, not a registry.
  if (domain !== undefined && !/[.:]/.test(domain) && domain !== 'localhost' && domain.toLowerCase() === domain) {
    path = `${domain}/${path}`
    domain = undefined
  }
  if (domain !== undefined && domain !== domain.toLowerCase() && !/[.:]/.test(domain) && domain !== 'localhost') {
    throw new Error(`invalid reference format: repository name (${domain}/${path}) must be lowercase`)
  }
  if (domain === undefined || domain === 'index.docker.io') domain = 'docker.io'
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`
  return { name: `${domain}/${path}`, tag: m[3], digest: m[4] }
}

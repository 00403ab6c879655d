/** One challenge of a WWW-Authenticate header: `Bearer realm="...",service="...",scope="..."`. */
export interface AuthChallenge {
  scheme: string
  params: Record<string, string>
}

/** Parses WWW-Authenticate (RFC 7235 challenges; quoted values may contain commas and escapes). */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const out: AuthChallenge[] = []
  let i = 0
  const s = header
  const skipWs = (): void => {
    while (i < s.length && (s[i] === ' ' || s[i] === '\t')) i++
  }
  while (i < s.length) {
    skipWs()
    while (s[i] === ',') {
      i++
      skipWs()
    }
    const start = i
    while (i < s.length && /[A-Za-z0-9!#$%&'*+.^_`|~-]/.test(s[i] as string)) i++
    if (i === start) break
    const challenge: AuthChallenge = { scheme: s.slice(start, i).toLowerCase(), params: {} }
    out.push(challenge)
    for (;;) {
      skipWs()
      const keyStart = i
      while (i < s.length && /[A-Za-z0-9!#$%&'*+.^_`|~-]/.test(s[i] as string)) i++
      const key = s.slice(keyStart, i)
      skipWs()
      if (key === '' || s[i] !== '=') {
        i = keyStart // the next challenge's scheme
        break
      }
      i++
      skipWs()
      let value = ''
      if (s[i] === '"') {
        i++
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\' && i + 1 < s.length) i++
          value += s[i]
          i++
        }
        i++
      } else {
        const vs = i
        while (i < s.length && s[i] !== ',') i++
        value = s.slice(vs, i).trim()
      }
      challenge.params[key.toLowerCase()] = value
      skipWs()
      if (s[i] === ',') i++
      else break
    }
  }
  return out
}

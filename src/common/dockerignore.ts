/**
 * `.dockerignore` with Docker's rules (moby/patternmatcher): one pattern a line, `#` comments,
 * patterns cleaned like filepath.Clean with a leading "/" dropped, `*` and `?` never cross "/",
 * `**` matches any number of directories, `[...]` classes, `\` escapes, `!` re-includes. The last
 * matching pattern wins, and a pattern that matches a parent directory matches everything under it.
 * Pure; shared by the builder (daemon side) and the CLI (which leaves ignored files out of the context).
 */

interface Pattern {
  text: string
  exclusion: boolean
  re: RegExp
  /** The pattern's directory parts, for "could something under this dir be re-included". */
  dirs: string[]
}

function cleanPath(p: string): string {
  const abs = p.startsWith('/')
  const parts: string[] = []
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue
    if (seg === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop()
      else if (!abs) parts.push('..')
      continue
    }
    parts.push(seg)
  }
  const out = parts.join('/')
  return abs ? '/' + out : out === '' ? '.' : out
}

function compile(pattern: string): RegExp {
  let re = '^'
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i] as string
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++
        if (pattern[i + 1] === '/') i++
        if (i + 1 >= pattern.length) re += '.*'
        else re += '(?:.*/)?'
        continue
      }
      re += '[^/]*'
    } else if (ch === '?') re += '[^/]'
    else if (ch === '\\') {
      i++
      const next = pattern[i]
      if (next !== undefined) re += next.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
    } else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2)
      if (end < 0) re += '\\['
      else {
        let cls = pattern.slice(i + 1, end)
        if (cls.startsWith('!')) cls = '^' + cls.slice(1)
        re += '[' + cls.replace(/\\/g, '\\\\') + ']'
        i = end
      }
    } else re += ch.replace(/[.+^${}()|\]\\/]/g, '\\$&')
  }
  return new RegExp(re + '$')
}

export class DockerIgnore {
  private readonly patterns: Pattern[]

  constructor(lines: readonly string[]) {
    this.patterns = []
    for (const raw of lines) {
      let line = raw.trim()
      if (line === '' || line.startsWith('#')) continue
      let exclusion = false
      if (line.startsWith('!')) {
        exclusion = true
        line = line.slice(1).trim()
        if (line === '') continue
      }
      let text = cleanPath(line)
      if (text.length > 1 && text.startsWith('/')) text = text.slice(1)
      this.patterns.push({ text, exclusion, re: compile(text), dirs: text.split('/') })
    }
  }

  static parse(content: string): DockerIgnore {
    return new DockerIgnore(content.split('\n'))
  }

  get empty(): boolean {
    return this.patterns.length === 0
  }

  get hasExclusions(): boolean {
    return this.patterns.some((p) => p.exclusion)
  }

  /** True when `path` (relative, "/"-separated) or one of its parent directories is ignored. */
  ignores(path: string): boolean {
    const file = cleanPath(path)
    const parents = file.split('/').slice(0, -1)
    let matched = false
    for (const p of this.patterns) {
      if (p.exclusion !== matched) continue
      let match = p.re.test(file)
      for (let i = 1; !match && i <= parents.length; i++) match = p.re.test(parents.slice(0, i).join('/'))
      if (match) matched = !p.exclusion
    }
    return matched
  }

  /**
   * For an ignored directory: whether an exception pattern could re-include something under it,
   * so a walk must still descend into it (moby's fileutils does the same check).
   */
  mayReinclude(dir: string): boolean {
    const parts = cleanPath(dir).split('/')
    return this.patterns.some((p) => {
      if (!p.exclusion) return false
      if (p.text.includes('**')) return true
      for (let i = 0; i < Math.min(parts.length, p.dirs.length); i++) {
        if (!compile(p.dirs[i] as string).test(parts[i] as string)) return false
      }
      return true
    })
  }
}

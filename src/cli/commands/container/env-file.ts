// docker's opts.parseKeyValueFile for --env-file and --label-file.

const BOM = '\ufeff'

/** Lines of KEY=VALUE; a bare KEY takes its value from `env` and is dropped when unset there. */
export function parseEnvFile(content: string, env: NodeJS.ProcessEnv): string[] {
  return parseLines(content, (name) => env[name])
}

/** Lines of KEY=VALUE (label files); bare keys are dropped, as docker does. */
export function parseKeyValues(content: string): string[] {
  return parseLines(content, () => undefined)
}

function parseLines(content: string, lookup: (name: string) => string | undefined): string[] {
  const out: string[] = []
  const text = content.startsWith(BOM) ? content.slice(1) : content
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.replace(/^\s+/, '')
    if (line === '' || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    const name = (eq === -1 ? line : line.slice(0, eq)).replace(/^[ \t]+/, '')
    if (/[ \t\n\v\f\r]/.test(name)) throw new Error(`variable '${name}' contains whitespaces`)
    if (name === '') throw new Error(`no variable name on line '${line}'`)
    if (eq !== -1) {
      out.push(`${name}=${line.slice(eq + 1)}`)
    } else {
      const value = lookup(name.trim())
      if (value !== undefined) out.push(`${name.trim()}=${value}`)
    }
  }
  return out
}

import { posix } from 'node:path'
import { invalid } from '../../common/index.js'
import type { ImageRuntimeConfig } from './types.js'

/**
 * Applies `docker import --change` / `docker commit --change` lines (Dockerfile syntax) to a
 * runtime config and returns the new config. Pure. Supported: CMD ENTRYPOINT ENV EXPOSE LABEL USER
 * WORKDIR VOLUME STOPSIGNAL; anything else is InvalidArgument with Docker's wording.
 * Variables ($VAR, ${VAR}) are expanded from the config's Env as it was before each instruction.
 */
export function applyChanges(base: ImageRuntimeConfig, changes: readonly string[]): ImageRuntimeConfig {
  const config: ImageRuntimeConfig = structuredClone(base)
  let cmdSet = false
  for (const line of changes.flatMap((c) => c.split('\n')).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'))) {
    const m = /^(\S+)\s*([\s\S]*)$/.exec(line) as RegExpExecArray
    const instruction = (m[1] as string).toLowerCase()
    const rest = (m[2] as string).trim()
    const env = envMap(config.Env ?? [])
    switch (instruction) {
      case 'cmd':
        config.Cmd = commandForm(rest)
        cmdSet = true
        break
      case 'entrypoint':
        config.Entrypoint = commandForm(rest)
        // As in a Dockerfile, ENTRYPOINT drops an inherited CMD unless CMD was set here too.
        if (!cmdSet) config.Cmd = null
        break
      case 'env':
        for (const [k, v] of keyValues('ENV', rest, env)) setEnv(config, k, v)
        break
      case 'label':
        config.Labels = { ...(config.Labels ?? {}) }
        for (const [k, v] of keyValues('LABEL', rest, env)) config.Labels[k] = v
        break
      case 'expose':
        config.ExposedPorts = { ...(config.ExposedPorts ?? {}) }
        for (const word of words(rest, env)) for (const port of exposedPorts(word)) config.ExposedPorts[port] = {}
        break
      case 'user':
        config.User = single('USER', rest, env)
        break
      case 'workdir': {
        const dir = single('WORKDIR', rest, env)
        config.WorkingDir = posix.isAbsolute(dir) ? posix.normalize(dir) : posix.join(config.WorkingDir || '/', dir)
        break
      }
      case 'volume':
        config.Volumes = { ...(config.Volumes ?? {}) }
        for (const v of jsonArray(rest) ?? words(rest, env)) {
          if (v.trim() === '') throw invalid('INVALID_CHANGE', 'VOLUME specified can not be an empty string')
          config.Volumes[v] = {}
        }
        break
      case 'stopsignal': {
        const sig = single('STOPSIGNAL', rest, env)
        if (!/^(\d+|(SIG)?[A-Z][A-Z0-9]*([+-]\d+)?)$/i.test(sig)) throw invalid('INVALID_CHANGE', `Invalid signal: ${sig}`)
        config.StopSignal = sig
        break
      }
      default:
        throw invalid('INVALID_CHANGE', `${instruction} is not a valid change command`)
    }
  }
  return config
}

function envMap(env: readonly string[]): Map<string, string> {
  const m = new Map<string, string>()
  for (const e of env) {
    const i = e.indexOf('=')
    if (i > 0) m.set(e.slice(0, i), e.slice(i + 1))
  }
  return m
}

function setEnv(config: ImageRuntimeConfig, key: string, value: string): void {
  const env = (config.Env ?? []).filter((e) => !e.startsWith(`${key}=`))
  env.push(`${key}=${value}`)
  config.Env = env
}

/** JSON (exec) form if it parses as an array of strings, else shell form. */
function commandForm(rest: string): string[] {
  return jsonArray(rest) ?? ['/bin/sh', '-c', rest]
}

function jsonArray(rest: string): string[] | undefined {
  if (!rest.startsWith('[')) return undefined
  try {
    const v: unknown = JSON.parse(rest)
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[]
  } catch {
    // not JSON: shell form
  }
  return undefined
}

function single(name: string, rest: string, env: Map<string, string>): string {
  const w = words(rest, env)
  if (w.length !== 1) throw invalid('INVALID_CHANGE', `${name} requires exactly one argument`)
  return w[0] as string
}

/** ENV/LABEL arguments: `k=v k2="v 2"`, or the legacy `key value with spaces`. */
function keyValues(name: string, rest: string, env: Map<string, string>): Array<[string, string]> {
  const w = words(rest, env)
  if (w.length === 0) throw invalid('INVALID_CHANGE', `${name} requires at least one argument`)
  if (!(w[0] as string).includes('=')) {
    // Legacy form: first word is the key, the rest of the line (one value) follows.
    const key = w[0] as string
    const value = w.slice(1).join(' ')
    if (w.length < 2) throw invalid('INVALID_CHANGE', `${name} must have two arguments`)
    return [[key, value]]
  }
  return w.map((word) => {
    const i = word.indexOf('=')
    if (i <= 0) throw invalid('INVALID_CHANGE', `${name} names can not be blank`)
    return [word.slice(0, i), word.slice(i + 1)]
  })
}

/** "80", "80/udp", "8000-8002/tcp" -> ["80/tcp"], ... */
function exposedPorts(spec: string): string[] {
  const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec)
  const bad = (): Error => invalid('INVALID_CHANGE', `Invalid containerPort: ${spec}`)
  if (!m) throw bad()
  const start = Number(m[1])
  const end = m[2] !== undefined ? Number(m[2]) : start
  const proto = (m[3] ?? 'tcp').toLowerCase()
  if (start < 1 || end > 65535 || end < start) throw bad()
  const out: string[] = []
  for (let p = start; p <= end; p++) out.push(`${p}/${proto}`)
  return out
}

/**
 * Splits on unquoted whitespace with shell-like quoting: '...' is literal, "..." and bare words
 * expand $VAR and ${VAR}, backslash escapes the next character.
 */
export function words(input: string, env: Map<string, string>): string[] {
  const out: string[] = []
  let cur = ''
  let inWord = false
  let quote: '"' | "'" | undefined
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as string
    if (quote === "'") {
      if (c === "'") quote = undefined
      else cur += c
      continue
    }
    if (c === '\\' && i + 1 < input.length) {
      const next = input[++i] as string
      cur += quote === '"' && !'"\\$'.includes(next) ? `\\${next}` : next
      inWord = true
      continue
    }
    if (c === '$') {
      const m = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(input.slice(i))
      if (m) {
        cur += env.get((m[1] ?? m[2]) as string) ?? ''
        i += m[0].length - 1
        inWord = true
        continue
      }
    }
    if (quote === '"') {
      if (c === '"') quote = undefined
      else cur += c
      continue
    }
    if (c === '"' || c === "'") {
      quote = c
      inWord = true
      continue
    }
    if (/\s/.test(c)) {
      if (inWord) out.push(cur)
      cur = ''
      inWord = false
      continue
    }
    cur += c
    inWord = true
  }
  if (quote) throw invalid('INVALID_CHANGE', `unterminated quote in "${input}"`)
  if (inWord) out.push(cur)
  return out
}

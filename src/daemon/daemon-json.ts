/**
 * daemon.json, merged into berthd's flags as dockerd merges /etc/docker/daemon.json: every key is a
 * long flag name (plural for repeatable flags: "hosts" for -H); a key also given as a flag stops
 * start-up, and so does a key that matches no option. Docker keys that berth accepts but does not act
 * on come back as warnings. Values from the file get commander's 'config' source.
 */
import type { Command, Option } from 'commander'

/** Reads a file: its text, or undefined when it does not exist (other errors throw). */
export type ConfigFileReader = (path: string) => string | undefined

export class DaemonConfigError extends Error {}

/** daemon.json keys whose flag has another name (dockerd's plural keys of repeatable flags). */
const KEY_TO_FLAG: Record<string, string> = {
  hosts: 'host',
  'insecure-registries': 'insecure-registry',
  'registry-mirrors': 'registry-mirror',
  'default-address-pools': 'default-address-pool',
  'dns-search': 'dns-search',
  'dns-opts': 'dns-opt',
  labels: 'label',
}

/** Docker keys berth accepts without acting on them yet (a warning is logged for each). */
const ACCEPTED_NOT_APPLIED = new Set([
  'storage-driver', 'storage-opts', 'log-driver', 'log-opts', 'live-restore', 'default-ulimits', 'features', 'runtimes',
  'experimental', 'registry-mirrors',
  'dns', 'dns-search', 'dns-opts', 'mtu', 'iptables', 'ip-forward', 'ip-masq', 'ipv6', 'fixed-cidr', 'default-address-pools',
  'bip', 'insecure-registries', 'shutdown-timeout', 'icc', 'userland-proxy', 'init', 'init-path', 'cgroup-parent',
  'exec-opts', 'default-shm-size', 'seccomp-profile', 'no-new-privileges', 'selinux-enabled', 'containerd',
])

function findOption(program: Command, flagName: string): Option | undefined {
  return program.options.find((o) => o.long === `--${flagName}`)
}

/**
 * Offset of the first JSON syntax error in `text` (JSON.parse's messages do not always carry one:
 * "Unexpected token '}', ... is not valid JSON"); undefined when the scanner finds none.
 */
export function jsonErrorOffset(text: string): number | undefined {
  let i = 0
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i]!)) i++
  }
  const fail = (): never => {
    throw i
  }
  const literal = (word: string): void => {
    for (const ch of word) if (text[i++] !== ch) (i--, fail())
  }
  const string = (): void => {
    i++
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++
      else if (text.charCodeAt(i) < 0x20) fail()
      i++
    }
    if (i >= text.length) fail()
    i++
  }
  const value = (): void => {
    ws()
    const c = text[i]
    if (c === '{') {
      i++
      ws()
      if (text[i] === '}') return void i++
      for (;;) {
        ws()
        if (text[i] !== '"') fail()
        string()
        ws()
        if (text[i] !== ':') fail()
        i++
        value()
        ws()
        if (text[i] === ',') i++
        else if (text[i] === '}') return void i++
        else fail()
      }
    }
    if (c === '[') {
      i++
      ws()
      if (text[i] === ']') return void i++
      for (;;) {
        value()
        ws()
        if (text[i] === ',') i++
        else if (text[i] === ']') return void i++
        else fail()
      }
    }
    if (c === '"') return string()
    if (c === 't') return literal('true')
    if (c === 'f') return literal('false')
    if (c === 'n') return literal('null')
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i))
    if (!m) fail()
    i += m![0].length
  }
  try {
    value()
    ws()
    return i < text.length ? i : undefined
  } catch (at) {
    if (typeof at === 'number') return at
    throw at
  }
}

/** Line and column of a JSON.parse error position, from node's message or the scanner above. */
function jsonErrorWhere(text: string, err: Error): string {
  const m = /position (\d+)/.exec(err.message)
  const pos = m ? Number(m[1]) : jsonErrorOffset(text)
  if (pos === undefined) return err.message
  const before = text.slice(0, pos).split('\n')
  // V8 quotes the text around the error ("Unexpected token '}', ...\"x\",\n}\" is not valid JSON"): the position says it better.
  const what = err.message.replace(/ in JSON at position \d+.*$/s, '').replace(/, (\.\.\.)?".*$/s, '')
  return `${what} at line ${before.length}, column ${before[before.length - 1]!.length + 1}`
}

const show = (v: unknown): string => (Array.isArray(v) ? `[${v.join(' ')}]` : String(v))

/** Reads the --config-file and applies its keys to `program` (already parsed). */
export function applyDaemonJson(program: Command, readFile?: ConfigFileReader): { file: string | undefined; warnings: string[] } {
  const path = program.getOptionValue('configFile') as string
  const explicit = program.getOptionValueSource('configFile') === 'cli'
  const text = readFile?.(path)
  if (text === undefined) {
    if (explicit && readFile) throw new DaemonConfigError(`unable to configure the daemon with file ${path}: open ${path}: no such file or directory`)
    return { file: undefined, warnings: [] }
  }
  const fail = (why: string): never => {
    throw new DaemonConfigError(`unable to configure the daemon with file ${path}: ${why}`)
  }
  let parsed: unknown
  try {
    parsed = text.trim() === '' ? {} : JSON.parse(text)
  } catch (err) {
    return fail(jsonErrorWhere(text, err as Error))
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return fail('the file must hold a JSON object')
  const entries = Object.entries(parsed as Record<string, unknown>)
  const unknown: string[] = []
  const conflicts: string[] = []
  const warnings: string[] = []
  for (const [key, value] of entries) {
    const flagName = KEY_TO_FLAG[key] ?? key
    const option = findOption(program, flagName)
    if (!option) {
      if (ACCEPTED_NOT_APPLIED.has(key)) warnings.push(`daemon.json: "${key}" is not applied by berth yet; ignored`)
      else unknown.push(key)
      continue
    }
    const attr = option.attributeName()
    if (program.getOptionValueSource(attr) === 'cli') {
      conflicts.push(`${key}: (from flag: ${show(program.getOptionValue(attr))}, from file: ${show(value)})`)
      continue
    }
    program.setOptionValueWithSource(attr, coerce(key, value, option, fail), 'config')
  }
  if (conflicts.length > 0) fail(`the following directives are specified both as a flag and in the configuration file: ${conflicts.join(', ')}`)
  if (unknown.length > 0) fail(`the following directives don't match any configuration option: ${unknown.join(', ')}`)
  return { file: path, warnings }
}

/** A daemon.json value in the shape the option holds (arrays for repeatable flags, choices checked). */
function coerce(key: string, value: unknown, option: Option, fail: (why: string) => never): unknown {
  const repeatable = Array.isArray(option.defaultValue)
  if (repeatable) {
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) fail(`"${key}" must be an array of strings`)
    return value
  }
  if (option.isBoolean() || option.optional) {
    if (typeof value !== 'boolean') fail(`"${key}" must be true or false`)
    return value
  }
  // Counts are JSON numbers in daemon.json ("max-concurrent-downloads": 3); the flag value is their text.
  if (typeof value === 'number' && Number.isInteger(value) && /<int>$/.test(option.flags)) return String(value)
  if (typeof value !== 'string') fail(`"${key}" must be a string`)
  const choices = (option as Option & { argChoices?: string[] }).argChoices
  if (choices && !choices.includes(value as string)) fail(`invalid value "${String(value)}" for "${key}": allowed ${choices.join(', ')}`)
  return value
}

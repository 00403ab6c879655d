/**
 * Typed instructions from parsed nodes, checked as buildkit's instructions.Parse checks them
 * (flags each instruction accepts, JSON vs shell form, name=value pairs, ONBUILD rules), and the
 * split into stages (meta ARGs before the first FROM). Values stay unexpanded: variables are
 * substituted by the builder with the environment in effect at each step. Pure.
 */
import { DockerfileParseError, type DockerfileNode, type Heredoc, type ParsedDockerfile } from './dockerfile-parser.js'
import { splitWords } from './shell-words.js'

/** Exec form (JSON array) or shell form (one string). */
export type CommandForm = { json: string[] } | { shell: string }

export interface KeyValue {
  key: string
  /** Unexpanded value (undefined for `ARG name` without default). */
  value: string | undefined
}

export type Instruction =
  | { kind: 'FROM'; image: string; stageName?: string; platform?: string }
  | { kind: 'RUN'; command: CommandForm; heredocs: Heredoc[]; network?: string }
  | { kind: 'COPY' | 'ADD'; sources: string[]; dest: string; json: boolean; heredocs: Heredoc[]; from?: string; chown?: string; chmod?: string }
  | { kind: 'ENV' | 'LABEL'; pairs: KeyValue[] }
  | { kind: 'ARG'; args: KeyValue[] }
  | { kind: 'WORKDIR' | 'USER' | 'STOPSIGNAL' | 'MAINTAINER'; value: string }
  | { kind: 'EXPOSE'; ports: string }
  | { kind: 'VOLUME'; json?: string[]; shell?: string }
  | { kind: 'CMD' | 'ENTRYPOINT'; command: CommandForm }
  | { kind: 'SHELL'; shell: string[] }
  | { kind: 'HEALTHCHECK'; test: string[]; interval?: number; timeout?: number; startPeriod?: number; startInterval?: number; retries?: number }
  | { kind: 'ONBUILD'; trigger: string }

export interface Step {
  node: DockerfileNode
  instruction: Instruction
}

export interface Stage {
  index: number
  /** Lower-cased `AS name`, if any. */
  name?: string
  from: Step & { instruction: { kind: 'FROM' } }
  steps: Step[]
}

export interface Dockerfile {
  escape: string
  metaArgs: Array<Step & { instruction: { kind: 'ARG' } }>
  stages: Stage[]
}

const ALLOWED_FLAGS: Record<string, readonly string[]> = {
  FROM: ['platform'],
  RUN: ['network', 'mount', 'security'],
  COPY: ['from', 'chown', 'chmod', 'link', 'parents', 'exclude'],
  ADD: ['chown', 'chmod', 'link', 'checksum', 'keep-git-dir', 'exclude'],
  HEALTHCHECK: ['interval', 'timeout', 'start-period', 'start-interval', 'retries'],
}

function fail(file: string, node: DockerfileNode, message: string): never {
  throw new DockerfileParseError(file, node.startLine, message)
}

function parseFlags(file: string, node: DockerfileNode): Map<string, string> {
  const allowed = ALLOWED_FLAGS[node.keyword] ?? []
  const out = new Map<string, string>()
  for (const raw of node.flags) {
    const eq = raw.indexOf('=')
    const name = raw.slice(2, eq < 0 ? undefined : eq)
    let value = eq < 0 ? 'true' : raw.slice(eq + 1)
    if (/^(["']).*\1$/.test(value)) value = value.slice(1, -1)
    if (!allowed.includes(name)) fail(file, node, `Unknown flag: ${name}`)
    if (out.has(name)) fail(file, node, `Duplicate flag specified: ${name}`)
    if (eq < 0 && name !== 'link' && name !== 'parents' && name !== 'keep-git-dir') fail(file, node, `Missing a value on flag: ${name}`)
    out.set(name, value)
  }
  return out
}

/** JSON array of strings, or undefined when `rest` is not one (then it is shell form). */
export function parseJsonArray(rest: string): string[] | undefined {
  if (!rest.startsWith('[')) return undefined
  try {
    const v: unknown = JSON.parse(rest)
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[]
  } catch {
    return undefined
  }
  return undefined
}

function commandForm(rest: string): CommandForm {
  const json = parseJsonArray(rest)
  return json ? { json } : { shell: rest }
}

/** ENV/LABEL: `k=v k2="v 2"`, or the legacy `ENV key value with spaces`. */
function nameValues(file: string, node: DockerfileNode, escape: string): KeyValue[] {
  const words = splitWords(node.rest, escape)
  const kw = node.keyword
  if (words.length === 0) fail(file, node, `${kw} requires at least one argument`)
  if (!(words[0] as string).includes('=')) {
    const m = /^(\S+)\s+([\s\S]*)$/.exec(node.rest)
    if (!m) fail(file, node, `${kw} must have two arguments`)
    return [{ key: m[1] as string, value: (m[2] as string).trim() }]
  }
  return words.map((w) => {
    const eq = w.indexOf('=')
    if (eq < 0) fail(file, node, `Syntax error - can't find = in "${w}". Must be of the form: name=value`)
    const key = w.slice(0, eq)
    if (key === '') fail(file, node, `${kw} names can not be blank`)
    return { key, value: w.slice(eq + 1) }
  })
}

const GO_DURATION = /^(?:(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h))+$/
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 }

/** Go's time.ParseDuration, in nanoseconds. */
export function parseGoDuration(text: string): number | undefined {
  if (text === '0') return 0
  if (!GO_DURATION.test(text)) return undefined
  let total = 0
  for (const m of text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(m[1]) * (UNIT_NS[m[2] as string] as number)
  return Math.round(total)
}

/** One instruction node to its typed form; throws DockerfileParseError for malformed input. */
export function parseInstruction(node: DockerfileNode, file: string, escape: string): Instruction {
  const flags = parseFlags(file, node)
  const rest = node.rest
  const needArgs = (): void => {
    if (rest === '' && node.heredocs.length === 0) fail(file, node, `${node.keyword} requires at least one argument`)
  }
  switch (node.keyword) {
    case 'FROM': {
      const words = rest.split(/\s+/).filter((w) => w !== '')
      if (words.length !== 1 && !(words.length === 3 && (words[1] as string).toLowerCase() === 'as')) {
        fail(file, node, 'FROM requires either one or three arguments')
      }
      const stageName = words[2]?.toLowerCase()
      if (stageName !== undefined && !/^[a-z][a-z0-9-_.]*$/.test(stageName)) fail(file, node, `invalid name for build stage: "${words[2]}", name can't start with a number or contain symbols`)
      const platform = flags.get('platform')
      return { kind: 'FROM', image: words[0] as string, ...(stageName ? { stageName } : {}), ...(platform ? { platform } : {}) }
    }
    case 'RUN': {
      needArgs()
      const network = flags.get('network')
      if (flags.has('mount') || flags.has('security')) fail(file, node, `RUN --${flags.has('mount') ? 'mount' : 'security'} is not supported by berth's builder yet`)
      return { kind: 'RUN', command: commandForm(rest), heredocs: node.heredocs, ...(network ? { network } : {}) }
    }
    case 'COPY':
    case 'ADD': {
      const json = parseJsonArray(rest)
      const words = json ?? rest.split(/\s+/).filter((w) => w !== '')
      if (words.length < 2) fail(file, node, `${node.keyword} requires at least two arguments, but only one was provided. Destination could not be determined`)
      for (const f of ['link', 'parents', 'exclude', 'checksum', 'keep-git-dir']) {
        if (flags.has(f)) fail(file, node, `${node.keyword} --${f} is not supported by berth's builder yet`)
      }
      const from = flags.get('from')
      const chown = flags.get('chown')
      const chmod = flags.get('chmod')
      return {
        kind: node.keyword,
        sources: words.slice(0, -1),
        dest: words[words.length - 1] as string,
        json: json !== undefined,
        heredocs: node.heredocs,
        ...(from ? { from } : {}),
        ...(chown ? { chown } : {}),
        ...(chmod ? { chmod } : {}),
      }
    }
    case 'ENV':
    case 'LABEL':
      return { kind: node.keyword, pairs: nameValues(file, node, escape) }
    case 'ARG': {
      const words = splitWords(rest, escape)
      if (words.length === 0) fail(file, node, 'ARG requires at least one argument')
      return {
        kind: 'ARG',
        args: words.map((w) => {
          const eq = w.indexOf('=')
          const key = eq < 0 ? w : w.slice(0, eq)
          if (key === '') fail(file, node, 'ARG names can not be blank')
          return { key, value: eq < 0 ? undefined : w.slice(eq + 1) }
        }),
      }
    }
    case 'WORKDIR':
    case 'USER':
    case 'STOPSIGNAL':
    case 'MAINTAINER':
      if (rest === '') fail(file, node, `${node.keyword} requires exactly one argument`)
      if (node.keyword !== 'MAINTAINER' && node.keyword !== 'WORKDIR' && /\s/.test(rest)) fail(file, node, `${node.keyword} requires exactly one argument`)
      return { kind: node.keyword, value: rest }
    case 'EXPOSE':
      needArgs()
      return { kind: 'EXPOSE', ports: rest }
    case 'VOLUME': {
      needArgs()
      const json = parseJsonArray(rest)
      return json ? { kind: 'VOLUME', json } : { kind: 'VOLUME', shell: rest }
    }
    case 'CMD':
    case 'ENTRYPOINT':
      return { kind: node.keyword, command: commandForm(rest) }
    case 'SHELL': {
      const json = parseJsonArray(rest)
      if (!json || json.length === 0) fail(file, node, 'SHELL requires the arguments to be in JSON form')
      return { kind: 'SHELL', shell: json }
    }
    case 'HEALTHCHECK':
      return healthcheck(file, node, flags)
    case 'ONBUILD': {
      needArgs()
      const trigger = (rest.split(/\s/)[0] ?? '').toUpperCase()
      if (trigger === 'ONBUILD') fail(file, node, 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed')
      if (trigger === 'FROM' || trigger === 'MAINTAINER') fail(file, node, `${trigger} isn't allowed as an ONBUILD trigger`)
      return { kind: 'ONBUILD', trigger: rest }
    }
  }
}

function healthcheck(file: string, node: DockerfileNode, flags: Map<string, string>): Instruction {
  const rest = node.rest
  const word = (rest.split(/\s+/)[0] ?? '').toUpperCase()
  if (word === 'NONE') {
    if (rest.trim().split(/\s+/).length > 1) fail(file, node, 'HEALTHCHECK NONE takes no arguments')
    return { kind: 'HEALTHCHECK', test: ['NONE'] }
  }
  if (word !== 'CMD') fail(file, node, `Unknown type "${word}" in HEALTHCHECK (try CMD)`)
  const cmdRest = rest.slice(3).trim()
  if (cmdRest === '') fail(file, node, 'Missing command after HEALTHCHECK CMD')
  const json = parseJsonArray(cmdRest)
  const test = json ? ['CMD', ...json] : ['CMD-SHELL', cmdRest]
  const out: Instruction = { kind: 'HEALTHCHECK', test }
  const dur = (name: string): number | undefined => {
    const v = flags.get(name)
    if (v === undefined) return undefined
    const ns = parseGoDuration(v)
    if (ns === undefined) fail(file, node, `time: invalid duration "${v}"`)
    if (ns !== 0 && ns < 1e6) fail(file, node, `Interval "${name}" cannot be less than 1ms`)
    return ns
  }
  const interval = dur('interval')
  const timeout = dur('timeout')
  const startPeriod = dur('start-period')
  const startInterval = dur('start-interval')
  if (interval !== undefined) out.interval = interval
  if (timeout !== undefined) out.timeout = timeout
  if (startPeriod !== undefined) out.startPeriod = startPeriod
  if (startInterval !== undefined) out.startInterval = startInterval
  const retries = flags.get('retries')
  if (retries !== undefined) {
    if (!/^\d+$/.test(retries)) fail(file, node, `strconv.ParseInt: parsing "${retries}": invalid syntax`)
    if (Number(retries) < 1) fail(file, node, `--retries must be at least 1 (not ${retries})`)
    out.retries = Number(retries)
  }
  return out
}

/** Splits a parsed Dockerfile into meta ARGs and stages; "no build stage in current context" without FROM. */
export function toStages(parsed: ParsedDockerfile, file = 'Dockerfile'): Dockerfile {
  const out: Dockerfile = { escape: parsed.escape, metaArgs: [], stages: [] }
  for (const node of parsed.nodes) {
    const instruction = parseInstruction(node, file, parsed.escape)
    const step = { node, instruction }
    if (instruction.kind === 'FROM') {
      out.stages.push({
        index: out.stages.length,
        ...(instruction.stageName ? { name: instruction.stageName } : {}),
        from: step as Stage['from'],
        steps: [],
      })
      continue
    }
    const stage = out.stages[out.stages.length - 1]
    if (stage) stage.steps.push(step)
    else if (instruction.kind === 'ARG') out.metaArgs.push(step as Dockerfile['metaArgs'][number])
    else throw new DockerfileParseError(file, node.startLine, 'no build stage in current context: the Dockerfile must begin with a FROM instruction (only ARG may come before it)')
  }
  if (out.stages.length === 0) {
    throw new DockerfileParseError(file, parsed.nodes[0]?.startLine ?? 1, 'no build stage in current context: the Dockerfile has no FROM instruction')
  }
  const names = new Set<string>()
  for (const s of out.stages) {
    if (!s.name) continue
    if (names.has(s.name)) throw new DockerfileParseError(file, s.from.node.startLine, `duplicate stage name "${s.name}"`)
    names.add(s.name)
  }
  return out
}

/**
 * Pure rules for what a step does to the image config: the environment variables see during
 * expansion, the effect of metadata instructions, the `created_by` text dockerd's classic builder
 * writes into history (also part of the cache key), EXPOSE port specs.
 */
import type { ImageRuntimeConfig } from '../images/index.js'
import type { CommandForm } from './instructions.js'
import { buildError } from './file-ops.js'

export const DEFAULT_SHELL = ['/bin/sh', '-c']
export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'

/** Build args usable without an ARG instruction, kept out of history and the cache key, as in Docker. */
export const PROXY_ARGS = new Set([
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy',
  'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
])

export function envMap(env: readonly string[] | undefined): Map<string, string> {
  const m = new Map<string, string>()
  for (const e of env ?? []) {
    const i = e.indexOf('=')
    if (i < 0) m.set(e, '')
    else m.set(e.slice(0, i), e.slice(i + 1))
  }
  return m
}

/** Expansion environment: the ARGs in scope, overridden by ENV (an ENV always wins over an ARG). */
export function expansionEnv(config: ImageRuntimeConfig, args: ReadonlyMap<string, string>): Map<string, string> {
  const m = new Map(args)
  for (const [k, v] of envMap(config.Env)) m.set(k, v)
  return m
}

/** Sets or replaces `key` in an Env list, keeping its position. */
export function setEnv(env: readonly string[] | undefined, key: string, value: string): string[] {
  const out = [...(env ?? [])]
  const i = out.findIndex((e) => e === key || e.startsWith(`${key}=`))
  if (i >= 0) out[i] = `${key}=${value}`
  else out.push(`${key}=${value}`)
  return out
}

/** A command as the config stores it: exec form as is, shell form prefixed with the shell. */
export function commandArgs(form: CommandForm, shell: readonly string[]): string[] {
  return 'json' in form ? [...form.json] : [...shell, form.shell]
}

/** "/bin/sh -c #(nop)  CMD [\"sh\"]": the history text of a step that only changes metadata. */
export function nopCreatedBy(shell: readonly string[], text: string): string {
  return `${shell.join(' ')} #(nop) ${text}`
}

/** The RUN args that are in effect and not in the config's Env, as "|2 A=1 B=2 " (classic builder). */
export function runArgsPrefix(args: ReadonlyMap<string, string>, config: ImageRuntimeConfig): string {
  const env = envMap(config.Env)
  const used = [...args].filter(([k]) => !env.has(k) && !PROXY_ARGS.has(k)).sort(([a], [b]) => (a < b ? -1 : 1))
  if (used.length === 0) return ''
  return `|${used.length} ${used.map(([k, v]) => `${k}=${v}`).join(' ')} `
}

/** EXPOSE specs ("80", "8000-8002/udp") to ExposedPorts keys ("80/tcp"). */
export function exposedPorts(specs: readonly string[]): string[] {
  const out: string[] = []
  for (const spec of specs) {
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(spec)
    if (!m) throw buildError(`Invalid containerPort: ${spec}`)
    const start = Number(m[1])
    const end = m[2] === undefined ? start : Number(m[2])
    if (start > 65535 || end > 65535 || end < start) throw buildError(`Invalid containerPort: ${spec}`)
    const proto = (m[3] ?? 'tcp').toLowerCase()
    for (let p = start; p <= end; p++) out.push(`${p}/${proto}`)
  }
  return out
}

/** "--chmod=755" to a mode. */
export function parseChmod(value: string): number {
  if (!/^[0-7]{3,4}$/.test(value)) throw buildError(`invalid chmod parameter: ${value}. it should be octal string and between 0 and 07777`)
  return parseInt(value, 8)
}

/** WORKDIR relative to the previous one, cleaned. */
export function resolveWorkdir(current: string | undefined, value: string): string {
  const base = value.startsWith('/') ? value : `${current || '/'}/${value}`
  const parts: string[] = []
  for (const p of base.split('/')) {
    if (p === '' || p === '.') continue
    if (p === '..') parts.pop()
    else parts.push(p)
  }
  return '/' + parts.join('/')
}

/** Docker's signal names for STOPSIGNAL checks. */
export function validStopSignal(sig: string): boolean {
  if (/^\d+$/.test(sig)) return Number(sig) > 0 && Number(sig) < 65
  return /^(SIG)?(HUP|INT|QUIT|ILL|TRAP|ABRT|BUS|FPE|KILL|USR1|SEGV|USR2|PIPE|ALRM|TERM|STKFLT|CHLD|CONT|STOP|TSTP|TTIN|TTOU|URG|XCPU|XFSZ|VTALRM|PROF|WINCH|IO|PWR|SYS|RTMIN(\+\d+)?|RTMAX(-\d+)?)$/.test(sig.toUpperCase())
}

/** Signal names and numbers as `docker kill --signal` and STOPSIGNAL accept them (Linux x86/arm). */
import { EngineError } from '../../common/index.js'

const SIGNALS: Readonly<Record<string, number>> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10, SEGV: 11,
  USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CONT: 18, STOP: 19, TSTP: 20, TTIN: 21,
  TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27, WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31,
}
const RTMIN = 34
const RTMAX = 64

/**
 * Parses "SIGTERM", "TERM", "term", "15", "RTMIN+3". Returns the signal number.
 * InvalidArgument "Invalid signal: x" otherwise.
 */
export function parseSignal(value: string | number): number {
  const invalid = (): EngineError => new EngineError('InvalidArgument', 'INVALID_SIGNAL', `Invalid signal: ${value}`)
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1 || value > RTMAX) throw invalid()
    return value
  }
  const text = value.trim()
  if (/^\d+$/.test(text)) return parseSignal(Number(text))
  const name = text.toUpperCase().replace(/^SIG/, '')
  const known = SIGNALS[name]
  if (known !== undefined) return known
  const rt = /^RTM(IN|AX)([+-]\d+)?$/.exec(name)
  if (rt) {
    const n = (rt[1] === 'IN' ? RTMIN : RTMAX) + Number(rt[2] ?? 0)
    if (n >= RTMIN && n <= RTMAX) return n
  }
  throw invalid()
}

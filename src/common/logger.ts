import { isoTime } from './iso-time.js'

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal'

/** Where the daemon's own log lines go. Engine code logs only through this contract. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void
  info(msg: string, fields?: Record<string, unknown>): void
  warn(msg: string, fields?: Record<string, unknown>): void
  error(msg: string, fields?: Record<string, unknown>): void
}

const order: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, fatal: 4 }

/** dockerd-style lines on stderr: time="..." level=info msg="..." key=value */
export function createStderrLogger(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l)): Logger & { setLevel(level: LogLevel): void } {
  const emit = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>): void => {
    if (order[lvl] < order[level]) return
    let line = `time="${isoTime()}" level=${lvl} msg=${JSON.stringify(msg)}`
    for (const [k, v] of Object.entries(fields ?? {})) line += ` ${k}=${JSON.stringify(v instanceof Error ? v.message : v)}`
    write(line + '\n')
  }
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    /** Changes the threshold (SIGHUP reload of debug / log-level). */
    setLevel: (l) => {
      level = l
    },
  }
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} }

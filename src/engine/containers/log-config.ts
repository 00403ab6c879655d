/**
 * Pure: the log driver a container asked for (HostConfig.LogConfig) checked the way dockerd checks it,
 * and turned into the policy berth applies. Every kept log is conmon's k8s-file; "json-file" (the
 * default), "local" and "k8s-file" all mean that file plus rotation, "none" means no log at all.
 * Errors are EngineError InvalidArgument with Docker's wording (moby daemon/logger/factory.go,
 * jsonfilelog/jsonfilelog.go, local/local.go).
 */
import { invalid } from '../../common/index.js'
import type { LogConfig } from './types.js'

export type LogDriver = 'json-file' | 'local' | 'k8s-file' | 'none'

export const DEFAULT_LOG_DRIVER = 'json-file'

export interface LogPolicy {
  driver: LogDriver
  /** Rotate the log once it exceeds this many bytes; undefined = never rotate. */
  maxSize?: number
  /** How many files (the live one included) are kept when rotating; at least 1. */
  maxFile: number
}

/** Options every driver accepts (moby logger.builtInLogOpts). */
const BUILTIN_OPTS = new Set(['mode', 'max-buffer-size'])
/** Attribute options all file drivers accept and berth ignores (labels, env and tag go into JSON attrs). */
const ATTRIBUTE_OPTS = ['labels', 'labels-regex', 'env', 'env-regex', 'tag']
const DRIVER_OPTS: Record<Exclude<LogDriver, 'none'>, ReadonlySet<string>> = {
  'json-file': new Set(['max-file', 'max-size', 'compress', ...ATTRIBUTE_OPTS]),
  'k8s-file': new Set(['max-file', 'max-size', 'compress', ...ATTRIBUTE_OPTS]),
  local: new Set(['max-file', 'max-size', 'compress', ...ATTRIBUTE_OPTS]),
}
/** The local driver rotates by default (moby local.defaultMaxFileSize / defaultMaxFileCount). */
const LOCAL_DEFAULT_MAX_SIZE = 20 * 1024 * 1024
const LOCAL_DEFAULT_MAX_FILE = 5

const invalidOpt = (message: string) => invalid('INVALID_LOG_OPT', message)
/** Option values: dockerd checks them when the driver starts and reports them with this prefix. */
const invalidValue = (message: string) => invalidOpt(`failed to initialize logging driver: ${message}`)

const isDriver = (name: string): name is LogDriver => name === 'none' || Object.hasOwn(DRIVER_OPTS, name)

/** The LogConfig as stored and shown by inspect: Docker's default driver when the client sent none. */
export function normalizeLogConfig(cfg: LogConfig | undefined): LogConfig {
  return { type: cfg?.type || DEFAULT_LOG_DRIVER, config: { ...(cfg?.config ?? {}) } }
}

const DECIMAL: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 }
const GO_FLOAT = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/

/**
 * Docker's size strings for max-size, as go-units FromHumanSize reads them (what json-file and local
 * use): a number, an optional space, then b or k/m/g/t/p with an optional "b" or "ib", in decimal
 * multiples (1k = 1000). Throws with go-units' wording.
 */
export function parseLogSize(value: string): number {
  let sep = -1
  for (let i = value.length - 1; i >= 0 && sep < 0; i--) if ('0123456789. '.includes(value[i] as string)) sep = i
  if (sep < 0) throw invalidValue(`invalid size: '${value}'`)
  const num = value[sep] === ' ' ? value.slice(0, sep) : value.slice(0, sep + 1)
  const suffix = value.slice(sep + 1)
  if (!GO_FLOAT.test(num)) throw invalidValue(`strconv.ParseFloat: parsing "${num}": invalid syntax`)
  const size = Number(num)
  if (size < 0) throw invalidValue(`invalid size: '${value}'`)
  const sfx = suffix.toLowerCase()
  if (sfx === '' || sfx === 'b') return Math.trunc(size)
  const mul = DECIMAL[sfx[0] as string]
  const rest = sfx.slice(1)
  if (mul === undefined || sfx.length > 3 || (rest !== '' && rest !== 'b' && rest !== 'ib')) throw invalidValue(`invalid suffix: '${suffix}'`)
  return Math.trunc(size * mul)
}

/** Go's strconv.Atoi: an optionally signed decimal integer and nothing else. */
function atoi(value: string): number {
  if (!/^[+-]?[0-9]+$/.test(value)) throw invalidValue(`strconv.Atoi: parsing "${value}": invalid syntax`)
  return Number(value)
}

const GO_BOOLS: Record<string, boolean> = {
  '1': true, t: true, T: true, true: true, TRUE: true, True: true,
  '0': false, f: false, F: false, false: false, FALSE: false, False: false,
}

/**
 * Checks a LogConfig as dockerd does at create (driver known, options known and well formed) and
 * returns the policy. InvalidArgument otherwise. max-file is accepted without max-size and then has no
 * effect, as in Docker ("only effective when max-size is also set").
 */
export function logPolicy(cfg: LogConfig | undefined): LogPolicy {
  const { type, config } = normalizeLogConfig(cfg)
  if (!isDriver(type)) throw invalid('UNKNOWN_LOG_DRIVER', `logger: no log driver named '${type}' is registered`)
  if (type === 'none') return { driver: 'none', maxFile: 1 }

  const mode = config['mode'] ?? ''
  if (mode !== '' && mode !== 'blocking' && mode !== 'non-blocking') throw invalidOpt(`logger: logging mode not supported: ${mode}`)
  if (config['max-buffer-size'] !== undefined && mode !== 'non-blocking') {
    throw invalidOpt("logger: max-buffer-size option is only supported with 'mode=non-blocking'")
  }
  for (const key of Object.keys(config)) {
    if (BUILTIN_OPTS.has(key) || DRIVER_OPTS[type].has(key)) continue
    throw invalidOpt(type === 'local' ? `unknown log opt '${key}' for log driver local` : `unknown log opt '${key}' for ${type} log driver`)
  }

  let maxSize: number | undefined = type === 'local' ? LOCAL_DEFAULT_MAX_SIZE : undefined
  const sizeText = config['max-size']
  // "-1" is the documented "unlimited" default, which go-units itself would reject.
  if (sizeText === '-1') maxSize = undefined
  else if (sizeText !== undefined) {
    maxSize = parseLogSize(sizeText)
    if (maxSize <= 0) throw invalidValue('max-size must be a positive number')
  }
  let maxFile = type === 'local' ? LOCAL_DEFAULT_MAX_FILE : 1
  const fileText = config['max-file']
  if (fileText !== undefined) {
    maxFile = atoi(fileText)
    if (maxFile < 1) throw invalidValue('max-file cannot be less than 1')
  }
  const compressText = config['compress']
  if (compressText !== undefined) {
    const compress = GO_BOOLS[compressText]
    if (compress === undefined) throw invalidValue(`strconv.ParseBool: parsing "${compressText}": invalid syntax`)
    // Accepted for compatibility; rotated files are kept uncompressed.
    if (compress && type === 'json-file' && (maxFile === 1 || maxSize === undefined)) {
      throw invalidValue('compress cannot be true when max-file is less than 2 or max-size is not set')
    }
  }
  return maxSize === undefined ? { driver: type, maxFile } : { driver: type, maxSize, maxFile }
}

/** Below this, conmon's own limit would cut in before berthd rotates (see conmonLogSizeLimit). */
const CONMON_LIMIT_FLOOR = 8 * 1024 * 1024

/**
 * The --log-size-max given to conmon: a safety bound for while berthd is down, not the rotation.
 * conmon 2.1.6 counts bytes written since its own last size-triggered reopen (a "reopen log" request
 * from berthd does not reset the count) and then replaces container.log with an empty file. berthd
 * keeps a second link to the live file, so a replacement while it runs loses nothing (LogRotation);
 * the limit is set well above max-size so that it rarely fires at all, and with a floor so that a
 * tiny max-size does not make conmon replace the file several times between two of berthd's checks.
 * While berthd is down the log then stays below two such limits plus the rotated files.
 */
export function conmonLogSizeLimit(policy: LogPolicy): number | undefined {
  if (policy.maxSize === undefined) return undefined
  return Math.max(policy.maxSize * (policy.maxFile + 1), CONMON_LIMIT_FLOOR)
}

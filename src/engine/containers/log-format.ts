/**
 * conmon's k8s-file log format: one line per chunk, `<RFC3339Nano time> <stdout|stderr> <F|P> <text>`,
 * where P marks a chunk without its newline. Pure: parsing, joining P chunks with the stream's next F
 * chunk into one entry (F adds the "\n"), and decoding a log that spans several files.
 */
import type { LogEntry } from './types.js'
import { stat } from 'node:fs/promises'
import { isoTime } from '../../common/index.js'

export interface LogChunk {
  timeNs: bigint
  stream: 'stdout' | 'stderr'
  partial: boolean
  /** The text without the line's "\n" (a view into the read buffer, not a copy). */
  text: Buffer
  /** True when `text` is followed by the line's "\n" in the same buffer (saves a copy for whole lines). */
  newlineFollows?: boolean
}

const TIME_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/

// conmon stamps every line of one read with the same time and lines share few distinct seconds:
// the last parse (by bytes), second and format are remembered.
let lastSecondText = ''
let lastSecondMs = NaN
let lastStamp = Buffer.alloc(0)
let lastStampNs: bigint | undefined

/** Nanoseconds since the epoch of an RFC3339(Nano) timestamp, or undefined when malformed. */
export function parseTimestampNs(text: string): bigint | undefined {
  // Fast path for conmon's own shape: 19 chars of date-time, 9 fraction digits, then the zone.
  let second: string
  let fraction: string
  if (text.length >= 30 && text[19] === '.' && (text[29] === 'Z' || text[29] === '+' || text[29] === '-') && text[4] === '-' && text[10] === 'T') {
    second = text.slice(0, 19) + text.slice(29)
    fraction = text.slice(20, 29)
    if (!/^\d{9}$/.test(fraction)) return undefined
  } else {
    const m = TIME_RE.exec(text)
    if (!m) return undefined
    second = `${m[1]}${m[3]}`
    fraction = (m[2] ?? '').padEnd(9, '0')
  }
  if (second !== lastSecondText) {
    const ms = Date.parse(second)
    if (Number.isNaN(ms) || !TIME_RE.test(second.slice(0, 19) + 'Z')) return undefined
    lastSecondText = second
    lastSecondMs = ms
  }
  return BigInt(lastSecondMs) * 1_000_000n + BigInt(fraction)
}

/** parseTimestampNs of line[0, end), reusing the previous result when the bytes are the same. */
function stampNs(line: Buffer, end: number): bigint | undefined {
  if (end === lastStamp.length && line.compare(lastStamp, 0, end, 0, end) === 0) return lastStampNs
  lastStamp = Buffer.from(line.subarray(0, end))
  lastStampNs = parseTimestampNs(line.toString('latin1', 0, end))
  return lastStampNs
}

let lastFormatSecond = -1n
let lastFormatPrefix = ''

/** RFC3339Nano in UTC with 9 fraction digits, as `docker logs -t` prints it. */
export function formatTimestampNs(ns: bigint): string {
  const seconds = ns / 1_000_000_000n
  if (seconds !== lastFormatSecond) {
    lastFormatSecond = seconds
    lastFormatPrefix = isoTime(Number(seconds) * 1000).slice(0, 19)
  }
  return `${lastFormatPrefix}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`
}

const isStream = (line: Buffer, at: number, name: string): boolean => {
  for (let i = 0; i < name.length; i++) if (line[at + i] !== name.charCodeAt(i)) return false
  return true
}

/**
 * Parses one log line, with or without its trailing "\n"; undefined when it is not a k8s-file line.
 * The returned text is a view into `line`.
 */
export function parseLogLine(line: Buffer): LogChunk | undefined {
  const hasNewline = line.length > 0 && line[line.length - 1] === 0x0a
  const end = hasNewline ? line.length - 1 : line.length
  const s1 = line.indexOf(0x20)
  if (s1 < 0 || s1 >= end) return undefined
  const s2 = s1 + 7
  if (s2 >= end + 1 || (line[s2] !== 0x20 && s2 !== end)) return undefined
  const stream = isStream(line, s1 + 1, 'stdout') ? 'stdout' : isStream(line, s1 + 1, 'stderr') ? 'stderr' : undefined
  if (stream === undefined) return undefined
  let s3 = s2 >= end ? end : line.indexOf(0x20, s2 + 1)
  if (s3 < 0 || s3 > end) s3 = end
  const timeNs = stampNs(line, s1)
  if (timeNs === undefined) return undefined
  // Tags: "F", "P", or colon-separated ("P:x").
  const partial = s3 - s2 === 2 ? line[s2 + 1] === 0x50 : s3 > s2 && line.toString('latin1', s2 + 1, s3).split(':').includes('P')
  const textStart = Math.min(s3 + 1, end)
  return { timeNs, stream, partial, text: line.subarray(textStart, end), newlineFollows: hasNewline }
}

export interface TimedLogEntry extends LogEntry {
  timeNs: bigint
}

/** A decoded entry; its RFC3339Nano `time` is formatted only when read. */
class DecodedEntry implements TimedLogEntry {
  constructor(readonly stream: 'stdout' | 'stderr', readonly timeNs: bigint, readonly line: Buffer) {}

  get time(): string {
    return formatTimestampNs(this.timeNs)
  }

  toJSON(): LogEntry {
    return { stream: this.stream, time: this.time, line: this.line }
  }
}

const NEWLINE = Buffer.from('\n')

/** Joins P chunks with the next F chunk of the same stream. */
export class LogAssembler {
  private readonly pending = new Map<'stdout' | 'stderr', { timeNs: bigint; parts: Buffer[] }>()

  push(chunk: LogChunk): TimedLogEntry | undefined {
    const p = this.pending.get(chunk.stream)
    if (chunk.partial) {
      if (p) p.parts.push(chunk.text)
      else this.pending.set(chunk.stream, { timeNs: chunk.timeNs, parts: [chunk.text] })
      return undefined
    }
    if (!p) {
      const t = chunk.text
      const line = chunk.newlineFollows ? Buffer.from(t.buffer, t.byteOffset, t.length + 1) : Buffer.concat([t, NEWLINE])
      return new DecodedEntry(chunk.stream, chunk.timeNs, line)
    }
    this.pending.delete(chunk.stream)
    return new DecodedEntry(chunk.stream, p.timeNs, Buffer.concat([...p.parts, chunk.text, NEWLINE]))
  }

  /** Emits the partial chunks still waiting for their F (no trailing "\n"), oldest first. */
  flush(): TimedLogEntry[] {
    const out = [...this.pending.entries()].map(([stream, p]) => new DecodedEntry(stream, p.timeNs, Buffer.concat(p.parts)))
    this.pending.clear()
    return out.sort((a, b) => (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0))
  }
}

/**
 * Splits appended bytes into complete lines (each with its "\n", as views into the data), keeping an
 * unterminated tail for the next chunk.
 */
export class LineSplitter {
  private rest: Buffer = Buffer.alloc(0)

  push(data: Buffer): Buffer[] {
    const buf = this.rest.length > 0 ? Buffer.concat([this.rest, data]) : data
    const lines: Buffer[] = []
    let start = 0
    for (let nl = buf.indexOf(0x0a, start); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      lines.push(buf.subarray(start, nl + 1))
      start = nl + 1
    }
    this.rest = Buffer.from(buf.subarray(start))
    return lines
  }

  /** The unterminated tail, if any (used at the end of a non-follow read). */
  end(): Buffer | undefined {
    const rest = this.rest
    this.rest = Buffer.alloc(0)
    return rest.length > 0 ? rest : undefined
  }
}

/**
 * Where a follower resumes after several rotations between two polls: after the last chunk it read,
 * identified by its time and how many chunks read had that time (conmon stamps every line of one
 * read with the same time, and a rotation may split them across files). Chunks are passed in log
 * order over the files still present.
 */
export class ResumePoint {
  private seen = 0
  private passed = false

  constructor(private readonly timeNs: bigint, private readonly count: number) {}

  /** Counts chunks with the resume time that were read through a file not passed to skips(). */
  consumed(countAtTime: number): void {
    this.seen += countAtTime
  }

  /** True for a chunk read already; call once per chunk, in log order. */
  skips(timeNs: bigint): boolean {
    if (this.passed) return false
    if (timeNs < this.timeNs) return true
    if (timeNs === this.timeNs && ++this.seen <= this.count) return true
    this.passed = true
    return false
  }

  /** True when a file whose last chunk has this time holds nothing new. */
  skipsAllUpTo(lastTimeNs: bigint | undefined): boolean {
    return !this.passed && lastTimeNs !== undefined && lastTimeNs < this.timeNs
  }
}

/** Bytes of k8s-file logs to entries, across files; remembers the last chunk for ResumePoint. */
export class LogDecoder {
  private readonly splitter = new LineSplitter()
  private readonly assembler = new LogAssembler()
  private lastTimeNs = -1n
  private countAtTime = 0
  /** Chunks with lastTimeNs in the current file. */
  fileCountAtTime = 0

  /** The next data comes from another file. */
  startFile(): void {
    this.fileCountAtTime = 0
  }

  /**
   * fileEnd: the data ends a file (an unterminated last line is taken as it is). flush: partial
   * lines still waiting for their end are returned now (a prompt is shown before its line completes).
   */
  decode(data: Buffer, opts: { fileEnd: boolean; flush: boolean; resume?: ResumePoint }): TimedLogEntry[] {
    const out: TimedLogEntry[] = []
    const lines = this.splitter.push(data)
    if (opts.fileEnd) {
      const tail = this.splitter.end()
      if (tail) lines.push(tail)
    }
    for (const line of lines) {
      const chunk = parseLogLine(line)
      if (!chunk) continue
      if (opts.resume?.skips(chunk.timeNs)) continue
      if (chunk.timeNs === this.lastTimeNs) {
        this.countAtTime++
        this.fileCountAtTime++
      } else {
        this.lastTimeNs = chunk.timeNs
        this.countAtTime = 1
        this.fileCountAtTime = 1
      }
      const entry = this.assembler.push(chunk)
      if (entry) out.push(entry)
    }
    if (opts.flush) out.push(...this.assembler.flush())
    return out
  }

  resumePoint(): ResumePoint {
    return new ResumePoint(this.lastTimeNs, this.countAtTime)
  }
}

/** Inode and size of a file, or undefined when it does not exist. */
export async function statIfExists(path: string): Promise<{ ino: number; size: number } | undefined> {
  try {
    const s = await stat(path)
    return { ino: s.ino, size: s.size }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/**
 * conmon's k8s-file log format: one line per chunk, `<RFC3339Nano time> <stdout|stderr> <F|P> <text>`,
 * where P marks a chunk without its newline. Pure: parsing, joining P chunks with the stream's next F
 * chunk into one entry (F adds the "\n"), and decoding a log that spans several files.
 */
import type { LogEntry } from './types.js'
import { stat } from 'node:fs/promises'

export interface LogChunk {
  timeNs: bigint
  stream: 'stdout' | 'stderr'
  partial: boolean
  text: Buffer
}

const TIME_RE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/

/** Nanoseconds since the epoch of an RFC3339(Nano) timestamp, or undefined when malformed. */
export function parseTimestampNs(text: string): bigint | undefined {
  const m = TIME_RE.exec(text)
  if (!m) return undefined
  const ms = Date.parse(`${m[1]}${m[3]}`)
  if (Number.isNaN(ms)) return undefined
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'))
}

/** RFC3339Nano in UTC with 9 fraction digits, as `docker logs -t` prints it. */
export function formatTimestampNs(ns: bigint): string {
  const seconds = ns / 1_000_000_000n
  const iso = new Date(Number(seconds) * 1000).toISOString().slice(0, 19)
  return `${iso}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`
}

/** Parses one log line (without its "\n"); undefined when it is not a k8s-file line. */
export function parseLogLine(line: Buffer): LogChunk | undefined {
  const s1 = line.indexOf(0x20)
  if (s1 < 0) return undefined
  const s2 = line.indexOf(0x20, s1 + 1)
  if (s2 < 0) return undefined
  let s3 = line.indexOf(0x20, s2 + 1)
  if (s3 < 0) s3 = line.length
  const timeNs = parseTimestampNs(line.subarray(0, s1).toString('latin1'))
  const stream = line.subarray(s1 + 1, s2).toString('latin1')
  const tags = line.subarray(s2 + 1, s3).toString('latin1').split(':')
  if (timeNs === undefined || (stream !== 'stdout' && stream !== 'stderr')) return undefined
  return { timeNs, stream, partial: tags.includes('P'), text: Buffer.from(line.subarray(Math.min(s3 + 1, line.length))) }
}

export interface TimedLogEntry extends LogEntry {
  timeNs: bigint
}

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
    this.pending.delete(chunk.stream)
    const timeNs = p?.timeNs ?? chunk.timeNs
    const line = Buffer.concat([...(p?.parts ?? []), chunk.text, Buffer.from('\n')])
    return { stream: chunk.stream, time: formatTimestampNs(timeNs), timeNs, line }
  }

  /** Emits the partial chunks still waiting for their F (no trailing "\n"), oldest first. */
  flush(): TimedLogEntry[] {
    const out = [...this.pending.entries()].map(([stream, p]) => ({
      stream,
      time: formatTimestampNs(p.timeNs),
      timeNs: p.timeNs,
      line: Buffer.concat(p.parts),
    }))
    this.pending.clear()
    return out.sort((a, b) => (a.timeNs < b.timeNs ? -1 : a.timeNs > b.timeNs ? 1 : 0))
  }
}

/** Splits appended bytes into complete lines, keeping an unterminated tail for the next chunk. */
export class LineSplitter {
  private rest: Buffer = Buffer.alloc(0)

  push(data: Buffer): Buffer[] {
    const buf = this.rest.length > 0 ? Buffer.concat([this.rest, data]) : data
    const lines: Buffer[] = []
    let start = 0
    for (let nl = buf.indexOf(0x0a, start); nl >= 0; nl = buf.indexOf(0x0a, start)) {
      lines.push(buf.subarray(start, nl))
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

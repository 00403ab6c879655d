/**
 * Reader for conmon's k8s-file container logs: one line per chunk,
 * `<RFC3339Nano time> <stdout|stderr> <F|P> <text>`, where P marks a chunk without its newline.
 * P chunks are joined with the stream's next F chunk into one entry (F adds the "\n"). Follow mode
 * keeps reading appended data until `isDone` settles or the signal aborts, and survives conmon's
 * rotation (file replaced by rename, or truncated).
 */
import { watch, type FSWatcher } from 'node:fs'
import { open, stat, type FileHandle } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import type { LogEntry } from './types.js'

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

export interface ReadLogsOptions {
  stdout: boolean
  stderr: boolean
  /** Unix seconds (fractional allowed): entries before it are skipped. */
  since?: number
  /** Unix seconds: reading stops at the first entry after it. */
  until?: number
  /** Entries counted from the end (both streams, before since/until), or 'all'. */
  tail?: number | 'all'
  follow: boolean
  signal?: AbortSignal
  /** Follow ends (after reading what is left) once this settles: the container stopped. */
  isDone?: Promise<unknown>
  /** Poll interval in follow mode when no file event arrives (ms). */
  pollMs?: number
}

const toNs = (seconds: number | undefined): bigint | undefined =>
  seconds === undefined || seconds <= 0 ? undefined : BigInt(Math.round(seconds * 1e9))

async function openIfExists(path: string): Promise<FileHandle | undefined> {
  try {
    return await open(path, 'r')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

async function inodeOf(path: string): Promise<{ ino: number; size: number } | undefined> {
  try {
    const s = await stat(path)
    return { ino: s.ino, size: s.size }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

/** Reads the file from `offset` to its current end; returns the bytes and the new offset. */
async function readFrom(fh: FileHandle, offset: number): Promise<{ data: Buffer; offset: number }> {
  const chunks: Buffer[] = []
  for (;;) {
    const buf = Buffer.alloc(64 * 1024)
    const { bytesRead } = await fh.read(buf, 0, buf.length, offset)
    if (bytesRead === 0) break
    chunks.push(buf.subarray(0, bytesRead))
    offset += bytesRead
  }
  return { data: Buffer.concat(chunks), offset }
}

/** Streams a k8s-file log as LogEntry values, applying Docker's logs options. */
export async function* readLogs(path: string, opts: ReadLogsOptions): AsyncGenerator<LogEntry> {
  const sinceNs = toNs(opts.since)
  const untilNs = toNs(opts.until)
  const wanted = (e: TimedLogEntry): boolean => (e.stream === 'stdout' ? opts.stdout : opts.stderr)
  let done = false
  opts.isDone?.then(() => (done = true), () => (done = true))
  const stopped = (): boolean => opts.signal?.aborted === true

  const splitter = new LineSplitter()
  const assembler = new LogAssembler()
  const entriesOf = (data: Buffer, atEnd: boolean): TimedLogEntry[] => {
    const out: TimedLogEntry[] = []
    const lines = splitter.push(data)
    if (atEnd && !opts.follow) {
      const tail = splitter.end()
      if (tail) lines.push(tail)
    }
    for (const line of lines) {
      const chunk = parseLogLine(line)
      const entry = chunk && assembler.push(chunk)
      if (entry) out.push(entry)
    }
    // A prompt without a newline is shown now rather than held until the line completes.
    if (atEnd) out.push(...assembler.flush())
    return out
  }

  let fh = await openIfExists(path)
  let offset = 0
  let ino = fh ? (await fh.stat()).ino : undefined
  try {
    let first: TimedLogEntry[] = []
    if (fh) {
      const r = await readFrom(fh, 0)
      offset = r.offset
      first = entriesOf(r.data, true)
    }
    if (opts.tail !== undefined && opts.tail !== 'all' && opts.tail >= 0) first = opts.tail === 0 ? [] : first.slice(-opts.tail)
    for (const e of first) {
      if (sinceNs !== undefined && e.timeNs < sinceNs) continue
      if (untilNs !== undefined && e.timeNs > untilNs) return
      if (wanted(e)) yield { stream: e.stream, time: e.time, line: e.line }
    }
    if (!opts.follow) return

    const wake = new Waker(path, opts.signal, opts.isDone)
    try {
      for (;;) {
        if (stopped()) return
        const finishing = done
        const current = await inodeOf(path)
        if (fh && current && (current.ino !== ino || current.size < offset)) {
          // Rotated (replaced) or truncated: finish the old file, then start the new one from 0.
          const r = await readFrom(fh, offset)
          const rest = entriesOf(r.data, true)
          for (const e of rest) {
            if (untilNs !== undefined && e.timeNs > untilNs) return
            if ((sinceNs === undefined || e.timeNs >= sinceNs) && wanted(e)) yield { stream: e.stream, time: e.time, line: e.line }
          }
          await fh.close()
          fh = undefined
          offset = 0
        }
        if (!fh && current) {
          fh = await openIfExists(path)
          ino = fh ? (await fh.stat()).ino : undefined
          offset = 0
        }
        if (fh) {
          const r = await readFrom(fh, offset)
          offset = r.offset
          for (const e of entriesOf(r.data, true)) {
            if (untilNs !== undefined && e.timeNs > untilNs) return
            if ((sinceNs === undefined || e.timeNs >= sinceNs) && wanted(e)) yield { stream: e.stream, time: e.time, line: e.line }
          }
        }
        if (finishing || stopped()) return
        await wake.next(opts.pollMs ?? 250)
      }
    } finally {
      wake.close()
    }
  } finally {
    await fh?.close()
  }
}

/** Wakes the follow loop on a change in the log's directory, a timer, abort or isDone. */
class Waker {
  private watcher: FSWatcher | undefined
  private resolveWait: (() => void) | undefined
  private readonly onAbort = (): void => this.fire()

  constructor(path: string, private readonly signal: AbortSignal | undefined, isDone: Promise<unknown> | undefined) {
    const name = basename(path)
    try {
      this.watcher = watch(dirname(path), (_event, file) => {
        if (file === null || file === name || String(file).startsWith(name)) this.fire()
      })
      this.watcher.on('error', () => this.closeWatcher())
    } catch {
      // The directory may not exist yet or inotify may be exhausted: polling still works.
      this.watcher = undefined
    }
    signal?.addEventListener('abort', this.onAbort)
    isDone?.then(() => this.fire(), () => this.fire())
  }

  next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.fire(), ms)
      this.resolveWait = () => {
        clearTimeout(timer)
        resolve()
      }
    })
  }

  private fire(): void {
    const r = this.resolveWait
    this.resolveWait = undefined
    r?.()
  }

  private closeWatcher(): void {
    this.watcher?.close()
    this.watcher = undefined
  }

  close(): void {
    this.closeWatcher()
    this.signal?.removeEventListener('abort', this.onAbort)
    this.fire()
  }
}

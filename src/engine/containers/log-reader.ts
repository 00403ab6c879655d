/**
 * Reader for conmon's k8s-file container logs (format: log-format.ts). The log is
 * the rotated files `<path>.N` (highest N oldest, see log-rotation.ts) followed by the live file.
 * Follow mode keeps reading appended data until `isDone` settles or the signal aborts, and survives
 * rotation (the live file replaced by rename, or truncated).
 */
import { watch, type FSWatcher } from 'node:fs'
import { open, type FileHandle } from 'node:fs/promises'
import { basename, dirname } from 'node:path'
import { LogDecoder, parseLogLine, statIfExists, type TimedLogEntry } from './log-format.js'
import { rotatedLogFiles } from './log-rotation.js'
import type { LogEntry } from './types.js'

export {
  formatTimestampNs, LineSplitter, LogAssembler, parseLogLine, parseTimestampNs, type LogChunk, type TimedLogEntry,
} from './log-format.js'

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


const READ_CHUNK = 1024 * 1024

/** Reads up to 1 MiB at `offset` into a fresh buffer (entries keep views into it); empty at the end. */
async function readSome(fh: FileHandle, offset: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(READ_CHUNK)
  const { bytesRead } = await fh.read(buf, 0, buf.length, offset)
  return buf.subarray(0, bytesRead)
}

/** Reads the file from `offset` to its current end; returns the bytes and the new offset. */
async function readFrom(fh: FileHandle, offset: number): Promise<{ data: Buffer; offset: number }> {
  const chunks: Buffer[] = []
  for (;;) {
    const data = await readSome(fh, offset)
    if (data.length === 0) break
    chunks.push(data)
    offset += data.length
  }
  return { data: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), offset }
}

/**
 * Decodes a file from `offset` to its current end in 1 MiB steps, yielding the entries of each step;
 * returns the new offset. `end` options apply to the last (empty) step.
 */
async function* decodeFile(
  fh: FileHandle, offset: number, decoder: LogDecoder, end: { fileEnd: boolean; flush: boolean },
): AsyncGenerator<TimedLogEntry[], number> {
  for (;;) {
    const data = await readSome(fh, offset)
    offset += data.length
    if (data.length === 0) {
      yield decoder.decode(data, end)
      return offset
    }
    yield decoder.decode(data, { fileEnd: false, flush: false })
  }
}

/** Time of the last chunk in a finished file (read from its last 64 KiB); undefined when not found. */
async function lastChunkTime(fh: FileHandle): Promise<bigint | undefined> {
  const size = (await fh.stat()).size
  const len = Math.min(size, 64 * 1024)
  const buf = Buffer.alloc(len)
  const { bytesRead } = await fh.read(buf, 0, len, size - len)
  const data = buf.subarray(0, bytesRead)
  const end = data[data.length - 1] === 0x0a ? data.length - 1 : data.length
  const start = data.lastIndexOf(0x0a, end - 1) + 1
  if (start === 0 && len < size) return undefined
  return parseLogLine(data.subarray(start, end))?.timeNs
}

interface OpenFile {
  fh: FileHandle
  ino: number
}

/**
 * The rotated files (log-rotation.ts), oldest first, opened now so later renames do not move them
 * away. Files whose inode is in `skip` (the live file) are left out: after a rotation between opening
 * the live file and listing these, that file would otherwise come twice.
 */
async function openRotated(path: string, skip: ReadonlySet<number>): Promise<OpenFile[]> {
  const out: OpenFile[] = []
  const seen = new Set(skip)
  // Newest first, so that a rotation while opening makes a file show up twice rather than be missed.
  for (const { path: p } of (await rotatedLogFiles(path)).reverse()) {
    const fh = await openIfExists(p)
    if (!fh) continue
    const ino = (await fh.stat()).ino
    if (seen.has(ino)) {
      await fh.close()
      continue
    }
    seen.add(ino)
    out.unshift({ fh, ino })
  }
  return out
}

/**
 * Streams a container's log as LogEntry values, applying Docker's logs options: the rotated files
 * (path.N, highest first) and then the live file. Follow mode reads what is appended and continues
 * across rotations, including several between two polls (a slow client).
 */
export async function* readLogs(path: string, opts: ReadLogsOptions): AsyncGenerator<LogEntry> {
  for await (const batch of readLogBatches(path, opts)) yield* batch
}

/** readLogs in batches (one per read of up to 1 MiB): the fast path for large logs. Never yields []. */
export async function* readLogBatches(path: string, opts: ReadLogsOptions): AsyncGenerator<LogEntry[]> {
  const sinceNs = toNs(opts.since)
  const untilNs = toNs(opts.until)
  const wanted = (e: TimedLogEntry): boolean => (e.stream === 'stdout' ? opts.stdout : opts.stderr)
  let done = false
  opts.isDone?.then(() => (done = true), () => (done = true))
  const stopped = (): boolean => opts.signal?.aborted === true
  /** Yields the entries that pass the filters as one batch; true once an entry is past `until` (reading ends). */
  function* pass(entries: TimedLogEntry[]): Generator<LogEntry[], boolean> {
    const out: LogEntry[] = []
    let ended = false
    for (const e of entries) {
      if (untilNs !== undefined && e.timeNs > untilNs) {
        ended = true
        break
      }
      if ((sinceNs === undefined || e.timeNs >= sinceNs) && wanted(e)) out.push(e)
    }
    if (out.length > 0) yield out
    return ended
  }

  const decoder = new LogDecoder()
  // The live file first: see openRotated.
  let fh = await openIfExists(path)
  let ino = fh ? (await fh.stat()).ino : undefined
  let offset = 0
  const older = await openRotated(path, new Set(ino === undefined ? [] : [ino]))
  try {
    // With a tail, only the last entries are kept while reading (bounded memory).
    const tail = opts.tail !== undefined && opts.tail !== 'all' && opts.tail >= 0 ? opts.tail : undefined
    let kept: TimedLogEntry[] = []
    const keep = (entries: TimedLogEntry[]): void => {
      if (tail === 0 || entries.length === 0) return
      kept = kept.length === 0 ? entries : kept.concat(entries)
      if (kept.length > 2 * tail! + 1024) kept = kept.slice(-tail!)
    }
    for (const [i, o] of older.entries()) {
      decoder.startFile()
      const last = !fh && i === older.length - 1
      for await (const entries of decodeFile(o.fh, 0, decoder, { fileEnd: true, flush: last })) {
        if (tail !== undefined) keep(entries)
        else if (yield* pass(entries)) return
      }
    }
    await Promise.all(older.splice(0).map((o) => o.fh.close()))
    if (fh) {
      decoder.startFile()
      const reading = decodeFile(fh, 0, decoder, { fileEnd: !opts.follow, flush: true })
      for (;;) {
        const step = await reading.next()
        if (step.done) {
          offset = step.value
          break
        }
        if (tail !== undefined) keep(step.value)
        else if (yield* pass(step.value)) return
      }
    }
    if (tail !== undefined && (yield* pass(tail === 0 ? [] : kept.slice(-tail)))) return
    if (!opts.follow) return

    const wake = new Waker(path, opts.signal, opts.isDone)
    try {
      for (;;) {
        if (stopped()) return
        const finishing = done
        const current = await statIfExists(path)
        if (fh && current && current.ino !== ino) {
          // Rotated: finish the old file through its descriptor, then read the files rotated after
          // it (several rotations since the last poll), then the new live file.
          const rest = (await readFrom(fh, offset)).data
          if (yield* pass(decoder.decode(rest, { fileEnd: true, flush: true }))) return
          await fh.close()
          const previous = ino
          const resume = decoder.resumePoint()
          const previousCount = decoder.fileCountAtTime
          fh = await openIfExists(path)
          ino = fh ? (await fh.stat()).ino : undefined
          offset = 0
          older.push(...(await openRotated(path, new Set(ino === undefined ? [] : [ino]))))
          for (const o of older) {
            if (o.ino === previous) {
              resume.consumed(previousCount)
              continue
            }
            if (resume.skipsAllUpTo(await lastChunkTime(o.fh))) continue
            decoder.startFile()
            if (yield* pass(decoder.decode((await readFrom(o.fh, 0)).data, { fileEnd: true, flush: true, resume }))) return
          }
          await Promise.all(older.splice(0).map((o) => o.fh.close()))
          if (fh) {
            const r = await readFrom(fh, 0)
            offset = r.offset
            decoder.startFile()
            if (yield* pass(decoder.decode(r.data, { fileEnd: false, flush: true, resume }))) return
          }
        } else if (fh && current && current.size < offset) {
          // Truncated in place: start over from its beginning.
          offset = 0
          decoder.startFile()
        }
        if (!fh && current) {
          fh = await openIfExists(path)
          ino = fh ? (await fh.stat()).ino : undefined
          offset = 0
          decoder.startFile()
        }
        if (fh) {
          const r = await readFrom(fh, offset)
          offset = r.offset
          if (yield* pass(decoder.decode(r.data, { fileEnd: false, flush: true }))) return
        }
        if (finishing || stopped()) return
        await wake.next(opts.pollMs ?? 250)
      }
    } finally {
      wake.close()
    }
  } finally {
    await fh?.close()
    await Promise.all(older.map((o) => o.fh.close().catch(() => undefined)))
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

/**
 * LogRotation: Docker's json-file rotation (max-size, max-file) over the k8s-file log conmon writes.
 *
 * conmon keeps the log open, so berthd rotates by asking it to reopen: once the live file
 * (container.log) is larger than max-size, berthd sends "reopen log" (conmon opens container.log.tmp
 * and renames it over container.log), then moves the finished file to container.log.1, shifting
 * .1 -> .2 ... and deleting what falls beyond max-file - 1. No line is lost: conmon writes to the old
 * file until it reopens. A finished file much larger than max-size (a burst between two checks, or
 * berthd was down) is cut to its newest (max-file - 1) * max-size bytes, split at line boundaries
 * into files of at most max-size, as Docker would have rotated it.
 *
 * conmon's own --log-size-max (a safety bound while berthd is down, see conmonLogSizeLimit) replaces
 * container.log by itself, which would drop the replaced file. berthd therefore keeps a second hard
 * link to the live file, container.log.keep: when the live file is no longer the kept one, the kept
 * one is a finished file and is rotated like any other.
 *
 * Checks run every intervalMs while a container with max-size runs (one stat per check), and once at
 * start (after a daemon restart that rotates what grew meanwhile). Readers (log-reader.ts) read
 * container.log.N, highest first, then container.log; they never read the .keep link.
 */
import { link, open, readdir, rename, rm, writeFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { errorMessage, type Logger } from '../../common/index.js'
import { statIfExists } from './log-format.js'

export interface RotationTarget {
  containerId: string
  logPath: string
  /** Bytes; the live file is rotated once it reaches this size. */
  maxSize: number
  /** Files kept, the live one included (>= 1). */
  maxFile: number
}

export interface LogRotationDeps {
  /** Asks the log writer (conmon) to reopen the log path, i.e. to continue in a new file there. */
  reopenLog(containerId: string): Promise<void>
  logger: Logger
  /** Size check interval (ms). Default 1000. */
  intervalMs?: number
  /** How long to wait for the writer to replace the file after a reopen request (ms). Default 2000. */
  reopenTimeoutMs?: number
}

/** The second link to the live file (see the module comment). */
export const keepPathOf = (logPath: string): string => `${logPath}.keep`

/** Rotated files of a log, oldest (highest number) first. */
export async function rotatedLogFiles(logPath: string): Promise<Array<{ n: number; path: string }>> {
  const name = basename(logPath)
  let entries: string[]
  try {
    entries = await readdir(dirname(logPath))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw err
  }
  const out: Array<{ n: number; path: string }> = []
  for (const e of entries) {
    if (!e.startsWith(`${name}.`)) continue
    const suffix = e.slice(name.length + 1)
    if (/^[1-9][0-9]*$/.test(suffix)) out.push({ n: Number(suffix), path: join(dirname(logPath), e) })
  }
  return out.sort((a, b) => b.n - a.n)
}


const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Points the .keep link at whatever file is live now. */
async function relink(logPath: string): Promise<void> {
  const keep = keepPathOf(logPath)
  await rm(keep, { force: true })
  try {
    await link(logPath, keep)
  } catch (err) {
    // The live file is briefly absent only if something else moved it; the next check links it.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
}

/**
 * Cuts a finished file to its newest `files` * maxSize bytes and splits it at line boundaries into
 * up to `files` pieces of at most maxSize bytes (a longer line is a piece of its own). Returns the
 * pieces' paths, oldest first; the finished file is removed.
 */
async function splitTail(segment: string, t: RotationTarget, files: number): Promise<string[]> {
  const fh = await open(segment, 'r')
  let data: Buffer
  try {
    const size = (await fh.stat()).size
    const start = Math.max(0, size - Math.floor(files * t.maxSize))
    data = Buffer.alloc(size - start)
    let read = 0
    while (read < data.length) {
      const { bytesRead } = await fh.read(data, read, data.length - read, start + read)
      if (bytesRead === 0) break
      read += bytesRead
    }
    data = data.subarray(0, read)
    // Starting mid-line: drop the cut line.
    if (start > 0) data = data.subarray(data.indexOf(0x0a) + 1)
  } finally {
    await fh.close()
  }
  const groups: Buffer[][] = []
  let group: Buffer[] = []
  let groupBytes = 0
  let end = data.length
  while (end > 0 && groups.length < files) {
    const nl = end >= 2 ? data.lastIndexOf(0x0a, end - 2) : -1
    const line = data.subarray(nl + 1, end)
    if (groupBytes > 0 && groupBytes + line.length > t.maxSize) {
      groups.push(group)
      group = []
      groupBytes = 0
      if (groups.length === files) break
    }
    group.unshift(line)
    groupBytes += line.length
    end = nl + 1
  }
  if (groupBytes > 0 && groups.length < files) groups.push(group)
  groups.reverse()
  const paths: string[] = []
  for (const [i, g] of groups.entries()) {
    const path = `${t.logPath}.split-${i}`
    await writeFile(path, Buffer.concat(g), { mode: 0o600 })
    paths.push(path)
  }
  await rm(segment, { force: true })
  return paths
}

/** Moves a finished file into the rotation: it becomes .1 (or .k...1 when split); the oldest go. */
async function pushSegment(segment: string, t: RotationTarget): Promise<void> {
  const kept = t.maxFile - 1
  const size = (await statIfExists(segment))?.size
  if (size === undefined) return
  if (kept <= 0 || size === 0) {
    await rm(segment, { force: true })
    return
  }
  // Up to twice max-size is the overshoot of one check interval: kept whole, as one rotated file.
  const pieces = size <= 2 * t.maxSize ? [segment] : await splitTail(segment, t, kept)
  for (const { n, path } of await rotatedLogFiles(t.logPath)) {
    if (n + pieces.length > kept) await rm(path, { force: true })
    else await rename(path, `${t.logPath}.${n + pieces.length}`)
  }
  for (const [i, piece] of pieces.entries()) await rename(piece, `${t.logPath}.${pieces.length - i}`)
}

/**
 * One rotation check of a live log. Returns what it did: 'rotated' (the live file reached max-size and
 * was rotated), 'recovered' (the writer had replaced the live file by itself; the kept link was
 * rotated), 'none'; 'stale' when the writer did not reopen within the timeout (it has exited).
 */
export async function checkLogRotation(
  t: RotationTarget,
  reopen: () => Promise<void>,
  reopenTimeoutMs = 2000,
): Promise<'rotated' | 'recovered' | 'none' | 'stale'> {
  const keep = keepPathOf(t.logPath)
  const live = await statIfExists(t.logPath)
  if (!live) return 'none'
  let result: 'recovered' | 'none' = 'none'
  const kept = await statIfExists(keep)
  if (kept?.ino !== live.ino) {
    if (kept) {
      await pushSegment(keep, t)
      result = 'recovered'
    }
    await relink(t.logPath)
  }
  if (live.size < t.maxSize) return result
  const keptIno = (await statIfExists(keep))?.ino
  if (keptIno === undefined) return result
  await reopen()
  // conmon serves the request from its event loop: wait for the new file to appear at the path.
  const deadline = Date.now() + reopenTimeoutMs
  while ((await statIfExists(t.logPath))?.ino === keptIno) {
    if (Date.now() >= deadline) return 'stale'
    await delay(5)
  }
  await pushSegment(keep, t)
  await relink(t.logPath)
  return 'rotated'
}

interface Active {
  target: RotationTarget
  timer: NodeJS.Timeout
  running: Promise<void> | undefined
  stopped: boolean
}

/** Runs checkLogRotation for each running container whose log policy has a max-size. */
export class LogRotation {
  private readonly active = new Map<string, Active>()

  constructor(private readonly deps: LogRotationDeps) {}

  /** Starts checking (idempotent: a second call replaces the target). Resolves after a first check. */
  async start(target: RotationTarget): Promise<void> {
    await this.stop(target.containerId)
    const entry: Active = {
      target,
      running: undefined,
      stopped: false,
      timer: setInterval(() => void this.run(entry), this.deps.intervalMs ?? 1000),
    }
    entry.timer.unref()
    this.active.set(target.containerId, entry)
    await this.run(entry)
  }

  /** Stops checking; resolves once a check in progress has finished. */
  async stop(containerId: string): Promise<void> {
    const entry = this.active.get(containerId)
    if (!entry) return
    this.active.delete(containerId)
    entry.stopped = true
    clearInterval(entry.timer)
    await entry.running
  }

  async close(): Promise<void> {
    await Promise.all([...this.active.keys()].map((id) => this.stop(id)))
  }

  private run(entry: Active): Promise<void> {
    if (entry.running || entry.stopped) return entry.running ?? Promise.resolve()
    const { target } = entry
    entry.running = checkLogRotation(target, () => this.deps.reopenLog(target.containerId), this.deps.reopenTimeoutMs)
      .then((result) => {
        if (result !== 'none') this.deps.logger.debug('log rotation', { id: target.containerId, result })
      })
      .catch((err: unknown) => {
        // The container may have exited (conmon gone) or been removed meanwhile: the next check or stop settles it.
        this.deps.logger.debug('log rotation check failed', { id: target.containerId, error: errorMessage(err) })
      })
      .finally(() => {
        entry.running = undefined
      })
    return entry.running
  }
}

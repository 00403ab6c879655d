import { closeSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs'
import { open, rename, mkdir, readFile, rm } from 'node:fs/promises'
import { dirname } from 'node:path'
import { randomBytes } from 'node:crypto'

/**
 * A write without fsync of at most this many bytes is made with synchronous calls: four system calls
 * that only touch the page cache (~0.1-0.3 ms here) instead of four round trips through libuv's thread
 * pool, each of which waits for a free thread and then for the event loop (~1 ms each in the middle of
 * a container start, which makes a dozen such files).
 */
const SYNC_WRITE_MAX = 64 * 1024

export interface AtomicWriteOptions {
  mode?: number
  /**
   * fsync before the rename (default true). Readers never see a torn file either way; the fsync only
   * matters after a power loss or kernel crash. Files that are rebuilt at every container start, or
   * that describe state that dies with the host (mounts, namespaces, processes), pass false: an fsync
   * costs milliseconds, and far more while other processes write to the same disk.
   */
  durable?: boolean
}

/** Write temp, fsync (unless durable: false), rename: readers see the old or the new content, never a torn file. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, opts: number | AtomicWriteOptions = {}): Promise<void> {
  const { mode = 0o644, durable = true } = typeof opts === 'number' ? { mode: opts } : opts
  const tmp = `${path}.tmp-${randomBytes(4).toString('hex')}`
  if (!durable && (typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength) <= SYNC_WRITE_MAX) {
    writeSmallFileSync(path, tmp, typeof data === 'string' ? Buffer.from(data) : data, mode)
    return
  }
  let fh
  try {
    fh = await open(tmp, 'w', mode)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    // The directory is made only when missing: one call fewer for every write into an existing one.
    await mkdir(dirname(path), { recursive: true })
    fh = await open(tmp, 'w', mode)
  }
  try {
    await fh.writeFile(data)
    if (durable) await fh.sync()
  } finally {
    await fh.close()
  }
  try {
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true })
    throw err
  }
}

function writeSmallFileSync(path: string, tmp: string, data: Uint8Array, mode: number): void {
  let fd: number
  try {
    fd = openSync(tmp, 'w', mode)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    mkdirSync(dirname(path), { recursive: true })
    fd = openSync(tmp, 'w', mode)
  }
  try {
    for (let off = 0; off < data.byteLength; ) off += writeSync(fd, data, off)
  } catch (err) {
    closeSync(fd)
    removeFileQuietly(tmp)
    throw err
  }
  closeSync(fd)
  try {
    renameSync(tmp, path)
  } catch (err) {
    removeFileQuietly(tmp)
    throw err
  }
}

/** Unlinks a file that may be gone already (synchronously: one system call). */
export function removeFileQuietly(path: string): void {
  try {
    unlinkSync(path)
  } catch {
    // gone already, or never made
  }
}

export async function writeJsonAtomic(path: string, value: unknown, opts: AtomicWriteOptions = {}): Promise<void> {
  await writeFileAtomic(path, JSON.stringify(value), opts)
}

/** Parsed JSON, or undefined when the file does not exist. */
export async function readJsonIfExists<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
}

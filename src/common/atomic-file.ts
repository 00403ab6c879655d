import { open, rename, mkdir, readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { randomBytes } from 'node:crypto'

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
  await rename(tmp, path)
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

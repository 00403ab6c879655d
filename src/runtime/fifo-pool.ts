/**
 * Real pipes for the output of processes berthd runs itself. Node can make only socketpairs (its
 * 'pipe' stdio), and a program cannot open /dev/stdout on a socket, so exec output goes to FIFOs. Node cannot
 * mkfifo either: `mkfifo` makes them in batches, ahead of need, so that an exec does not wait for a
 * process spawn. openPipe() opens both ends and unlinks the name: each FIFO serves one pipe, once.
 */
import { createHash } from 'node:crypto'
import { closeSync, constants, openSync, statfsSync, unlinkSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { errorMessage, type Logger } from '../common/index.js'
import { PrivateDir, run } from '../sys/index.js'

export interface FifoPoolOptions {
  /** FIFOs made per `mkfifo` run. */
  batch?: number
  /** A new batch is made in the background once fewer than this many are left. */
  lowWater?: number
  /** Makes the FIFOs at `paths` (default: the `mkfifo` program). */
  mkfifo?: (paths: string[]) => Promise<void>
  /** Deletes used FIFOs (default: the `rm` program). */
  remove?: (paths: string[]) => Promise<void>
  logger?: Logger
}

const TMPFS_MAGIC = 0x01021994

/**
 * The directory for the FIFOs of a runtime root: <root>/pipes when the root is on a tmpfs (as /run
 * usually is), else a directory of its own on /dev/shm, named after the root (a daemon on the same
 * root clears what an earlier one left). Making a FIFO on a journaled filesystem such as ext4 takes
 * 0.15-0.5 ms of kernel time, some 30 times a tmpfs's, three per exec.
 */
export function fifoDirFor(root: string, shm = '/dev/shm'): string {
  return scratchDirFor(root, 'pipes', shm)
}

/**
 * <root>/<name> when the root is on a tmpfs, else /dev/shm/berth-<name>-<hash of root>: for files
 * made and deleted at a high rate (FIFOs, the spawn helper's output files), which a journaled
 * filesystem makes and unlinks several times slower. The directory must be made with mode 0700 and
 * without `recursive` (a shared parent): see FifoPool.
 */
export function scratchDirFor(root: string, name: string, shm = '/dev/shm'): string {
  if (onTmpfs(root) || !onTmpfs(shm)) return join(root, name)
  return join(shm, `berth-${name}-${createHash('sha256').update(root).digest('hex').slice(0, 16)}`)
}

/** Whether `path`, or its nearest existing ancestor, is on a tmpfs. */
function onTmpfs(path: string): boolean {
  for (let p = path; ; p = dirname(p)) {
    try {
      return statfsSync(p).type === TMPFS_MAGIC
    } catch {
      if (p === dirname(p)) return false
    }
  }
}

export class FifoPool {
  private readonly free: string[] = []
  /** Used FIFOs whose names are left: deleted with the next batch, by one process. */
  private readonly used: string[] = []
  private refilling: Promise<void> | undefined
  private readonly privateDir: PrivateDir
  private seq = 0

  /**
   * `dir` belongs to the pool: whatever is in it when the pool first makes FIFOs is removed, and it
   * is made anew (its parent must not be writable by others unless sticky, as /dev/shm is).
   */
  constructor(
    readonly dir: string,
    private readonly opts: FifoPoolOptions = {},
  ) {
    this.privateDir = new PrivateDir(dir)
  }

  /** `count` unused FIFO paths, taken out of the pool. */
  async take(count: number): Promise<string[]> {
    while (this.free.length < count) await this.refill()
    const taken = this.free.splice(0, count)
    if (this.free.length < (this.opts.lowWater ?? 16)) {
      this.refill().catch((err) => this.opts.logger?.warn('making FIFOs failed', { dir: this.dir, error: errorMessage(err) }))
    }
    return taken
  }

  /**
   * Hands back FIFOs taken and opened with openPipe's keepName: their names are deleted with the next
   * batch (one `rm` for many, off berthd's thread; the exec root may be a journaled filesystem, where
   * every unlink waits for the journal). The pool never hands a name out twice.
   */
  release(paths: readonly string[]): void {
    this.used.push(...paths)
  }

  /** Removes the directory and the FIFOs in it (pipes already opened by name go on). */
  async close(): Promise<void> {
    await this.refilling?.catch(() => undefined)
    await rm(this.dir, { recursive: true, force: true })
  }

  private refill(): Promise<void> {
    this.refilling ??= this.make().finally(() => (this.refilling = undefined))
    return this.refilling
  }

  private async make(): Promise<void> {
    await this.privateDir.ready()
    const paths = Array.from({ length: this.opts.batch ?? 64 }, () => join(this.dir, `p${this.seq++}`))
    const used = this.used.splice(0)
    const removed = used.length === 0 ? undefined : (this.opts.remove ?? removeFiles)(used).catch((err: unknown) => {
      this.opts.logger?.warn('removing used FIFOs failed', { dir: this.dir, error: errorMessage(err) })
    })
    await Promise.all([(this.opts.mkfifo ?? mkfifo)(paths), removed])
    this.free.push(...paths)
  }
}

async function mkfifo(paths: string[]): Promise<void> {
  await run(['mkfifo', '-m', '600', ...paths])
}

async function removeFiles(paths: string[]): Promise<void> {
  await run(['rm', '-f', '--', ...paths])
}

/** Both ends of one pipe: `ours` reads without blocking (event loop), `theirs` writes blocking (a child's). */
export interface PipeEnds {
  ours: number
  theirs: number
}

/**
 * Opens the FIFO at `path` as one pipe from a child to us, and unlinks it (`keepName`: the caller
 * unlinks it, once a child opened the FIFO by its name, while `theirs` kept it from ending early). Our read end is opened
 * first (non-blocking, so the open does not wait for a writer), then the child's write end in
 * blocking mode, so the child's writes block as on any pipe. Only for output: a FIFO differs from an
 * anonymous pipe for a reader that reopens it (/dev/stdin) once every writer closed (it waits for a
 * new writer instead of reading EOF), while a writer that reopens it always finds our reader open.
 */
export function openPipe(path: string, opts: { keepName?: boolean } = {}): PipeEnds {
  let done = false
  const ours = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK)
  try {
    const theirs = openSync(path, constants.O_WRONLY)
    done = true
    return { ours, theirs }
  } catch (err) {
    closeSync(ours)
    throw err
  } finally {
    if (!done || opts.keepName !== true) unlinkSync(path)
  }
}

/**
 * Reads a file inside a container rootfs the way the container would see it: symlinks are
 * followed relative to the rootfs, never escaping it (an image's /etc/passwd -> /../../host/file
 * stays inside the rootfs).
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, readlinkSync } from 'node:fs'
import { lstat, readFile, readlink } from 'node:fs/promises'
import { join } from 'node:path'

const MAX_LINKS = 40

export interface ResolveOptions {
  /**
   * Called when the path would leave the root (a `..` above it, or a symlink to an absolute
   * target); its error is thrown. Without it such paths are clamped to the root, as the container
   * itself would see them.
   */
  onEscape?: (symlinkTarget: string | undefined) => Error
  /** The error for a symlink loop (default: a plain Error naming the path). */
  onTooManyLinks?: () => Error
}

/** A file-system question the resolver asks: is `path` a symlink (lstat), and where does it point. */
type Step = { op: 'isLink'; path: string } | { op: 'readlink'; path: string }

/** The resolver itself, as steps, so that one walk serves the async and the sync form. */
function* resolveSteps(rootfs: string, path: string, opts: ResolveOptions): Generator<Step, string, boolean | string> {
  let pending = path.split('/').filter((p) => p !== '')
  const resolved: string[] = []
  let links = 0
  while (pending.length > 0) {
    const part = pending.shift() as string
    if (part === '.') continue
    if (part === '..') {
      if (resolved.length === 0 && opts.onEscape) throw opts.onEscape(undefined)
      resolved.pop()
      continue
    }
    const host = join(rootfs, ...resolved, part)
    if (!(yield { op: 'isLink', path: host })) {
      resolved.push(part)
      continue
    }
    if (++links > MAX_LINKS) throw opts.onTooManyLinks?.() ?? new Error(`too many levels of symbolic links resolving ${path} in ${rootfs}`)
    const target = (yield { op: 'readlink', path: host }) as string
    if (target.startsWith('/')) {
      if (opts.onEscape) throw opts.onEscape(target)
      resolved.length = 0
    }
    pending = [...target.split('/').filter((p) => p !== ''), ...pending]
  }
  return join(rootfs, ...resolved)
}

function missing(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/** Host path of `path` inside `rootfs` with symlinks resolved within it (the one resolver berth uses). */
export async function resolveInRootfs(rootfs: string, path: string, opts: ResolveOptions = {}): Promise<string> {
  const steps = resolveSteps(rootfs, path, opts)
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value
    if (step.value.op === 'readlink') step = steps.next(await readlink(step.value.path))
    else {
      const path = step.value.path
      const isLink = await lstat(path).then(
        (st) => st.isSymbolicLink(),
        (err: unknown) => (missing(err) ? false : Promise.reject(err)),
      )
      step = steps.next(isLink)
    }
  }
}

/** resolveInRootfs(), synchronously: for a few small lookups on a hot path (a thread-pool round trip each costs more). */
export function resolveInRootfsSync(rootfs: string, path: string, opts: ResolveOptions = {}): string {
  const steps = resolveSteps(rootfs, path, opts)
  for (let step = steps.next(); ; ) {
    if (step.done) return step.value
    if (step.value.op === 'readlink') step = steps.next(readlinkSync(step.value.path))
    else {
      let isLink = false
      try {
        isLink = lstatSync(step.value.path).isSymbolicLink()
      } catch (err) {
        if (!missing(err)) throw err
      }
      step = steps.next(isLink)
    }
  }
}

/** The file's text, or undefined when it does not exist in the rootfs. */
export async function readRootfsFile(rootfs: string, path: string): Promise<string | undefined> {
  try {
    return await readFile(await resolveInRootfs(rootfs, path), 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined
    throw err
  }
}

/**
 * readRootfsFile(), synchronously (small files on a hot path: /etc/passwd for an exec). Only a
 * regular file is read: the container could have put a FIFO there, whose read would block berthd.
 */
export function readRootfsFileSync(rootfs: string, path: string): string | undefined {
  let fd: number | undefined
  try {
    fd = openSync(resolveInRootfsSync(rootfs, path), constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW)
    if (!fstatSync(fd).isFile()) return undefined
    return readFileSync(fd, 'utf8')
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    // ELOOP: the last part became a symlink after it was resolved.
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR' || code === 'ELOOP') return undefined
    throw err
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * Reads a file inside a container rootfs the way the container would see it: symlinks are
 * followed relative to the rootfs, never escaping it (an image's /etc/passwd -> /../../host/file
 * stays inside the rootfs).
 */
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

/** Host path of `path` inside `rootfs` with symlinks resolved within it (the one resolver berth uses). */
export async function resolveInRootfs(rootfs: string, path: string, opts: ResolveOptions = {}): Promise<string> {
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
    let isLink = false
    try {
      isLink = (await lstat(host)).isSymbolicLink()
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err
    }
    if (!isLink) {
      resolved.push(part)
      continue
    }
    if (++links > MAX_LINKS) throw opts.onTooManyLinks?.() ?? new Error(`too many levels of symbolic links resolving ${path} in ${rootfs}`)
    const target = await readlink(host)
    if (target.startsWith('/')) {
      if (opts.onEscape) throw opts.onEscape(target)
      resolved.length = 0
    }
    pending = [...target.split('/').filter((p) => p !== ''), ...pending]
  }
  return join(rootfs, ...resolved)
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

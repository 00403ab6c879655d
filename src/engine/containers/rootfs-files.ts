/**
 * Reads a file inside a container rootfs the way the container would see it: symlinks are
 * followed relative to the rootfs, never escaping it (an image's /etc/passwd -> /../../host/file
 * stays inside the rootfs).
 */
import { lstat, readFile, readlink } from 'node:fs/promises'
import { join } from 'node:path'

const MAX_LINKS = 40

/** Host path of `path` inside `rootfs` with symlinks resolved within it. */
export async function resolveInRootfs(rootfs: string, path: string): Promise<string> {
  let pending = path.split('/').filter((p) => p !== '')
  const resolved: string[] = []
  let links = 0
  while (pending.length > 0) {
    const part = pending.shift() as string
    if (part === '.') continue
    if (part === '..') {
      resolved.pop()
      continue
    }
    const host = join(rootfs, ...resolved, part)
    let isLink = false
    try {
      isLink = (await lstat(host)).isSymbolicLink()
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
    }
    if (!isLink) {
      resolved.push(part)
      continue
    }
    if (++links > MAX_LINKS) throw new Error(`too many levels of symbolic links resolving ${path} in ${rootfs}`)
    const target = await readlink(host)
    if (target.startsWith('/')) resolved.length = 0
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

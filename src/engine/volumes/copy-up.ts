/**
 * Copy-up: a new, empty volume mounted over a directory the image populates receives the image's
 * files first (moby's copyExistingContents). Owners, modes, timestamps, symlinks (as links, never
 * followed) and hard links within the tree are kept; device nodes, fifos and sockets are skipped
 * and extended attributes are not copied (Node has neither mknod nor setxattr).
 *
 * `source` must already be resolved inside the container's rootfs (its last component is not a
 * symlink); nothing below it is followed, so the copy never reads outside it. Entries are created
 * with exclusive flags in `target`, which the caller guarantees to be an empty directory it owns.
 */
import { chmod, chown, copyFile, constants, link, lchown, lstat, lutimes, mkdir, readdir, readlink, symlink, utimes } from 'node:fs/promises'
import { join } from 'node:path'

/** True when `dir` has no entries (a missing dir counts as empty). */
export async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true
    throw err
  }
}

/**
 * Copies the contents of directory `source` into the empty directory `target` and gives `target`
 * the owner and mode of `source`. Returns false (and copies nothing) when `source` is not a
 * directory or `target` is not empty.
 */
export async function copyUp(source: string, target: string): Promise<boolean> {
  const top = await lstat(source).catch(() => undefined)
  if (!top?.isDirectory()) return false
  if (!(await isEmptyDir(target))) return false
  const links = new Map<string, string>()
  await copyChildren(source, target, links)
  await chown(target, top.uid, top.gid)
  await chmod(target, top.mode & 0o7777)
  return true
}

async function copyChildren(from: string, to: string, links: Map<string, string>): Promise<void> {
  for (const entry of await readdir(from)) {
    const src = join(from, entry)
    const dst = join(to, entry)
    const st = await lstat(src)
    const key = `${st.dev}:${st.ino}`
    if (st.isDirectory()) {
      await mkdir(dst, { mode: 0o700 })
      await copyChildren(src, dst, links)
    } else if (st.isFile() && st.nlink > 1 && links.has(key)) {
      await link(links.get(key) as string, dst)
      continue
    } else if (st.isFile()) {
      await copyFile(src, dst, constants.COPYFILE_EXCL)
      if (st.nlink > 1) links.set(key, dst)
    } else if (st.isSymbolicLink()) {
      await symlink(await readlink(src), dst)
      await lchown(dst, st.uid, st.gid)
      await lutimes(dst, st.atime, st.mtime)
      continue
    } else {
      // Device nodes, fifos and sockets: Node has no mknod.
      continue
    }
    await lchown(dst, st.uid, st.gid)
    // After chown, which clears set-id bits.
    await chmod(dst, st.mode & 0o7777)
    await utimes(dst, st.atime, st.mtime)
  }
}

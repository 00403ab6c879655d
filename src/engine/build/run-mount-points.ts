/**
 * The mount points the runtime makes in a RUN step's rootfs when they are missing (/proc, /sys, /dev,
 * and the /etc files a RUN on a network gets): they must not end up in the step's layer, as Docker
 * keeps them in a layer below the one it commits. What is missing is looked at before the RUN, and
 * removed from the snapshot's upper dir after it.
 */
import { lstatSync, type Stats } from 'node:fs'
import { lstat, readdir, rmdir, unlink } from 'node:fs/promises'
import { join } from 'node:path'

/** Mount points the runtime creates in a rootfs when missing; they must not end up in a layer. */
const RUNTIME_MOUNT_POINTS = ['proc', 'sys', 'dev']

/** Those of RUNTIME_MOUNT_POINTS missing in `rootfs` (three lstat calls: cheaper synchronous than through the thread pool). */
export function missingMountPoints(rootfs: string): string[] {
  return RUNTIME_MOUNT_POINTS.filter((m) => {
    try {
      return lstatSync(join(rootfs, m), { throwIfNoEntry: false }) === undefined
    } catch {
      return true
    }
  })
}

/** The /etc files a RUN on a network gets (see etcMountPoints). */
const NETWORK_ETC_FILES = ['hosts', 'resolv.conf'] as const

export interface EtcMountPoints {
  /** Files of NETWORK_ETC_FILES to bind. */
  bind: Array<(typeof NETWORK_ETC_FILES)[number]>
  /** Those of them missing in the rootfs: the runtime creates them, in the layer. */
  created: string[]
  /** /etc as the rootfs has it (undefined: missing, so the runtime creates it too). */
  etc: { mode: number; uid: number; gid: number } | undefined
}

/**
 * Which of /etc/hosts and /etc/resolv.conf a RUN on a network gets bound: not through a symlink (the
 * runtime would follow it and make its target in the layer), else each, as Docker does. What the
 * runtime creates for them is removed again (removeEtcStubs): Docker keeps these mount points in a
 * layer below the one it commits. Synchronous lstat calls, a few microseconds each.
 */
export function etcMountPoints(rootfs: string): EtcMountPoints {
  const stat = (path: string): Stats | undefined | 'error' => {
    try {
      return lstatSync(path, { throwIfNoEntry: false })
    } catch {
      return 'error'
    }
  }
  const etc = stat(join(rootfs, 'etc'))
  if (etc === 'error' || (etc && !etc.isDirectory())) return { bind: [], created: [], etc: undefined }
  const points: EtcMountPoints = { bind: [], created: [], etc: etc && { mode: etc.mode, uid: etc.uid, gid: etc.gid } }
  for (const name of NETWORK_ETC_FILES) {
    const file = etc ? stat(join(rootfs, 'etc', name)) : undefined
    if (file === 'error' || (file && !file.isFile())) continue
    points.bind.push(name)
    if (!file) points.created.push(name)
  }
  return points
}

/**
 * After the RUN: removes from the upper dir the etc mount points the runtime created, and /etc itself
 * when it created that too, or when only the copy-up of its own files left it there (empty, with the
 * owner and mode it has below). Never throws.
 */
export async function removeEtcStubs(upper: string, points: EtcMountPoints): Promise<void> {
  if (points.created.length === 0) return
  const dir = join(upper, 'etc')
  for (const name of points.created) await unlink(join(dir, name)).catch(() => undefined)
  try {
    const st = await lstat(dir)
    const unchanged = points.etc === undefined || (st.mode === points.etc.mode && st.uid === points.etc.uid && st.gid === points.etc.gid)
    if (unchanged && (await readdir(dir)).length === 0) await rmdir(dir)
  } catch {
    // Not there (nothing was copied up), or the RUN put something in it.
  }
}

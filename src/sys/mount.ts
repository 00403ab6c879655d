import { constants } from 'node:fs'
import { access, readFile, realpath } from 'node:fs/promises'
import { isAbsolute, relative, resolve, sep } from 'node:path'
import tarStream from 'tar-stream'
import { invalid, RuntimeError } from '../common/index.js'
import { MNT_DETACH, MountHelperUnavailable, MountSyscallError, MS_RDONLY, type MountHelper, type MountRequest } from './mount-helper.js'
import { run } from './process.js'

/**
 * Mounts and the few filesystem objects Node cannot create itself (device nodes, overlay whiteouts,
 * trusted.* xattrs). The one place berth mounts and unmounts (mount(2) and umount2(2) through the
 * daemon's MountHelper, else mount(8) and umount(8)) and calls tar(1).
 */

export interface OverlayMountOptions {
  /** Top layer first (overlay's order). Absolute paths. */
  lowerdirs: readonly string[]
  /** Without upperdir/workdir the mount is a read-only view of the lowers. */
  upperdir?: string
  workdir?: string
  target: string
  readonly?: boolean
  /** overlay's volatile option (needs an upper): no sync of the upper filesystem, not even at unmount. */
  volatile?: boolean
}

/** What Node's fs cannot create: made by tar(1) running as root. Paths are relative to the root. */
export interface SpecialFile {
  path: string
  /** 'opaque-dir' marks an existing directory with trusted.overlay.opaque=y. */
  type: 'character-device' | 'block-device' | 'fifo' | 'opaque-dir'
  mode: number
  uid: number
  gid: number
  mtime: Date
  devmajor?: number
  devminor?: number
}

/** mount(2) copies at most one page of option data; longer strings fail with EINVAL or get cut. */
const PAGE_SIZE = 4096

/**
 * argv (and cwd) for mount(8). Pure.
 * - index=off: with index=on (a kernel build or module default on some distros) overlay records the
 *   lower's file handles in the upper and refuses to remount an upper over a different lower stack,
 *   and it forbids sharing one lowerdir between several mounts: exactly what image layers are.
 *   Docker's overlay2 passes index=off for the same reason.
 * - One lower and no upper: overlay needs two lowers without an upper, so this is a read-only bind
 *   mount instead (a bottom layer has nothing below it for whiteouts to hide).
 * - Option data longer than a page: lowerdirs become relative to their common parent, passed as the
 *   cwd of mount(8), as containerd does for many layers (upper and work stay absolute). With berth's
 *   "layers/<chain-hex>/diff" layout that fits about 57 layers.
 */
export function overlayMountArgs(opts: OverlayMountOptions, pageSize = PAGE_SIZE): { argv: string[]; cwd?: string } {
  const plan = overlayMountPlan(opts, pageSize)
  if (plan.bindLower !== undefined) return { argv: ['mount', '--bind', '-o', 'ro', plan.bindLower, opts.target] }
  return { argv: ['mount', '-t', 'overlay', 'overlay', '-o', plan.options.join(','), opts.target], ...(plan.cwd ? { cwd: plan.cwd } : {}) }
}

/**
 * The same mount as overlayMountArgs, as mount(2)'s arguments (for the MountHelper): 'ro' is the
 * MS_RDONLY flag there, not an option. undefined for the read-only bind mount, which takes two calls. Pure.
 */
export function overlayMountRequest(opts: OverlayMountOptions, pageSize = PAGE_SIZE): MountRequest | undefined {
  const plan = overlayMountPlan(opts, pageSize)
  if (plan.bindLower !== undefined) return undefined
  return {
    source: 'overlay',
    fstype: 'overlay',
    flags: opts.readonly ? MS_RDONLY : 0,
    data: plan.options.filter((o) => o !== 'ro').join(','),
    target: opts.target,
    ...(plan.cwd ? { cwd: plan.cwd } : {}),
  }
}

function overlayMountPlan(opts: OverlayMountOptions, pageSize: number): { bindLower?: string; options: string[]; cwd?: string } {
  const { lowerdirs, upperdir, workdir } = opts
  if (lowerdirs.length === 0) throw invalid('INVALID_MOUNT', 'Cannot mount overlay: no lower directories')
  if ((upperdir === undefined) !== (workdir === undefined)) {
    throw invalid('INVALID_MOUNT', 'Cannot mount overlay: upperdir and workdir go together')
  }
  const paths = [...lowerdirs, ...(upperdir ? [upperdir, workdir as string] : [])]
  for (const p of paths) {
    if (!isAbsolute(p)) throw invalid('INVALID_MOUNT', `Cannot mount overlay: path "${p}" is not absolute`)
    // ':' separates lowerdirs and ',' separates options; mount(8) has no escape for the latter.
    if (/[,:\s]/.test(p)) throw invalid('INVALID_MOUNT', `Cannot mount overlay: path "${p}" contains a comma, colon or space`)
  }
  if (!upperdir && lowerdirs.length === 1) return { bindLower: lowerdirs[0] as string, options: [] }
  const build = (rel: (p: string) => string): string[] => {
    const o = ['index=off', `lowerdir=${lowerdirs.map(rel).join(':')}`]
    if (upperdir) o.push(`upperdir=${upperdir}`, `workdir=${workdir as string}`)
    if (opts.readonly) o.push('ro')
    if (opts.volatile && upperdir) o.push('volatile')
    return o
  }
  let options = build((p) => p)
  let cwd: string | undefined
  if (options.join(',').length >= pageSize) {
    cwd = commonParent(lowerdirs)
    const base = cwd
    options = build((p) => relative(base, p))
    if (options.join(',').length >= pageSize) {
      throw invalid('INVALID_MOUNT', `Cannot mount overlay: ${lowerdirs.length} layers exceed the mount option size limit`)
    }
  }
  return { options, ...(cwd ? { cwd } : {}) }
}

function commonParent(paths: readonly string[]): string {
  let parts = resolve(paths[0] as string).split(sep)
  for (const p of paths.slice(1)) {
    const q = resolve(p).split(sep)
    let i = 0
    while (i < parts.length && i < q.length && parts[i] === q[i]) i++
    parts = parts.slice(0, i)
  }
  return parts.join(sep) || sep
}

let mountHelper: MountHelper | undefined

/**
 * Daemon only: from now on overlays are mounted and everything is unmounted by this helper's
 * mount(2)/umount2(2), without a process per call; undefined goes back to mount(8).
 */
export function useMountHelper(h: MountHelper | undefined): void {
  mountHelper = h
}

export async function mountOverlay(opts: OverlayMountOptions): Promise<void> {
  const request = mountHelper && !mountHelper.failed ? overlayMountRequest(opts) : undefined
  if (request && mountHelper) {
    try {
      await mountHelper.mount(request)
      return
    } catch (err) {
      // The same words as mount(8)'s (busybox: "mounting overlay on X failed: Invalid argument").
      if (err instanceof MountSyscallError) {
        throw new RuntimeError(overlayMountArgs(opts).argv, err.errno, `mount: mounting overlay on ${opts.target} failed: ${err.message}`)
      }
      if (!(err instanceof MountHelperUnavailable)) throw err
    }
  }
  const { argv, cwd } = overlayMountArgs(opts)
  // A read-only bind mount takes util-linux's mount (a bind and a remount); an overlay is one mount(2).
  await run(argv[1] === '--bind' ? argv : await withBusybox(argv), cwd ? { cwd } : {})
}

const BUSYBOX = '/bin/busybox'
let hasBusybox: Promise<boolean> | undefined

/**
 * argv run by busybox (static: no shared libraries, no libmount) when it is installed: its mount and
 * umount take a third of util-linux's time, and a container start runs each once.
 */
async function withBusybox(argv: readonly string[]): Promise<string[]> {
  hasBusybox ??= access(BUSYBOX, constants.X_OK).then(() => true, () => false)
  return (await hasBusybox) ? [BUSYBOX, ...argv] : [...argv]
}

/** mount -t type [-o options] source target (volumes with a device: tmpfs, bind, nfs...). */
export async function mountFilesystem(opts: { source: string; target: string; type: string; options: string }): Promise<void> {
  await run(['mount', '-t', opts.type, ...(opts.options ? ['-o', opts.options] : []), opts.source, opts.target])
}

/** Unmounts target. Not mounted (or missing) is fine. `lazy` detaches a busy mount (umount -l). */
export async function unmount(target: string, opts: { lazy?: boolean } = {}): Promise<void> {
  if (mountHelper && !mountHelper.failed) {
    try {
      await mountHelper.umount(target, opts.lazy ? MNT_DETACH : 0)
      return
    } catch (err) {
      // EINVAL: not a mount point; ENOENT, ENOTDIR: no such path. Anything else (EBUSY) is an error
      // only while the target is still mounted.
      if (err instanceof MountSyscallError) {
        if (['EINVAL', 'ENOENT', 'ENOTDIR'].includes(err.code) || !(await isMountpoint(target))) return
        throw new RuntimeError(['umount', ...(opts.lazy ? ['-l'] : []), target], err.errno, `umount: can't unmount ${target}: ${err.message}`)
      }
      if (!(err instanceof MountHelperUnavailable)) throw err
    }
  }
  if (!(await isMountpoint(target))) return
  const argv = await withBusybox(['umount', ...(opts.lazy ? ['-l'] : []), target])
  const result = await run(argv, { check: false })
  if (result.exitCode === 0 || !(await isMountpoint(target))) return
  throw new RuntimeError(argv, result.exitCode, result.stderr.toString())
}

/** True when path (symlinks resolved) is the mount point of some mount in this mount namespace. */
export async function isMountpoint(path: string): Promise<boolean> {
  let real: string
  try {
    real = await realpath(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') return false
    throw err
  }
  return mountPoints(await readFile('/proc/self/mountinfo', 'utf8')).has(real)
}

/** Mount points in a /proc/<pid>/mountinfo text (field 5, octal escapes decoded). Pure. */
export function mountPoints(mountinfo: string): Set<string> {
  const points = new Set<string>()
  for (const line of mountinfo.split('\n')) {
    const field = line.split(' ')[4]
    if (field) points.add(field.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
  }
  return points
}

/**
 * Creates device nodes, fifos, whiteouts (character device 0/0) and opaque-dir xattrs under root in
 * one tar(1) run: Node has neither mknod nor setxattr, and GNU tar (always installed) does both.
 * Paths must already be validated (relative, inside root, not through symlinks).
 */
export async function makeSpecialFiles(root: string, files: readonly SpecialFile[]): Promise<void> {
  if (files.length === 0) return
  const archive = await packSpecialFiles(files)
  await run(
    ['tar', '-x', '-f', '-', '--xattrs', '--xattrs-include=trusted.overlay.*', '--numeric-owner', '--same-owner', '-p', '-C', root],
    { input: archive },
  )
}

/** The tar archive makeSpecialFiles feeds to tar(1). Exported for tests. */
export function packSpecialFiles(files: readonly SpecialFile[]): Promise<Buffer> {
  const pack = tarStream.pack()
  const chunks: Buffer[] = []
  const done = new Promise<Buffer>((resolveDone, reject) => {
    pack.on('data', (c: unknown) => chunks.push(c as Buffer))
    pack.on('end', () => resolveDone(Buffer.concat(chunks)))
    pack.on('error', reject)
  })
  for (const f of files) {
    const common = { name: f.path, mode: f.mode & 0o7777, uid: f.uid, gid: f.gid, mtime: f.mtime }
    if (f.type === 'opaque-dir') {
      pack.entry({ ...common, type: 'directory', pax: { 'SCHILY.xattr.trusted.overlay.opaque': 'y' } })
    } else {
      pack.entry({ ...common, type: f.type, devmajor: f.devmajor ?? 0, devminor: f.devminor ?? 0 })
    }
  }
  pack.finalize()
  return done
}

/** A read-only bind mount of source (a file or directory) on target, which must exist. */
export async function bindMountReadOnly(source: string, target: string): Promise<void> {
  await run(['mount', '--bind', '-o', 'ro', source, target])
}

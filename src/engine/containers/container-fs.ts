/**
 * A container's filesystem from the outside, as `docker cp`, `docker diff` and `docker export` see it:
 * stat and tar of a path (GET/HEAD /containers/{id}/archive), extraction of a tar into a directory
 * (PUT), the changes of the upper dir against the image (A/C/D) and a tar of the whole rootfs.
 *
 * Safety: every container path is resolved inside the mounted rootfs with symlinks followed relative
 * to it (resolveInRootfs), so `..` and links such as /etc/shadow -> /host/etc/shadow never reach the
 * host. Extraction resolves each entry's parent the same way and creates the last component without
 * following it (an existing symlink there is replaced, never written through).
 */
import { constants, createReadStream } from 'node:fs'
import { chmod, lchown, lstat, mkdir, open, readdir, readlink, rm, symlink, link, utimes } from 'node:fs/promises'
import { dirname, join, posix } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Readable, Writable } from 'node:stream'
import tar from 'tar-stream'
import { EngineError, shiftOwner, toContainerId, type IdMappings, isoTime } from '../../common/index.js'
import { resolveInRootfs } from './rootfs-files.js'

/** Docker's container path stat (the X-Docker-Container-Path-Stat header, base64 JSON). */
export interface PathStat {
  name: string
  size: number
  /** Go's os.FileMode bits: permissions plus type bits (dir 1<<31, symlink 1<<27...). */
  mode: number
  mtime: string
  linkTarget: string
}

const GO_MODE_DIR = 2 ** 31
const GO_MODE_SYMLINK = 2 ** 27
const GO_MODE_DEVICE = 2 ** 26
const GO_MODE_NAMED_PIPE = 2 ** 25
const GO_MODE_SOCKET = 2 ** 24
const GO_MODE_SETUID = 2 ** 23
const GO_MODE_SETGID = 2 ** 22
const GO_MODE_CHAR_DEVICE = 2 ** 21
const GO_MODE_STICKY = 2 ** 20

function goMode(st: { mode: number; isDirectory(): boolean; isSymbolicLink(): boolean; isBlockDevice(): boolean; isCharacterDevice(): boolean; isFIFO(): boolean; isSocket(): boolean }): number {
  let m = st.mode & 0o777
  if (st.mode & 0o4000) m += GO_MODE_SETUID
  if (st.mode & 0o2000) m += GO_MODE_SETGID
  if (st.mode & 0o1000) m += GO_MODE_STICKY
  if (st.isDirectory()) m += GO_MODE_DIR
  else if (st.isSymbolicLink()) m += GO_MODE_SYMLINK
  else if (st.isBlockDevice()) m += GO_MODE_DEVICE
  else if (st.isCharacterDevice()) m += GO_MODE_DEVICE + GO_MODE_CHAR_DEVICE
  else if (st.isFIFO()) m += GO_MODE_NAMED_PIPE
  else if (st.isSocket()) m += GO_MODE_SOCKET
  return m
}

const noSuchPath = (path: string): EngineError =>
  new EngineError('NotFound', 'NO_SUCH_PATH', `Could not find the file ${path} in container`)

/** Host path of the parent of `path` resolved inside the rootfs, plus the last component (not followed). */
async function resolveParent(rootfs: string, path: string): Promise<{ host: string; name: string }> {
  const clean = posix.normalize('/' + path)
  if (clean === '/') return { host: rootfs, name: '' }
  const parent = await resolveInRootfs(rootfs, posix.dirname(clean))
  return { host: join(parent, posix.basename(clean)), name: posix.basename(clean) }
}

/** lstat of a container path (the last component is not followed, as Docker's stat). */
export async function statContainerPath(rootfs: string, path: string): Promise<PathStat> {
  const { host, name } = await resolveParent(rootfs, path)
  let st
  try {
    st = await lstat(host)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ENOTDIR') throw noSuchPath(path)
    throw err
  }
  let linkTarget = ''
  if (st.isSymbolicLink()) {
    // Docker reports the target resolved inside the container, as an absolute container path.
    const resolved = await resolveInRootfs(rootfs, path)
    linkTarget = '/' + resolved.slice(rootfs.length).replace(/^\/+/, '')
  }
  return { name: name || '/', size: st.size, mode: goMode(st), mtime: isoTime(st.mtime), linkTarget }
}

/**
 * Writes a tar of `path` to `out`: the entry itself named by its base name (a directory with its whole
 * tree; symlinks as links, never followed). A path ending in "/." archives the directory's contents.
 */
export async function archiveContainerPath(rootfs: string, path: string, out: Writable, idMappings?: IdMappings): Promise<void> {
  const contentsOnly = path.endsWith('/.')
  const { host, name } = contentsOnly ? { host: await resolveInRootfs(rootfs, path.slice(0, -2) || '/'), name: '.' } : await resolveParent(rootfs, path)
  try {
    await lstat(host)
  } catch {
    throw noSuchPath(path)
  }
  const pack = tar.pack()
  const done = pipeline(pack, out)
  try {
    await addTree(pack, host, name || '.', containerOwner(idMappings))
    pack.finalize()
  } catch (err) {
    pack.destroy(err as Error)
    throw err
  } finally {
    await done.catch(() => undefined)
  }
  await done
}

/** Tar of a whole rootfs (`docker export`), entries relative to it. */
export async function exportRootfs(rootfs: string, out: Writable, idMappings?: IdMappings): Promise<void> {
  const pack = tar.pack()
  const done = pipeline(pack, out)
  const owner = containerOwner(idMappings)
  try {
    for (const child of (await readdir(rootfs)).sort()) await addTree(pack, join(rootfs, child), child, owner)
    pack.finalize()
  } catch (err) {
    pack.destroy(err as Error)
    throw err
  }
  await done
}

function entryAdded(pack: tar.Pack, header: Parameters<tar.Pack['entry']>[0], body?: Readable | Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (Buffer.isBuffer(body)) {
      pack.entry(header, body, (err) => (err ? reject(err) : resolve()))
      return
    }
    const entry = pack.entry(header, (err) => (err ? reject(err) : resolve()))
    if (body) {
      body.on('error', reject)
      body.pipe(entry)
    }
  })
}

type OwnerMap = (uid: number, gid: number) => { uid: number; gid: number }

/** Host owners as a remapped daemon's containers see them (ids outside the mappings unchanged); identity without mappings. */
function containerOwner(maps: IdMappings | undefined): OwnerMap {
  if (!maps) return (uid, gid) => ({ uid, gid })
  return (uid, gid) => ({ uid: toContainerId(maps.uids, uid) ?? uid, gid: toContainerId(maps.gids, gid) ?? gid })
}

/** Adds `host` (lstat, never following links) as `name`, recursing into directories. */
async function addTree(pack: tar.Pack, host: string, name: string, owner: OwnerMap): Promise<void> {
  const st = await lstat(host)
  const base = { name, mode: st.mode & 0o7777, ...owner(st.uid, st.gid), mtime: st.mtime }
  if (st.isDirectory()) {
    await entryAdded(pack, { ...base, type: 'directory' })
    for (const child of (await readdir(host)).sort()) await addTree(pack, join(host, child), name === '.' ? child : `${name}/${child}`, owner)
  } else if (st.isSymbolicLink()) {
    await entryAdded(pack, { ...base, type: 'symlink', linkname: await readlink(host) })
  } else if (st.isFile()) {
    // O_NOFOLLOW: the file cannot have been swapped for a link to the host between lstat and open.
    const fh = await open(host, constants.O_RDONLY | constants.O_NOFOLLOW)
    try {
      const body = st.size === 0 ? Buffer.alloc(0) : createReadStream('', { fd: fh.fd, autoClose: false, end: st.size - 1, start: 0 })
      await entryAdded(pack, { ...base, type: 'file', size: st.size }, body)
    } finally {
      await fh.close()
    }
  } else if (st.isFIFO()) {
    await entryAdded(pack, { ...base, type: 'fifo' })
  }
  // Sockets and device nodes are left out, as they cannot be copied meaningfully.
}

export interface ExtractOptions {
  /** Keep the archive's uid/gid (docker cp -a); otherwise files belong to root. */
  copyUidGid?: boolean
  /** Refuse to replace a directory with a non-directory or the reverse (the API's noOverwriteDirNonDir). */
  noOverwriteDirNonDir?: boolean
  /** A remapped daemon's mappings: owners are shifted into the host ids the container sees as them (root by default). */
  idMappings?: IdMappings
}

/** Extracts a tar into the container directory `path` (which must exist and be a directory). */
export async function extractIntoContainer(rootfs: string, path: string, input: Readable, opts: ExtractOptions = {}): Promise<void> {
  const destHost = await resolveInRootfs(rootfs, path)
  let st
  try {
    st = await lstat(destHost)
  } catch {
    throw noSuchPath(path)
  }
  if (!st.isDirectory()) throw new EngineError('InvalidArgument', 'NOT_A_DIRECTORY', `extraction point is not a directory`)
  const destInContainer = '/' + destHost.slice(rootfs.length).replace(/^\/+/, '')
  const extract = tar.extract()
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      writeEntry(rootfs, destInContainer, header, stream as unknown as Readable, opts).then(() => next(), (err: unknown) => {
        stream.resume()
        reject(err)
        extract.destroy()
      })
    })
    extract.on('finish', resolve)
    extract.on('error', reject)
  })
  input.on('error', (err) => extract.destroy(err))
  input.pipe(extract)
  await done
}

async function writeEntry(rootfs: string, dest: string, header: tar.Header, body: Readable, opts: ExtractOptions): Promise<void> {
  const rel = posix.normalize('/' + header.name).replace(/^\/+/, '')
  if (rel === '' || rel === '.') {
    body.resume()
    return
  }
  const { host } = await resolveParent(rootfs, posix.join(dest, rel))
  await mkdir(dirname(host), { recursive: true })
  let existing
  try {
    existing = await lstat(host)
  } catch {
    existing = undefined
  }
  const isDir = header.type === 'directory'
  if (existing && opts.noOverwriteDirNonDir && existing.isDirectory() !== isDir) {
    throw new EngineError('InvalidArgument', 'DIR_NON_DIR', `cannot overwrite ${existing.isDirectory() ? 'directory' : 'non-directory'} "${posix.join(dest, rel)}" with ${isDir ? 'directory' : 'non-directory'} "${rel}"`)
  }
  // Never write through what is there: a link (or a file where a dir goes) is replaced.
  if (existing && !(isDir && existing.isDirectory())) await rm(host, { recursive: true, force: true })
  const mode = (header.mode ?? 0o644) & 0o7777
  switch (header.type) {
    case 'directory':
      if (!existing?.isDirectory()) await mkdir(host, { mode })
      body.resume()
      break
    case 'file':
    case 'contiguous-file': {
      const fh = await open(host, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode)
      try {
        for await (const chunk of body) await fh.write(chunk as Buffer)
      } finally {
        await fh.close()
      }
      break
    }
    case 'symlink':
      await symlink(header.linkname ?? '', host)
      body.resume()
      break
    case 'link': {
      const target = await resolveParent(rootfs, posix.join(dest, posix.normalize('/' + (header.linkname ?? '')).replace(/^\/+/, '')))
      await link(target.host, host)
      body.resume()
      return
    }
    default:
      // Devices, fifos and others are skipped, as an unprivileged copy would.
      body.resume()
      return
  }
  if (header.type !== 'symlink') {
    await chmod(host, mode)
    if (header.mtime) await utimes(host, header.mtime, header.mtime)
  }
  const uid = opts.copyUidGid ? header.uid ?? 0 : 0
  const gid = opts.copyUidGid ? header.gid ?? 0 : 0
  const shifted = opts.idMappings ? shiftOwner(opts.idMappings, uid, gid) : { uid, gid }
  await lchown(host, shifted.uid, shifted.gid).catch(() => undefined)
}

export type ChangeKind = 0 | 1 | 2

/** One change of `docker diff`: Kind 0 = C(hanged), 1 = A(dded), 2 = D(eleted). */
export interface FileChange {
  Path: string
  Kind: ChangeKind
}

/**
 * Changes of a container's upper dir against the image's layers: whiteouts (char 0/0) are deleted
 * paths, paths present in a lower layer are changed, others added. Sorted by path as Docker's.
 */
export async function upperChanges(upper: string, lowers: readonly string[]): Promise<FileChange[]> {
  const out: FileChange[] = []
  const inLower = async (rel: string): Promise<boolean> => {
    for (const l of lowers) {
      try {
        await lstat(join(l, rel))
        return true
      } catch {
        // not in this layer
      }
    }
    return false
  }
  const walk = async (dir: string, rel: string): Promise<void> => {
    let names: string[]
    try {
      names = (await readdir(dir)).sort()
    } catch {
      return
    }
    for (const name of names) {
      const host = join(dir, name)
      const path = `${rel}/${name}`
      const st = await lstat(host)
      if (st.isCharacterDevice() && st.rdev === 0) {
        out.push({ Path: path, Kind: 2 })
        continue
      }
      out.push({ Path: path, Kind: (await inLower(path)) ? 0 : 1 })
      if (st.isDirectory()) await walk(host, path)
    }
  }
  await walk(upper, '')
  return out.sort((a, b) => (a.Path < b.Path ? -1 : a.Path > b.Path ? 1 : 0))
}

export const changeLetter = (k: ChangeKind): string => (k === 0 ? 'C' : k === 1 ? 'A' : 'D')


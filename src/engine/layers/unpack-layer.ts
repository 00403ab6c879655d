import { createHash } from 'node:crypto'
import {
  chmodSync,
  closeSync,
  createReadStream,
  fchmodSync,
  fchownSync,
  futimesSync,
  lchownSync,
  linkSync,
  lutimesSync,
  mkdirSync,
  openSync,
  symlinkSync,
  write,
  writeSync,
} from 'node:fs'
import { rm } from 'node:fs/promises'
import { join, posix } from 'node:path'
import { Readable } from 'node:stream'
import tarStream from 'tar-stream'
import type { Header } from 'tar-stream'
import { chunksOf, drainedOrClosed, invalid, shiftOwner, type Digest, type IdMappings } from '../../common/index.js'
import type { SpecialFile } from './mounter.js'
import { isLayerFile, type LayerSource } from './snapshotter.js'

export interface UnpackResult {
  /** sha256 of the whole tar stream as read. */
  diffId: Digest
  /** Bytes of regular files plus symlink targets (hard links counted once), as Docker sizes layers. */
  size: number
  /** Bytes of the tar stream as read. */
  tarSize: number
}

interface Meta {
  mode: number
  uid: number
  gid: number
  mtime: Date
}

export interface UnpackOptions {
  /** Host owner of a file the tar says is owned by uid:gid (a remapped daemon's shifted layers); identity when absent. */
  shiftOwner?: (uid: number, gid: number) => { uid: number; gid: number }
}

/**
 * Unpacks an uncompressed layer tar into `root` (an existing, empty directory), as unpackLayer does;
 * `idMappings`: a remapped daemon's mappings, owners are shifted into them. inProcessUnpacker runs
 * unpackLayer here; berthd's (daemon/unpack-child.ts) runs it in a short-lived child for a stored file.
 */
export type LayerUnpacker = (tar: LayerSource, root: string, opts: { idMappings?: IdMappings }) => Promise<UnpackResult>

/** A LayerUnpacker that unpacks in this process, making special files through `makeSpecialFiles`. */
export function inProcessUnpacker(makeSpecialFiles: (root: string, files: readonly SpecialFile[]) => Promise<void>): LayerUnpacker {
  return (tar, root, { idMappings }) =>
    unpackLayer(isLayerFile(tar) ? createReadStream(tar.path, { highWaterMark: 512 * 1024 }) : tar, root, makeSpecialFiles, {
      shiftOwner: idMappings && ((uid, gid) => shiftOwner(idMappings, uid, gid)),
    })
}

const WHITEOUT = '.wh.'
const OPAQUE = '.wh..wh..opq'

/**
 * Streams an uncompressed layer tar into `root` (an existing, empty directory), hashing it as it goes.
 * OCI whiteouts (`.wh.<name>`, `.wh..wh..opq`) become overlay whiteouts and opaque dirs; device
 * nodes and whiteouts are created in one batch through `makeSpecialFiles` after the stream ends.
 * Throws InvalidArgument for entries that leave root (absolute paths, "..", writing through a
 * symlink) and for unsupported entry types. On error, root is left partly filled for the caller
 * to delete.
 */
export async function unpackLayer(
  tar: NodeJS.ReadableStream,
  root: string,
  makeSpecialFiles: (root: string, files: readonly SpecialFile[]) => Promise<void>,
  opts: UnpackOptions = {},
): Promise<UnpackResult> {
  const hash = createHash('sha256')
  const extract = tarStream.extract()
  const counter = { bytes: 0 }
  const feeding = feed(tar, hash, counter, extract)
  const state = new LayerTree(root, opts.shiftOwner)
  try {
    for await (const entry of extract) {
      const h = entry.header
      const rel = cleanPath(h.name)
      if (isAufsMeta(rel)) {
        entry.resume()
        continue
      }
      const whiteout = posix.basename(rel).startsWith(WHITEOUT)
      if (!whiteout && (h.type === 'file' || h.type === 'contiguous-file')) {
        await state.writeFile(rel, state.meta(h), entry as AsyncIterable<Buffer>, h.size ?? 0)
      } else {
        entry.resume()
        await state.add(rel, h)
      }
    }
  } catch (err) {
    extract.destroy()
    await feeding.catch(() => undefined)
    throw err
  }
  await feeding
  await state.finish(makeSpecialFiles)
  return { diffId: `sha256:${hash.digest('hex')}`, size: state.size, tarSize: counter.bytes }
}

/** Copies the source into the extractor, hashing every byte, with backpressure. */
async function feed(src: NodeJS.ReadableStream, hash: ReturnType<typeof createHash>, counter: { bytes: number }, extract: tarStream.Extract): Promise<void> {
  try {
    for await (const chunk of src instanceof Readable ? chunksOf(src) : src) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      hash.update(buf)
      counter.bytes += buf.length
      if (extract.destroyed) return
      if (!extract.write(buf)) {
        await drainedOrClosed(extract)
      }
    }
    extract.end(undefined) // streamx types want an argument; undefined ends without writing
  } catch (err) {
    extract.destroy(err instanceof Error ? err : new Error(String(err)))
    throw err
  }
}

function meta(h: Header): Meta {
  const pax = (h.pax ?? {}) as Record<string, string | undefined>
  const num = (v: string | undefined, fallback: number): number => (v !== undefined && /^\d+$/.test(v) ? Number(v) : fallback)
  const paxMtime = pax.mtime !== undefined ? Number(pax.mtime) : NaN
  return {
    mode: h.mode & 0o7777,
    uid: num(pax.uid, h.uid),
    gid: num(pax.gid, h.gid),
    mtime: Number.isFinite(paxMtime) ? new Date(paxMtime * 1000) : h.mtime,
  }
}

/** "./a//b/" -> "a/b"; "" is the layer root. Rejects absolute paths and ".." anywhere. */
export function cleanPath(name: string): string {
  if (name.startsWith('/')) throw invalid('INVALID_LAYER', `Cannot unpack layer: absolute path "${name}"`)
  const parts: string[] = []
  for (const p of name.split('/')) {
    if (p === '' || p === '.') continue
    if (p === '..') throw invalid('INVALID_LAYER', `Cannot unpack layer: path "${name}" escapes the layer`)
    parts.push(p)
  }
  return parts.join('/')
}

/** aufs bookkeeping (.wh..wh.plnk/..., .wh..wh.aufs) that Docker also skips; not the opaque marker. */
function isAufsMeta(rel: string): boolean {
  return rel.split('/').some((p) => p.startsWith(`${WHITEOUT}${WHITEOUT}`) && p !== OPAQUE)
}

const parentOf = (rel: string): string => {
  const d = posix.dirname(rel)
  return d === '.' ? '' : d
}

/**
 * What has been written under root so far. root starts empty, so these sets are the whole truth
 * and no lstat is needed to know whether a parent is a real directory or a symlink.
 * File system calls are synchronous on purpose: each is one short local syscall, the event loop
 * still turns between tar chunks, and the async versions cost a thread-pool round trip per call
 * (about 4x slower on layers with many small files).
 */
class LayerTree {
  size = 0
  /** Directories that exist, with the metadata the tar gave them (undefined: created implicitly). */
  private readonly dirs = new Map<string, Meta | undefined>([['', undefined]])
  private readonly symlinks = new Set<string>()
  /** Regular files, hard links and (pending) special files. */
  private readonly files = new Set<string>()
  private readonly specials = new Map<string, SpecialFile>()
  private readonly opaque = new Set<string>()
  private readonly pendingLinks = new Map<string, string>()

  constructor(
    private readonly root: string,
    private readonly shiftOwner?: (uid: number, gid: number) => { uid: number; gid: number },
  ) {}

  /** The entry's metadata with its owner shifted for a remapped daemon. */
  meta(h: Header): Meta {
    const m = meta(h)
    return this.shiftOwner ? { ...m, ...this.shiftOwner(m.uid, m.gid) } : m
  }

  private abs(rel: string): string {
    return rel === '' ? this.root : join(this.root, rel)
  }

  async writeFile(rel: string, m: Meta, data: AsyncIterable<Buffer>, size: number): Promise<void> {
    if (rel === '') throw invalid('INVALID_LAYER', 'Cannot unpack layer: a file entry names the layer root')
    await this.prepareParent(rel)
    await this.replace(rel, false)
    const fd = openSync(this.abs(rel), 'wx', 0o600)
    // A large file's data is written by the thread pool, one write in flight while the next chunk is
    // decompressed and hashed here (copying it into the page cache is a good part of unpacking it).
    let writing: Promise<void> | undefined
    try {
      try {
        for await (const chunk of data) {
          if (size >= ASYNC_WRITE_MIN) {
            await writing
            writing = writeAll(fd, chunk)
            writing.catch(() => undefined) // awaited next round or below
          } else {
            let off = 0
            while (off < chunk.length) off += writeSync(fd, chunk, off)
          }
          this.size += chunk.length
        }
      } finally {
        await writing
      }
      fchownSync(fd, m.uid, m.gid)
      fchmodSync(fd, m.mode) // after chown, which clears setuid/setgid
      futimesSync(fd, m.mtime, m.mtime)
    } finally {
      closeSync(fd)
    }
    this.files.add(rel)
  }

  async add(rel: string, h: Header): Promise<void> {
    const base = posix.basename(rel)
    if (base.startsWith(WHITEOUT)) return this.whiteout(rel, base, h)
    const m = this.meta(h)
    if (rel === '') {
      if (h.type !== 'directory') throw invalid('INVALID_LAYER', `Cannot unpack layer: "${h.name}" is not a directory`)
      this.dirs.set('', m)
      return
    }
    await this.prepareParent(rel)
    switch (h.type) {
      case 'directory':
        if (!this.dirs.has(rel)) {
          await this.replace(rel, true)
          mkdirSync(this.abs(rel), 0o700)
        }
        this.dirs.set(rel, m)
        return
      case 'symlink': {
        await this.replace(rel, false)
        const target = h.linkname ?? ''
        symlinkSync(target, this.abs(rel))
        lchownSync(this.abs(rel), m.uid, m.gid)
        lutimesSync(this.abs(rel), m.mtime, m.mtime)
        this.symlinks.add(rel)
        this.size += Buffer.byteLength(target)
        return
      }
      case 'link': {
        const target = cleanPath(h.linkname ?? '')
        this.checkInside(target, h.linkname ?? '')
        if (!this.files.has(target) && !this.symlinks.has(target)) {
          throw invalid('INVALID_LAYER', `Cannot unpack layer: hard link "${h.name}" to missing or non-file "${h.linkname}"`)
        }
        await this.replace(rel, false)
        const source = this.pendingLinks.get(target) ?? target
        if (this.specials.has(source)) this.pendingLinks.set(rel, source)
        else linkSync(this.abs(source), this.abs(rel))
        if (this.symlinks.has(target)) this.symlinks.add(rel)
        else this.files.add(rel)
        return
      }
      case 'character-device':
      case 'block-device':
      case 'fifo':
        await this.replace(rel, false)
        this.specials.set(rel, { path: rel, type: h.type, ...m, devmajor: h.devmajor, devminor: h.devminor })
        this.files.add(rel)
        return
      default:
        throw invalid('INVALID_LAYER', `Cannot unpack layer: unsupported entry type "${h.type}" for "${h.name}"`)
    }
  }

  private async whiteout(rel: string, base: string, h: Header): Promise<void> {
    await this.prepareParent(rel)
    const dir = parentOf(rel)
    if (base === OPAQUE) {
      this.opaque.add(dir)
      return
    }
    const name = base.slice(WHITEOUT.length)
    if (name === '' || name === '.' || name === '..') {
      throw invalid('INVALID_LAYER', `Cannot unpack layer: invalid whiteout "${h.name}"`)
    }
    const target = dir === '' ? name : `${dir}/${name}`
    await this.replace(target, false)
    this.specials.set(target, { path: target, type: 'character-device', mode: 0, uid: 0, gid: 0, mtime: meta(h).mtime, devmajor: 0, devminor: 0 })
    this.files.add(target)
  }

  /** Creates missing parents (0755) and refuses to go through symlinks or files. */
  private async prepareParent(rel: string): Promise<void> {
    const parent = parentOf(rel)
    if (this.dirs.has(parent)) return // removing a dir purges its subtree, so its ancestors are dirs too
    let path = ''
    for (const part of parent.split('/')) {
      path = path === '' ? part : `${path}/${part}`
      if (this.dirs.has(path)) continue
      if (this.symlinks.has(path)) throw invalid('INVALID_LAYER', `Cannot unpack layer: "${rel}" is written through symlink "${path}"`)
      if (this.files.has(path)) throw invalid('INVALID_LAYER', `Cannot unpack layer: parent "${path}" of "${rel}" is not a directory`)
      mkdirSync(this.abs(path), 0o755)
      this.dirs.set(path, undefined)
    }
  }

  /** A hard link target must be reachable without symlinks. */
  private checkInside(target: string, given: string): void {
    const parent = parentOf(target)
    if (!this.dirs.has(parent)) throw invalid('INVALID_LAYER', `Cannot unpack layer: hard link target "${given}" is outside the layer`)
  }

  /** Later entries win, as in tar: removes whatever is at rel unless both are directories. */
  private async replace(rel: string, isDir: boolean): Promise<void> {
    if (this.dirs.has(rel)) {
      if (isDir) return
      await rm(this.abs(rel), { recursive: true, force: true })
      const prefix = `${rel}/`
      for (const set of [this.dirs, this.symlinks, this.files, this.specials, this.pendingLinks, this.opaque]) {
        for (const k of set.keys()) if (k === rel || k.startsWith(prefix)) set.delete(k)
      }
      return
    }
    if (this.files.has(rel) || this.symlinks.has(rel)) {
      await rm(this.abs(rel), { force: true })
      this.files.delete(rel)
      this.symlinks.delete(rel)
      this.specials.delete(rel)
      this.pendingLinks.delete(rel)
    }
  }

  /** Special files in one batch, then links to them, then directory metadata deepest first. */
  async finish(makeSpecialFiles: (root: string, files: readonly SpecialFile[]) => Promise<void>): Promise<void> {
    const specials = [...this.specials.values()]
    for (const dir of this.opaque) {
      const m = this.dirs.get(dir) ?? { mode: 0o755, ...(this.shiftOwner?.(0, 0) ?? { uid: 0, gid: 0 }), mtime: new Date() }
      specials.push({ path: dir === '' ? '.' : dir, type: 'opaque-dir', ...m })
    }
    await makeSpecialFiles(this.root, specials)
    for (const [rel, source] of this.pendingLinks) linkSync(this.abs(source), this.abs(rel))
    const dirs = [...this.dirs].sort((a, b) => depth(b[0]) - depth(a[0]))
    let n = 0
    for (const [rel, m] of dirs) {
      if (++n % 256 === 0) await new Promise((resolve) => setImmediate(resolve))
      const path = this.abs(rel)
      if (!m) {
        // Directories the tar did not list belong to (the container's) root, as in dockerd's unpacking.
        if (this.shiftOwner) {
          const owner = this.shiftOwner(0, 0)
          lchownSync(path, owner.uid, owner.gid)
        }
        chmodSync(path, 0o755)
        continue
      }
      lchownSync(path, m.uid, m.gid)
      chmodSync(path, m.mode)
      lutimesSync(path, m.mtime, m.mtime)
    }
  }
}

/** Files from this size on are written asynchronously (see writeFile). */
const ASYNC_WRITE_MIN = 1 << 20

function writeAll(fd: number, buf: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const next = (off: number): void => {
      write(fd, buf, off, buf.length - off, null, (err, n) => {
        if (err) reject(err)
        else if (off + n < buf.length) next(off + n)
        else resolve()
      })
    }
    next(0)
  })
}

const depth = (rel: string): number => (rel === '' ? 0 : rel.split('/').length)

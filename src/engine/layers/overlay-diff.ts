/**
 * Turns an overlay upper dir into an OCI layer tar. GNU tar(1) reads the dir (it sees device
 * numbers and trusted.* xattrs, which Node cannot), sorted by name; overlayToOciLayer() then
 * rewrites its archive: whiteouts (character device 0/0) become `.wh.<name>` files, opaque dirs
 * (trusted.overlay.opaque=y) get a `.wh..wh..opq` entry, overlay's own xattrs are dropped, names
 * lose their "./" prefix and modification times are clamped (SOURCE_DATE_EPOCH), so the same dir
 * gives the same bytes. File data passes through untouched; only headers are written again.
 * tar(1) writes a temporary file, not a pipe to this process: Node reads a pipe 64 KiB at a time,
 * which measured slower than writing and reading the file back (page cache) for a 50 MB layer.
 */
import { createReadStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { Readable } from 'node:stream'
import { chunksOf, toContainerId, type IdMappings } from '../../common/index.js'
import { BLOCK, decodeHeader, decodePax, encodeEntry, padding, type EntryType, type HeaderBlock, type OutHeader } from './tar-header.js'

/**
 * argv of the tar(1) run that archives `upperDir` into `outFile` for overlayToOciLayer(). 128 KiB
 * records (-b 256) instead of tar's 10 KiB: half the time on large files (a twelfth of the read and
 * write calls); the longer zero padding at the end is not part of the layer.
 */
export function overlayTarArgv(upperDir: string, outFile: string): string[] {
  return [
    'tar', '-c', '-b', '256', '-f', outFile, '--format=posix', '--xattrs',
    '--xattrs-include=trusted.overlay.opaque', '--xattrs-include=security.capability',
    '--pax-option=delete=atime,delete=ctime', '--numeric-owner', '--sort=name', '-C', upperDir, '.',
  ]
}

export interface OciLayerOptions {
  /** Unix seconds: later modification times are set to this (SOURCE_DATE_EPOCH). */
  clampMtime?: number
  /**
   * A remapped daemon's mappings (--userns-remap): owners are written as the container sees them
   * (host ids inside the mappings shifted back; others, such as files a build step made as the host's
   * root, kept), so the layer means the same on any daemon.
   */
  idMappings?: IdMappings
}

/** What overlayToOciLayer learnt about the layer; final once its tar has been read to the end. */
export interface OciLayerStats {
  /** The whole input was converted. */
  complete: boolean
  /** Bytes applyLayer records for the layer: regular files' data plus symlink targets (hard links count once). */
  size: number
  /**
   * Unpacking the layer gives back the upper dir: no owner was kept because the mappings do not
   * map it, no modification time was clamped, no file is named as a whiteout. What a tar cannot
   * hold does not count: a layer made of the dir keeps sub-second times, xattrs other than
   * security.capability and sockets, as the layers Docker and containerd commit from an upper dir do.
   */
  sameAsDir: boolean
}

const OPAQUE_XATTR = 'SCHILY.xattr.trusted.overlay.opaque'
const XATTR = 'SCHILY.xattr.'
const OVERLAY_XATTR = 'SCHILY.xattr.trusted.overlay.'
const MAX_LONG_HEADER = 4 * 1024 * 1024
/** Output pieces smaller than this are joined (headers, small files); larger ones pass as they are. */
const JOIN_BELOW = 32 * 1024

function stripDot(name: string): string {
  let n = name.startsWith('./') ? name.slice(2) : name
  if (n === '.') n = ''
  return n
}

/** tar-stream's pack gives an entry without a known type the type its mode bits say. */
function modeToType(mode: number): EntryType {
  switch (mode & 0o170000) {
    case 0o060000: return 'block-device'
    case 0o020000: return 'character-device'
    case 0o040000: return 'directory'
    case 0o010000: return 'fifo'
    case 0o120000: return 'symlink'
  }
  return 'file'
}

const isAscii = (s: string): boolean => !/[^\x00-\x7f]/.test(s)

/**
 * The conversion as a push parser over tar(1)'s output: headers are decoded and written again,
 * file data is passed through untouched (only entries that change are rewritten, but every header
 * is re-encoded so the output is the same whatever tar(1) put in fields we drop).
 */
class OciLayerConverter {
  readonly stats: OciLayerStats = { complete: false, size: 0, sameAsDir: true }
  /** Bytes of a header block or long header being collected, when it spans input chunks. */
  private partial: Buffer[] = []
  private partialBytes = 0
  /** Bytes the current collection needs (a header block, or a long header's data). */
  private need = BLOCK
  private longHeader: HeaderBlock | undefined
  /** Entry data still to come, passed to the output or dropped, then the input's padding to skip. */
  private dataLeft = 0
  private dataSize = 0
  private forwarding = false
  private skip = 0
  private pax: Map<string, Buffer> | undefined
  private globalPax: Map<string, Buffer> | undefined
  private gnuLongPath: string | undefined
  private gnuLongLinkPath: string | undefined
  private out: Buffer[] = []
  private small: Buffer[] = []
  private smallBytes = 0

  constructor(private readonly opts: OciLayerOptions) {}

  write(chunk: Buffer): Buffer[] {
    let off = 0
    while (off < chunk.length) {
      if (this.dataLeft > 0) {
        const n = Math.min(this.dataLeft, chunk.length - off)
        if (this.forwarding) this.emit(chunk.subarray(off, off + n))
        off += n
        this.dataLeft -= n
        if (this.dataLeft === 0) this.endData()
        continue
      }
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - off)
        off += n
        this.skip -= n
        continue
      }
      let block: Buffer
      if (this.partialBytes === 0 && chunk.length - off >= this.need) {
        block = chunk.subarray(off, off + this.need)
        off += this.need
      } else {
        const n = Math.min(this.need - this.partialBytes, chunk.length - off)
        this.partial.push(chunk.subarray(off, off + n))
        this.partialBytes += n
        off += n
        if (this.partialBytes < this.need) continue
        block = Buffer.concat(this.partial, this.partialBytes)
        this.partial = []
        this.partialBytes = 0
      }
      if (this.longHeader) this.readLongHeader(this.longHeader, block)
      else this.readHeader(block)
    }
    return this.flush()
  }

  end(): Buffer[] {
    if (this.dataLeft > 0 || this.skip > 0 || this.partialBytes > 0 || this.longHeader) throw new Error('Unexpected end of data')
    this.emit(Buffer.alloc(2 * BLOCK))
    this.stats.complete = true
    return this.flush()
  }

  private emit(buf: Buffer): void {
    if (buf.length >= JOIN_BELOW) {
      this.joinSmall()
      this.out.push(buf)
      return
    }
    this.small.push(buf)
    this.smallBytes += buf.length
    if (this.smallBytes >= JOIN_BELOW) this.joinSmall()
  }

  private joinSmall(): void {
    if (this.small.length === 1) this.out.push(this.small[0] as Buffer)
    else if (this.small.length > 1) this.out.push(Buffer.concat(this.small, this.smallBytes))
    this.small = []
    this.smallBytes = 0
  }

  private flush(): Buffer[] {
    this.joinSmall()
    const out = this.out
    this.out = []
    return out
  }

  private endData(): void {
    if (this.forwarding) this.emit(padding(this.dataSize))
    this.skip = padding(this.dataSize).length
    this.forwarding = false
  }

  private readHeader(block: Buffer): void {
    const h = decodeHeader(block)
    if (!h) return
    switch (h.type) {
      case 'pax-header':
      case 'pax-global-header':
      case 'gnu-long-path':
      case 'gnu-long-link-path':
        if (h.size > MAX_LONG_HEADER) throw new Error('Header exceeds max size')
        if (h.size > 0) {
          this.longHeader = h
          this.need = h.size
        }
        return
    }
    let pax: Map<string, Buffer> | undefined
    if (this.gnuLongPath !== undefined) h.name = this.gnuLongPath
    if (this.gnuLongLinkPath !== undefined) h.linkname = this.gnuLongLinkPath
    this.gnuLongPath = this.gnuLongLinkPath = undefined
    if (this.pax) {
      pax = this.pax
      this.pax = undefined
      const path = pax.get('path')
      const linkpath = pax.get('linkpath')
      const size = pax.get('size')
      if (path?.length) h.name = path.toString('latin1')
      if (linkpath?.length) h.linkname = linkpath.toString('latin1')
      if (size?.length) h.size = parseInt(size.toString('latin1'), 10)
    }
    if (!(h.size >= 0)) throw new Error('Invalid header')
    this.dataSize = h.size === 0 || h.type === 'directory' ? 0 : h.size
    this.dataLeft = this.dataSize
    this.forwarding = this.convert(h, pax)
    if (this.dataLeft === 0) this.endData()
  }

  private readLongHeader(h: HeaderBlock, data: Buffer): void {
    this.longHeader = undefined
    this.need = BLOCK
    this.skip = padding(h.size).length
    const longName = (): string => data.toString('latin1', 0, data.indexOf(0) === -1 ? data.length : data.indexOf(0))
    if (h.type === 'gnu-long-path') this.gnuLongPath = longName()
    else if (h.type === 'gnu-long-link-path') this.gnuLongLinkPath = longName()
    else if (h.type === 'pax-global-header') this.globalPax = decodePax(data)
    else this.pax = this.globalPax ? new Map([...this.globalPax, ...decodePax(data)]) : decodePax(data)
  }

  /** Writes the entry's OCI header(s); true when its data follows in the output. */
  private convert(h: HeaderBlock, pax: Map<string, Buffer> | undefined): boolean {
    const name = stripDot(h.name)
    if (name === '' || name === '/') return false
    const mtime = this.clamp(h.mtime)
    const uid = this.owner(this.opts.idMappings?.uids, h.uid)
    const gid = this.owner(this.opts.idMappings?.gids, h.gid)
    const base = { uid, gid, mtime }
    const trimmed = name.replace(/\/$/, '')
    const slash = trimmed.lastIndexOf('/')
    const dir = slash < 0 ? '' : name.slice(0, slash + 1)
    const leaf = trimmed.slice(slash + 1)
    if (h.type === 'character-device' && h.devmajor === 0 && h.devminor === 0) {
      this.emit(encodeEntry({ ...base, name: `${dir}.wh.${leaf}`, type: 'file', mode: 0o600, size: 0 }))
      return false
    }
    // A file of the dir that unpacking would read as a whiteout (or skip as aufs metadata).
    if (leaf.startsWith('.wh.')) this.stats.sameAsDir = false
    let xattrs: Map<string, Buffer> | undefined
    let opaque = false
    for (const [k, v] of pax ?? []) {
      if (k === OPAQUE_XATTR) opaque = v.length === 1 && v[0] === 0x79 // "y"
      else if (k.startsWith(XATTR) && !k.startsWith(OVERLAY_XATTR)) (xattrs ??= new Map()).set(k, v)
    }
    const isFile = h.type === 'file' || h.type === 'contiguous-file'
    const type = isFile ? 'file' : (h.type ?? modeToType(h.mode))
    const linkname = h.linkname ? (h.type === 'link' ? stripDot(h.linkname) : h.linkname) : undefined
    const isDevice = h.type === 'character-device' || h.type === 'block-device'
    const out: OutHeader = {
      ...base,
      name,
      type,
      mode: h.mode,
      size: isFile ? h.size : 0,
      linkname,
      ...(isDevice ? { devmajor: h.devmajor, devminor: h.devminor } : {}),
      pax: xattrs,
    }
    this.emit(encodeEntry(out))
    if (isFile) this.stats.size += out.size
    if (type === 'symlink' && linkname) this.stats.size += isAscii(linkname) ? linkname.length : Buffer.byteLength(Buffer.from(linkname, 'latin1').toString())
    if (opaque && h.type === 'directory') {
      const dirName = name.endsWith('/') ? name : `${name}/`
      this.emit(encodeEntry({ ...base, name: `${dirName}.wh..wh..opq`, type: 'file', mode: h.mode & 0o777, size: 0 }))
    }
    return isFile && out.size > 0
  }

  /** Unix seconds as written: floored, and clamped to clampMtime. */
  private clamp(seconds: number): number {
    const ms = seconds * 1000
    const clamp = this.opts.clampMtime
    if (clamp !== undefined && ms > clamp * 1000) {
      this.stats.sameAsDir = false
      return (new Date(clamp * 1000).getTime() / 1000) | 0
    }
    return (new Date(Math.floor(ms / 1000) * 1000).getTime() / 1000) | 0
  }

  private owner(mappings: IdMappings['uids'] | undefined, id: number): number {
    if (!mappings) return id
    const mapped = toContainerId(mappings, id)
    if (mapped === undefined) this.stats.sameAsDir = false
    return mapped ?? id
  }
}

/**
 * Rewrites tar(1)'s archive of an upper dir as an OCI layer (see the file comment). `tar` yields the
 * layer's bytes; `stats` fills in as it is read. The input's errors, and malformed input, end `tar` with an error.
 */
export function overlayToOciLayer(input: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array>, opts: OciLayerOptions = {}): { tar: AsyncGenerator<Buffer>; stats: OciLayerStats } {
  const converter = new OciLayerConverter(opts)
  async function* convert(): AsyncGenerator<Buffer> {
    for await (const chunk of input instanceof Readable ? chunksOf(input) : input) {
      yield* converter.write(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    }
    yield* converter.end()
  }
  return { tar: convert(), stats: converter.stats }
}

/** An overlay upper dir's changes as an OCI layer: what withUpperDirLayer hands its consumer. */
export interface UpperDirLayer {
  /** The layer tar. Read it once, to the end. */
  tar: AsyncIterable<Buffer>
  /**
   * Once `tar` has been read to the end: the upper dir and the size applyLayer would record for the
   * tar, when the dir may become the layer itself (Snapshotter.commitUpperDir): the caller allowed it
   * and unpacking the tar would give the dir back (OciLayerStats.sameAsDir). undefined otherwise.
   */
  reusableDir(): { dir: string; size: number } | undefined
}

/** tar(1)'s archive is read in 512 KiB chunks: fewer, larger pieces of file data to pass on. */
const READ_CHUNK = 512 * 1024

/**
 * Archives an overlay upper dir with tar(1) (`exec` runs the argv) into `tarFile`, hands the OCI layer
 * made from it to `consume` (typically a committer storing it and making it a layer), and removes the
 * file. `reuseDir`: the dir is not needed afterwards and may become the layer itself.
 */
export async function withUpperDirLayer<T>(
  upperDir: string, tarFile: string, exec: (argv: string[]) => Promise<void>, consume: (layer: UpperDirLayer) => Promise<T>,
  opts: OciLayerOptions & { reuseDir?: boolean } = {},
): Promise<T> {
  let archive: Readable | undefined
  try {
    await exec(overlayTarArgv(upperDir, tarFile))
    archive = createReadStream(tarFile, { highWaterMark: READ_CHUNK })
    const { tar, stats } = overlayToOciLayer(archive, opts)
    return await consume({
      tar,
      reusableDir: () => (opts.reuseDir && stats.complete && stats.sameAsDir ? { dir: upperDir, size: stats.size } : undefined),
    })
  } finally {
    archive?.destroy() // closes the file when `consume` did not read it to the end
    await rm(tarFile, { force: true })
  }
}

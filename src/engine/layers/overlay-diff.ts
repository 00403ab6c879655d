/**
 * Turns an overlay upper dir into an OCI layer tar. GNU tar(1) reads the dir (it sees device
 * numbers and trusted.* xattrs, which Node cannot), sorted by name; overlayToOciLayer() then
 * rewrites its archive: whiteouts (character device 0/0) become `.wh.<name>` files, opaque dirs
 * (trusted.overlay.opaque=y) get a `.wh..wh..opq` entry, overlay's own xattrs are dropped, names
 * lose their "./" prefix and modification times are clamped (SOURCE_DATE_EPOCH), so the same dir
 * gives the same bytes.
 */
import { createReadStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { Readable } from 'node:stream'
import tarStream from 'tar-stream'
import type { Header as Headers } from 'tar-stream'
import { toContainerId, type IdMappings } from '../../common/index.js'

/** argv of the tar(1) run that archives `upperDir` into `outFile` for overlayToOciLayer(). */
export function overlayTarArgv(upperDir: string, outFile: string): string[] {
  return [
    'tar', '-c', '-f', outFile, '--format=posix', '--xattrs',
    '--xattrs-include=trusted.overlay.opaque', '--xattrs-include=security.capability',
    '--pax-option=delete=atime,delete=ctime', '--numeric-owner', '--sort=name', '-C', upperDir, '.',
  ]
}

const EMPTY = Buffer.alloc(0)
const OPAQUE_XATTR = 'SCHILY.xattr.trusted.overlay.opaque'

function stripDot(name: string): string {
  let n = name.startsWith('./') ? name.slice(2) : name
  if (n === '.') n = ''
  return n
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

/** Rewrites tar(1)'s archive of an upper dir as an OCI layer (see the file comment). */
export function overlayToOciLayer(input: NodeJS.ReadableStream, opts: OciLayerOptions = {}): Readable {
  const extract = tarStream.extract()
  const pack = tarStream.pack()
  const clamp = (d: Date | undefined): Date => {
    const t = d ?? new Date(0)
    if (opts.clampMtime !== undefined && t.getTime() > opts.clampMtime * 1000) return new Date(opts.clampMtime * 1000)
    return new Date(Math.floor(t.getTime() / 1000) * 1000)
  }
  extract.on('entry', (header, source, next) => {
    const stream = source as unknown as Readable
    const name = stripDot(header.name)
    if (name === '' || name === '/') {
      stream.resume()
      stream.on('end', () => next())
      return
    }
    const mtime = clamp(header.mtime)
    const uid = header.uid ?? 0
    const gid = header.gid ?? 0
    const maps = opts.idMappings
    const base = {
      uid: maps ? (toContainerId(maps.uids, uid) ?? uid) : uid,
      gid: maps ? (toContainerId(maps.gids, gid) ?? gid) : gid,
      mtime, uname: '', gname: '',
    }
    const slash = name.replace(/\/$/, '').lastIndexOf('/')
    const dir = slash < 0 ? '' : name.slice(0, slash + 1)
    const leaf = name.replace(/\/$/, '').slice(slash + 1)
    const done = (err?: Error | null): void => next(err)
    if (header.type === 'character-device' && (header.devmajor ?? 0) === 0 && (header.devminor ?? 0) === 0) {
      stream.resume()
      pack.entry({ ...base, name: `${dir}.wh.${leaf}`, type: 'file', mode: 0o600, size: 0 }, EMPTY, done)
      return
    }
    const pax: Record<string, string> = {}
    let opaque = false
    for (const [k, v] of Object.entries(header.pax ?? {})) {
      if (k === OPAQUE_XATTR) opaque = v === 'y'
      else if (k.startsWith('SCHILY.xattr.') && !k.startsWith('SCHILY.xattr.trusted.overlay.')) pax[k] = v
    }
    const out = {
      ...base,
      name,
      type: header.type,
      mode: header.mode,
      size: header.type === 'file' || header.type === 'contiguous-file' ? header.size : 0,
      ...(header.linkname ? { linkname: (header.type === 'link' ? stripDot(header.linkname) : header.linkname) as string } : {}),
      ...(header.type === 'character-device' || header.type === 'block-device' ? { devmajor: header.devmajor, devminor: header.devminor } : {}),
      ...(Object.keys(pax).length > 0 ? { pax } : {}),
    } as Headers
    if (out.type === 'file' || out.type === 'contiguous-file') {
      out.type = 'file'
      if (!out.size) {
        stream.resume()
        pack.entry(out, EMPTY, done)
        return
      }
      stream.pipe(pack.entry(out, done) as unknown as NodeJS.WritableStream)
      return
    }
    stream.resume()
    pack.entry(out, (err) => {
      if (err || !opaque || header.type !== 'directory') return done(err)
      const dirName = name.endsWith('/') ? name : name + '/'
      pack.entry({ ...base, name: `${dirName}.wh..wh..opq`, type: 'file', mode: (header.mode ?? 0o755) & 0o777, size: 0 }, EMPTY, done)
    })
  })
  extract.on('finish', () => pack.finalize())
  extract.on('error', (err) => pack.destroy(err))
  ;(input as Readable).on('error', (err: Error) => extract.destroy(err))
  input.pipe(extract)
  return pack as unknown as Readable
}

/**
 * Archives an overlay upper dir with tar(1) (`exec` runs the argv) into `tarFile`, hands the OCI layer
 * made from it to `consume` (typically a committer storing and unpacking it), and removes the file.
 */
export async function withUpperDirLayer<T>(
  upperDir: string, tarFile: string, exec: (argv: string[]) => Promise<void>, consume: (layer: Readable) => Promise<T>, opts: OciLayerOptions = {},
): Promise<T> {
  try {
    await exec(overlayTarArgv(upperDir, tarFile))
    return await consume(overlayToOciLayer(createReadStream(tarFile), opts))
  } finally {
    await rm(tarFile, { force: true })
  }
}

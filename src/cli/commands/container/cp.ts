import { createReadStream, createWriteStream } from 'node:fs'
import { lstat, mkdir, readdir, readlink, stat, symlink } from 'node:fs/promises'
import { basename, dirname, join, normalize, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import tar from 'tar-stream'
import { EngineError } from '../../../common/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'

/** "ctr:/path" → { container, path }; a local path (no colon before the first slash) → { path }. */
export function splitCpArg(arg: string): { container?: string; path: string } {
  if (arg.startsWith('/') || arg.startsWith('.') || arg === '-') return { path: arg }
  const colon = arg.indexOf(':')
  if (colon <= 0) return { path: arg }
  return { container: arg.slice(0, colon), path: arg.slice(colon + 1) }
}

const human = (n: number): string => {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let i = 0
  let v = n
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000
    i++
  }
  return `${i === 0 ? v : v.toFixed(2).replace(/\.?0+$/, '')}${units[i]}`
}

/** `berth cp`: docker cp both ways, with `-` for a tar on stdin/stdout. */
export const cpCommand: CommandHandler = async (ctx, [srcArg = '', dstArg = ''], options) => {
  const { archive: copyUidGid, followLink } = options as { archive?: boolean; followLink?: boolean }
  const src = splitCpArg(srcArg)
  const dst = splitCpArg(dstArg)
  if (src.container && dst.container) throw new CliError('copying between containers is not supported', 1)
  if (!src.container && !dst.container) throw new CliError('must specify at least one container source', 1)
  if ((src.container && src.path === '') || (dst.container && dst.path === '')) throw new CliError('filepath cannot be empty', 1)
  const client = ctx.client()
  if (src.container) {
    let path = src.path
    if (followLink) {
      const st = await client.containerArchiveStat(src.container, path)
      if (st.linkTarget) path = st.linkTarget
    }
    const { content } = await client.containerArchive(src.container, path)
    if (dst.path === '-') {
      await pipeline(content, ctx.io.stdout)
      return
    }
    const bytes = await extractLocal(content, dst.path, basename(path.endsWith('/.') ? '.' : path))
    ctx.io.stderr.write(`Successfully copied ${human(bytes)} to ${dst.path}\n`)
    return
  }
  const container = dst.container!
  if (src.path === '-') {
    await client.containerExtract(container, dst.path, ctx.io.stdin as Readable, { copyUidGid })
    return
  }
  let local
  try {
    local = await lstat(src.path)
  } catch {
    throw new CliError(`lstat ${resolve(src.path)}: no such file or directory`, 1)
  }
  // Into an existing directory, or as a new name inside an existing parent.
  let targetDir = dst.path
  let name = basename(resolve(src.path))
  try {
    const st = await client.containerArchiveStat(container, dst.path)
    if (st.mode < 2 ** 31 && !dst.path.endsWith('/')) {
      // An existing file is replaced: extract into its directory under its name.
      targetDir = dirname(dst.path)
      name = basename(dst.path)
    }
  } catch (err) {
    if (!(err instanceof EngineError) || err.kind !== 'NotFound') throw err
    if (dst.path.endsWith('/')) throw new CliError(`no such directory: ${dst.path}`, 1)
    targetDir = dirname(dst.path)
    name = basename(dst.path)
  }
  const pack = tar.pack()
  let bytes = 0
  const packing = (async () => {
    bytes = await addLocal(pack, src.path.endsWith(`${sep}.`) ? dirname(src.path) : src.path, src.path.endsWith(`${sep}.`) ? '.' : name, local.isDirectory())
    pack.finalize()
  })()
  packing.catch((err: unknown) => pack.destroy(err as Error))
  await client.containerExtract(container, targetDir, pack as unknown as Readable, { copyUidGid })
  await packing
  ctx.io.stderr.write(`Successfully copied ${human(bytes)} to ${container}:${dst.path}\n`)
}

/** Tars a local path as `name` (a directory with its tree); returns the bytes of file content. */
async function addLocal(pack: tar.Pack, host: string, name: string, _isDir: boolean): Promise<number> {
  const st = await lstat(host)
  const header = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime }
  const add = (h: Parameters<tar.Pack['entry']>[0], body?: Readable): Promise<void> => new Promise((res, rej) => {
    const e = pack.entry(h, (err) => (err ? rej(err) : res()))
    if (body) body.pipe(e)
  })
  if (st.isDirectory()) {
    await add({ ...header, type: 'directory' })
    let total = 0
    for (const child of (await readdir(host)).sort()) total += await addLocal(pack, join(host, child), name === '.' ? child : `${name}/${child}`, false)
    return total
  }
  if (st.isSymbolicLink()) {
    await add({ ...header, type: 'symlink', linkname: await readlink(host) })
    return 0
  }
  if (st.isFile()) {
    await add({ ...header, type: 'file', size: st.size }, createReadStream(host))
    return st.size
  }
  return 0
}

/**
 * Extracts the archive of a container path to `dest`: into it when it is an existing directory,
 * else as `dest` itself (its parent must exist). Entry names never leave the destination.
 */
async function extractLocal(content: Readable, dest: string, srcBase: string): Promise<number> {
  let intoDir = false
  try {
    intoDir = (await stat(dest)).isDirectory()
  } catch {
    try {
      await stat(dirname(resolve(dest)))
    } catch {
      throw new CliError(`no such directory: ${dirname(resolve(dest))}`, 1)
    }
  }
  const root = intoDir ? resolve(dest) : dirname(resolve(dest))
  const rename = intoDir || srcBase === '.' ? undefined : { from: srcBase, to: basename(resolve(dest)) }
  let bytes = 0
  const extract = tar.extract()
  const done = new Promise<void>((res, rej) => {
    extract.on('entry', (header, stream, next) => {
      let name = normalize(header.name).replace(/^(\.\.(\/|$))+/, '').replace(/^\/+/, '')
      if (rename && (name === rename.from || name.startsWith(`${rename.from}/`))) name = rename.to + name.slice(rename.from.length)
      if (srcBase === '.' && !intoDir) name = join(basename(resolve(dest)), name)
      const target = join(root, name)
      if (target !== root && !target.startsWith(root + sep)) {
        stream.resume()
        next()
        return
      }
      const write = async (): Promise<void> => {
        if (header.type === 'directory') {
          await mkdir(target, { recursive: true, mode: header.mode })
          stream.resume()
        } else if (header.type === 'symlink') {
          await mkdir(dirname(target), { recursive: true })
          await symlink(header.linkname ?? '', target).catch(() => undefined)
          stream.resume()
        } else if (header.type === 'file') {
          await mkdir(dirname(target), { recursive: true })
          bytes += header.size ?? 0
          await pipeline(stream, createWriteStream(target, { mode: header.mode }))
        } else {
          stream.resume()
        }
      }
      write().then(() => next(), rej)
    })
    extract.on('finish', res)
    extract.on('error', rej)
  })
  content.pipe(extract)
  await done
  return bytes
}

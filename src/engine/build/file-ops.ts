/**
 * Files for COPY and ADD: resolving sources in the build context (globs, never outside it, not
 * even through a symlink), hashing what a step copies (the cache key covers only those files), and
 * copying into a mounted rootfs with Docker's directory semantics, ownership and modes.
 */
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import * as fsp from 'node:fs/promises'
import { chmod, lchown, lstat, mkdir, rm, symlink, utimes, lutimes } from 'node:fs/promises'
import { join, posix } from 'node:path'
import { EngineError } from '../../common/index.js'
import { resolveInRootfs } from '../containers/index.js'

export function buildError(message: string): EngineError {
  return new EngineError('InvalidArgument', 'BUILD_FAILED', message)
}

/**
 * Host path of `path` under `root` with symlinks resolved inside root. With `strict`, a symlink
 * that leads outside root is an error (the build context); otherwise it is clamped to root, as a
 * container would see it (a rootfs).
 */
export async function resolveInRoot(root: string, path: string, strict: boolean, shown = path): Promise<string> {
  return resolveInRootfs(root, path, {
    onTooManyLinks: () => buildError(`too many levels of symbolic links: ${shown}`),
    ...(strict ? {
      onEscape: (target: string | undefined) => buildError(`forbidden path outside the build context: ${shown}${target === undefined ? '' : ` (a symlink to ${target})`}`),
    } : {}),
  })
}

/** What COPY/ADD need to know of a source file (node's Stats has it). */
export interface SourceStat {
  mode: number
  size: number
  uid: number
  gid: number
  atime: Date
  mtime: Date
  isDirectory(): boolean
  isFile(): boolean
  isSymbolicLink(): boolean
}

/**
 * Where COPY/ADD read their sources: a directory on disk (a mounted rootfs, COPY --from) or the
 * build context held in memory (ContextTree). Paths are absolute; errors carry node's codes.
 */
export interface SourceFs {
  /** resolveInRoot() for this file system (`path` relative to `root`). */
  resolve(path: string, strict: boolean, shown?: string): Promise<string>
  lstat(path: string): Promise<SourceStat>
  readdir(path: string): Promise<string[]>
  readlink(path: string): Promise<string>
  /** A file's content, in pieces. */
  chunks(path: string): AsyncIterable<Buffer>
  /** sha256 (hex) of a file's content. */
  digest(path: string): Promise<string>
  /** Writes the file's content to `dest` on disk (mode set by the caller). */
  copyFile(src: string, dest: string): Promise<void>
  /** A path on disk with the file's content, for host tools (tar -x). */
  hostFile(path: string): Promise<string>
}

/** The SourceFs of a directory on disk. */
export function diskFs(root: string): SourceFs {
  async function* chunks(path: string): AsyncGenerator<Buffer> {
    // Small files in one read (a stream costs a thread-pool round trip per 64 kB).
    if ((await lstat(path)).size <= 8 << 20) yield await fsp.readFile(path)
    else for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) yield chunk as Buffer
  }
  return {
    resolve: (path, strict, shown) => resolveInRoot(root, path, strict, shown),
    lstat: (path) => lstat(path),
    readdir: (path) => fsp.readdir(path),
    readlink: (path) => fsp.readlink(path),
    chunks,
    async digest(path) {
      const hash = createHash('sha256')
      for await (const chunk of chunks(path)) hash.update(chunk)
      return hash.digest('hex')
    },
    copyFile: (src, dest) => fsp.copyFile(src, dest),
    hostFile: async (path) => path,
  }
}

function globToRegExp(glob: string): RegExp {
  let re = '^'
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string
    if (ch === '*') re += '[^/]*'
    else if (ch === '?') re += '[^/]'
    else if (ch === '[') {
      const end = glob.indexOf(']', i + 2)
      if (end < 0) re += '\\['
      else {
        let cls = glob.slice(i + 1, end)
        if (cls.startsWith('^') || cls.startsWith('!')) cls = '^' + cls.slice(1)
        re += '[' + cls + ']'
        i = end
      }
    } else if (ch === '\\' && i + 1 < glob.length) re += '\\' + glob[++i]
    else re += ch.replace(/[.+^${}()|\]\\/]/g, '\\$&')
  }
  return new RegExp(re + '$')
}

export interface ContextSource {
  /** Path as shown in messages and hashed ("app/main.js"). */
  rel: string
  host: string
}

/**
 * The context files a COPY source names: a cleaned relative path or a glob (filepath.Match rules
 * per path segment). Errors: outside the context (`../x`, or through a symlink leading out) and
 * nothing found, in Docker's words.
 */
export async function resolveSources(root: string, source: string, strict: boolean, instruction: string, fs: SourceFs = diskFs(root)): Promise<ContextSource[]> {
  const cleaned = posix.normalize('/' + source).slice(1)
  if (strict && (posix.normalize(source).startsWith('../') || posix.normalize(source) === '..')) {
    throw buildError(`${instruction} failed: forbidden path outside the build context: ${source} ()`)
  }
  const rel = cleaned === '' ? '.' : cleaned.replace(/\/$/, '')
  if (!/[*?[]/.test(rel)) {
    const host = await fs.resolve(rel === '.' ? '' : rel, strict, source).catch((err: unknown) => {
      if (err instanceof EngineError) throw buildError(`${instruction} failed: ${err.message}`)
      throw err
    })
    if (!(await exists(fs, host))) {
      throw buildError(`${instruction} failed: file not found in build context or excluded by .dockerignore: stat ${source}: file does not exist`)
    }
    return [{ rel, host }]
  }
  const parts = rel.split('/')
  let current: ContextSource[] = [{ rel: '', host: root }]
  for (const part of parts) {
    const next: ContextSource[] = []
    const re = /[*?[]/.test(part) ? globToRegExp(part) : undefined
    for (const dir of current) {
      if (!re) {
        const host = await fs.resolve(dir.rel ? `${dir.rel}/${part}` : part, strict, source)
        if (await exists(fs, host)) next.push({ rel: dir.rel ? `${dir.rel}/${part}` : part, host })
        continue
      }
      let names: string[] = []
      try {
        names = (await fs.readdir(dir.host)).sort()
      } catch {
        continue
      }
      for (const name of names) {
        if (!re.test(name)) continue
        const childRel = dir.rel ? `${dir.rel}/${name}` : name
        try {
          next.push({ rel: childRel, host: await fs.resolve(childRel, strict, childRel) })
        } catch (err) {
          if (err instanceof EngineError) throw buildError(`${instruction} failed: ${err.message}`)
          throw err
        }
      }
    }
    current = next
  }
  return current
}

async function exists(fs: SourceFs, path: string): Promise<boolean> {
  try {
    await fs.lstat(path)
    return true
  } catch {
    return false
  }
}

/**
 * sha256 over each file's relative path, type, permissions, size, link target and content digest
 * (per file, so the context's files can be hashed while they arrive).
 */
export async function hashSources(sources: readonly ContextSource[], fs: SourceFs = diskFs('/')): Promise<string> {
  const hash = createHash('sha256')
  const visit = async (host: string, rel: string): Promise<void> => {
    const st = await fs.lstat(host)
    const mode = (st.mode & 0o7777).toString(8)
    if (st.isSymbolicLink()) {
      hash.update(`L\0${rel}\0${mode}\0${await fs.readlink(host)}\0`)
    } else if (st.isDirectory()) {
      hash.update(`D\0${rel}\0${mode}\0`)
      for (const name of (await fs.readdir(host)).sort()) await visit(join(host, name), `${rel}/${name}`)
    } else if (st.isFile()) {
      hash.update(`F\0${rel}\0${mode}\0${st.size}\0${await fs.digest(host)}\0`)
    }
  }
  for (const s of sources) await visit(s.host, s.rel)
  return hash.digest('hex')
}

const disk = diskFs('/')

export interface CopyOwner {
  uid: number
  gid: number
}

export interface CopyOptions {
  /** undefined: keep the source's uid/gid (COPY --from); context files always get 0:0 or --chown. */
  owner?: CopyOwner
  /** --chmod: applied to every file and directory copied. */
  mode?: number
}

/** Creates missing directories of `dir` (a host path under rootfs, already resolved) like MkdirAll. */
export async function mkdirAll(dir: string, owner: CopyOwner | undefined): Promise<void> {
  const missing: string[] = []
  for (let d = dir; !(await exists(disk, d)); d = posix.dirname(d)) missing.unshift(d)
  for (const d of missing) {
    await mkdir(d, { mode: 0o755 })
    await chmod(d, 0o755)
    if (owner) await lchown(d, owner.uid, owner.gid)
  }
}

/** Copies `src` (file, dir contents, or symlink) to the host path `dest`, overwriting files. */
export async function copyTree(src: string, dest: string, opts: CopyOptions, fs: SourceFs = disk): Promise<void> {
  const st = await fs.lstat(src)
  const own = (path: string): Promise<void> => lchown(path, opts.owner?.uid ?? st.uid, opts.owner?.gid ?? st.gid)
  if (st.isDirectory()) {
    let destSt
    try {
      destSt = await lstat(dest)
    } catch {
      destSt = undefined
    }
    if (destSt && !destSt.isDirectory()) await rm(dest, { force: true })
    if (!destSt || !destSt.isDirectory()) await mkdir(dest)
    await chmod(dest, opts.mode ?? st.mode & 0o7777)
    await own(dest)
    for (const name of (await fs.readdir(src)).sort()) await copyTree(join(src, name), join(dest, name), opts, fs)
    await utimes(dest, st.atime, st.mtime)
    return
  }
  await rm(dest, { recursive: true, force: true })
  if (st.isSymbolicLink()) {
    await symlink(await fs.readlink(src), dest)
    await own(dest)
    await lutimes(dest, st.atime, st.mtime)
    return
  }
  if (!st.isFile()) return
  await fs.copyFile(src, dest)
  await chmod(dest, opts.mode ?? st.mode & 0o7777)
  await own(dest)
  await utimes(dest, st.atime, st.mtime)
}

/** True when the first bytes are a tar archive, plain or compressed (ADD extracts these). */
export function looksLikeArchive(head: Buffer): boolean {
  if (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return true
  if (head[0] === 0x1f && head[1] === 0x8b) return true
  if (head.subarray(0, 3).toString('latin1') === 'BZh') return true
  if (head.length >= 6 && head.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return true
  return false
}

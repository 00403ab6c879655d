/**
 * COPY and ADD: which files a step copies (context, another stage or image, heredocs, ADD URLs),
 * their content hash for the cache, and the copy itself into a mounted rootfs with Docker's rules:
 * a directory source copies its contents; a destination ending in "/" (or several sources) is a
 * directory; ADD extracts local tar archives. Sources never leave the context.
 */
import { createWriteStream } from 'node:fs'
import { lstat, mkdir, readFile, utimes, writeFile } from 'node:fs/promises'
import { basename, join, posix } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { resolveUser } from '../containers/index.js'
import type { Heredoc } from './dockerfile-parser.js'
import type { UrlFetcher } from './types.js'
import { buildError, copyTree, diskFs, hashSources, looksLikeArchive, mkdirAll, resolveInRoot, resolveSources, type ContextSource, type CopyOwner, type SourceFs } from './file-ops.js'

export interface CopyPlan {
  sources: ContextSource[]
  /** "file:<hex>", "dir:<hex>" or "multi:<hex>", as in the classic builder's history. */
  description: string
  /** Sources that are ADD archives to extract. */
  archives: Set<string>
  /** False for files from another stage or image (their ownership is kept without --chown). */
  fromContext: boolean
  /** Where the sources are read (heredoc and URL files: on disk). */
  fs: SourceFs
}

/** Files named by the step: heredocs and URLs are first written under `scratchDir`. */
export async function planCopy(opts: {
  kind: 'COPY' | 'ADD'
  sources: string[]
  heredocs: Heredoc[]
  /** Context dir, or the mounted rootfs of --from. */
  root: string
  /** The file system `root` is in (default: the disk). */
  fs?: SourceFs
  fromContext: boolean
  scratchDir: string
  expandHeredoc: (text: string) => string
  signal?: AbortSignal
  /** Fetches ADD <url> sources (default: the global fetch). */
  fetchUrl?: UrlFetcher
}): Promise<CopyPlan> {
  const sources: ContextSource[] = []
  const archives = new Set<string>()
  const fs = opts.fs ?? diskFs(opts.root)
  // Heredoc and URL files are on disk, in the scratch dir: read them there.
  const onDisk = new Set<string>()
  for (const src of opts.sources) {
    const heredoc = opts.heredocs.find((h) => src === `<<${h.name}` || src === `<<-${h.name}` || src.replace(/["']/g, '') === `<<${h.name}` || src.replace(/["']/g, '') === `<<-${h.name}`)
    if (heredoc) {
      await mkdir(opts.scratchDir, { recursive: true })
      const host = join(opts.scratchDir, heredoc.name)
      await writeFile(host, heredoc.expand ? opts.expandHeredoc(heredoc.content) : heredoc.content, { mode: 0o644 })
      sources.push({ rel: heredoc.name, host })
      onDisk.add(host)
      continue
    }
    if (/^https?:\/\//.test(src)) {
      if (opts.kind !== 'ADD') throw buildError(`COPY failed: source can't be a URL for COPY`)
      const file = await download(opts.fetchUrl ?? globalFetch, src, opts.scratchDir, opts.signal)
      sources.push(file)
      onDisk.add(file.host)
      continue
    }
    const found = await resolveSources(opts.root, src, opts.fromContext, opts.kind, fs)
    if (found.length === 0) {
      throw buildError(`${opts.kind} failed: no source files were specified`)
    }
    for (const f of found) {
      sources.push(f)
      if (opts.kind === 'ADD' && opts.fromContext && (await isArchive(fs, f.host))) archives.add(f.host)
    }
  }
  const sourceFs = onDisk.size === 0 ? fs : mixedFs(fs, onDisk)
  const hash = await hashSources(sources, sourceFs)
  let description = `multi:${hash}`
  if (sources.length === 1) {
    const st = await sourceFs.lstat((sources[0] as ContextSource).host)
    description = `${st.isDirectory() ? 'dir' : 'file'}:${hash}`
  }
  return { sources, description, archives, fromContext: opts.fromContext, fs: sourceFs }
}

/** `fs`, except for the files in `onDisk` (and what is under them), read from the disk. */
function mixedFs(fs: SourceFs, onDisk: ReadonlySet<string>): SourceFs {
  const disk = diskFs('/')
  const pick = (path: string): SourceFs => ([...onDisk].some((p) => path === p || path.startsWith(p + '/')) ? disk : fs)
  return {
    resolve: (path, strict, shown) => fs.resolve(path, strict, shown),
    lstat: (path) => pick(path).lstat(path),
    readdir: (path) => pick(path).readdir(path),
    readlink: (path) => pick(path).readlink(path),
    chunks: (path) => pick(path).chunks(path),
    digest: (path) => pick(path).digest(path),
    copyFile: (src, dest) => pick(src).copyFile(src, dest),
    hostFile: (path) => pick(path).hostFile(path),
  }
}

async function isArchive(fs: SourceFs, path: string): Promise<boolean> {
  const st = await fs.lstat(path)
  if (!st.isFile()) return false
  const parts: Buffer[] = []
  let n = 0
  for await (const chunk of fs.chunks(path)) {
    parts.push(chunk)
    n += chunk.length
    if (n >= 512) break
  }
  return looksLikeArchive(Buffer.concat(parts).subarray(0, 512))
}

/** UrlFetcher over the global fetch (node's default roots, and NODE_EXTRA_CA_CERTS only when node loaded it at start-up). */
const globalFetch: UrlFetcher = async (url, signal) => {
  const res = await fetch(url, signal ? { signal } : {})
  const lastModified = res.headers.get('last-modified')
  return {
    status: res.status,
    statusText: res.statusText,
    ...(lastModified ? { lastModified } : {}),
    body: res.body ? Readable.fromWeb(res.body as import('node:stream/web').ReadableStream) : Readable.from([]),
  }
}

/** ADD <url>: fetched by berthd into the scratch dir, mode 0600, named after the URL's last segment. */
async function download(fetchUrl: UrlFetcher, url: string, scratchDir: string, signal?: AbortSignal): Promise<ContextSource> {
  let res: Awaited<ReturnType<UrlFetcher>>
  try {
    res = await fetchUrl(url, signal)
  } catch (err) {
    throw buildError(`ADD failed: cannot fetch ${url}: ${(err as Error).message}`)
  }
  if (res.status < 200 || res.status > 299) {
    await discard(res.body)
    throw buildError(`ADD failed: cannot fetch ${url}: ${res.status} ${res.statusText}`)
  }
  const name = basename(new URL(url).pathname) || 'index.html'
  const dir = join(scratchDir, `url-${Math.random().toString(16).slice(2)}`)
  await mkdir(dir, { recursive: true })
  const host = join(dir, name)
  await pipeline(res.body, createWriteStream(host, { mode: 0o600 }))
  const modified = res.lastModified
  if (modified && !Number.isNaN(Date.parse(modified))) {
    await utimes(host, new Date(modified), new Date(modified))
  }
  return { rel: name, host }
}

/** Releases a body without reading it (leaving a for-await loop destroys the stream). */
async function discard(body: AsyncIterable<Uint8Array>): Promise<void> {
  try {
    for await (const _ of body) break
  } catch {
    // the status is the error reported
  }
}

/** Resolves `--chown=user:group` against the rootfs' /etc/passwd and /etc/group. */
export async function resolveOwner(rootfs: string, chown: string | undefined): Promise<CopyOwner | undefined> {
  if (chown === undefined) return undefined
  const read = async (p: string): Promise<string | undefined> => readFile(await resolveInRoot(rootfs, p, false), 'utf8').catch(() => undefined)
  const user = resolveUser(chown, await read('/etc/passwd'), await read('/etc/group'))
  // A user given without group gets the user's primary group (or its uid when numeric and unknown).
  const gid = chown.includes(':') ? user.gid : /^\d+$/.test(chown) && user.gid === 0 && user.uid !== 0 ? user.uid : user.gid
  return { uid: user.uid, gid }
}

/** Copies a plan into the mounted rootfs at `dest` (absolute, in the image). */
export async function executeCopy(opts: {
  plan: CopyPlan
  rootfs: string
  dest: string
  owner: CopyOwner | undefined
  mode: number | undefined
  exec: (argv: string[]) => Promise<void>
}): Promise<void> {
  const { plan, rootfs, dest } = opts
  const fs = plan.fs
  const owner = opts.owner ?? (plan.fromContext ? { uid: 0, gid: 0 } : undefined)
  const copyOpts = { ...(owner ? { owner } : {}), ...(opts.mode !== undefined ? { mode: opts.mode } : {}) }
  const destHost = await resolveInRoot(rootfs, dest, false)
  let destIsDir = dest.endsWith('/') || plan.sources.length > 1
  if (!destIsDir) {
    try {
      destIsDir = (await lstat(destHost)).isDirectory()
    } catch {
      destIsDir = false
    }
  }
  for (const src of plan.sources) {
    const st = await fs.lstat(src.host)
    if (plan.archives.has(src.host)) {
      await mkdirAll(destHost, opts.owner)
      await opts.exec(['tar', '-x', '-f', await fs.hostFile(src.host), '-C', destHost, '--numeric-owner', '--same-owner', '-p', '--no-overwrite-dir'])
      continue
    }
    if (st.isDirectory()) {
      await mkdirAll(destHost, opts.owner)
      for (const name of (await fs.readdir(src.host)).sort()) {
        const target = await resolveInRoot(rootfs, posix.join(dest, name), false)
        await copyTree(join(src.host, name), target, copyOpts, fs)
      }
      continue
    }
    const targetPath = destIsDir ? posix.join(dest, basename(src.rel)) : dest
    const target = await resolveInRoot(rootfs, targetPath, false)
    await mkdirAll(posix.dirname(target), opts.owner)
    await copyTree(src.host, target, copyOpts, fs)
  }
}

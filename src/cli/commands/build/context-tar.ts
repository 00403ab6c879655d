/**
 * The build context as the docker CLI sends it: a tar of the context directory (sorted, owners
 * zeroed) without what .dockerignore excludes (the Dockerfile and .dockerignore always go: the daemon
 * reads them, then drops them if excluded), plus the Dockerfile under a generated name when it lives
 * outside the context or comes from stdin.
 *
 * With berth's context transfer (berthd's POST /berth/build/context), regular files also carry a
 * fingerprint of their stat in a PAX record, and those the daemon already holds under the same name
 * and fingerprint go as cached entries: the header without the data.
 */
import { createHash } from 'node:crypto'
import { createReadStream, type BigIntStats } from 'node:fs'
import { lstat, readdir, readFile, readlink, realpath } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import tarStream from 'tar-stream'
import type { DockerIgnore } from '../../../common/index.js'

/** PAX records of berth's context transfer (engine/build/context-tree.ts reads them). */
const FINGERPRINT_PAX = 'BERTH.fingerprint'
const CACHED_PAX = 'BERTH.cached'

export interface ContextEntry {
  /** Path in the archive. */
  name: string
  /** Path on this host. */
  host: string
  stat: BigIntStats
  linkname?: string
}

export interface ContextWalkOptions {
  ignore?: DockerIgnore
  /** Paths sent even when ignored (the Dockerfile, .dockerignore). */
  keep?: ReadonlySet<string>
}

export interface ContextTarOptions extends ContextWalkOptions {
  /** undefined: no directory, only `extra` (a Dockerfile read from stdin). */
  dir: string | undefined
  /** The directory's entries, walked already (walkContext); else contextTar walks `dir`. */
  entries?: readonly ContextEntry[]
  /** Extra files (name in the archive -> content), e.g. a Dockerfile from stdin. */
  extra?: Record<string, Buffer>
  /** Regular files' fingerprints (name -> fingerprint), sent as PAX records. */
  fingerprints?: ReadonlyMap<string, string>
  /** Fingerprinted files sent without their data: the daemon has them. */
  cached?: ReadonlySet<string>
}

const EMPTY = Buffer.alloc(0)

/** Files up to this size are read at once. */
const WHOLE_FILE_MAX = 8 << 20

/** The context directory's entries in archive order (sorted, depth first), .dockerignore applied. */
export async function walkContext(dir: string, opts: ContextWalkOptions = {}): Promise<ContextEntry[]> {
  const out: ContextEntry[] = []
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(dir, rel))).sort()
    for (const name of names) {
      const childRel = rel ? `${rel}/${name}` : name
      const host = join(dir, childRel)
      const stat = await lstat(host, { bigint: true })
      if (opts.ignore?.ignores(childRel) && !opts.keep?.has(childRel)) {
        if (stat.isDirectory() && opts.ignore.mayReinclude(childRel)) await walk(childRel)
        continue
      }
      if (stat.isDirectory()) {
        out.push({ name: childRel, host, stat })
        await walk(childRel)
      } else if (stat.isSymbolicLink()) {
        out.push({ name: childRel, host, stat, linkname: await readlink(host) })
      } else if (stat.isFile()) {
        out.push({ name: childRel, host, stat })
      }
    }
  }
  await walk('')
  return out
}

/** Files changed this recently may change again within the clock's granularity: never cached. */
const SETTLED_NS = 2_000_000_000n

/**
 * A regular file's fingerprint: what must stay the same for its content to be taken as unchanged
 * (size, modification and change times in ns, inode, device, mode), or undefined for a file changed
 * in the last 2 s (a later write in the same clock tick could leave every field the same).
 */
export function fingerprintOf(st: BigIntStats, nowNs: bigint): string | undefined {
  const changed = st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs
  if (nowNs - changed < SETTLED_NS) return undefined
  return `${st.size}:${st.mtimeNs}:${st.ctimeNs}:${st.ino}:${st.dev}:${st.mode}`
}

/** Fingerprints of the entries' regular files (those changed just now are left out). */
export function fingerprints(entries: readonly ContextEntry[], nowNs = BigInt(Date.now()) * 1_000_000n): Map<string, string> {
  const out = new Map<string, string>()
  for (const e of entries) {
    if (!e.stat.isFile()) continue
    const fp = fingerprintOf(e.stat, nowNs)
    if (fp !== undefined) out.set(e.name, fp)
  }
  return out
}

/** The context's key for berth's context transfer: this host and the directory's real path. */
export async function contextKeyOf(dir: string): Promise<string> {
  return createHash('sha256').update(`${hostname()}\0${await realpath(dir)}`).digest('hex')
}

/** Streams the context archive; errors reading the directory end the stream with that error. */
export function contextTar(opts: ContextTarOptions): Readable {
  const pack = tarStream.pack()
  const add = (header: Partial<tarStream.Header> & { name: string }, data?: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      if (data) pack.entry(header as tarStream.Header, data, (err) => (err ? reject(err) : resolve()))
      else pack.entry(header as tarStream.Header, (err) => (err ? reject(err) : resolve()))
    })
  const send = async (e: ContextEntry): Promise<void> => {
    const st = e.stat
    const base = { name: e.name, mode: Number(st.mode & 0o7777n), mtime: st.mtime, uid: 0, gid: 0 }
    if (st.isDirectory()) return add({ ...base, type: 'directory' })
    if (st.isSymbolicLink()) return add({ ...base, type: 'symlink', linkname: e.linkname ?? '' })
    const size = Number(st.size)
    const fingerprint = opts.fingerprints?.get(e.name)
    const pax = fingerprint === undefined ? undefined : { [FINGERPRINT_PAX]: fingerprint }
    if (pax && opts.cached?.has(e.name)) return add({ ...base, type: 'file', size: 0, pax: { ...pax, [CACHED_PAX]: '1' } }, EMPTY)
    const header = { ...base, type: 'file' as const, size, ...(pax ? { pax } : {}) }
    if (size <= WHOLE_FILE_MAX) {
      // One read instead of a stream (a thread-pool round trip per 64 kB chunk).
      const data = await readFile(e.host)
      if (data.length !== size) throw new Error(`${e.host} changed while it was being sent`)
      return add(header, data)
    }
    await new Promise<void>((resolve, reject) => {
      const entry = pack.entry(header, (err) => (err ? reject(err) : resolve()))
      const src = createReadStream(e.host)
      src.on('error', reject)
      src.pipe(entry as unknown as NodeJS.WritableStream)
    })
  }
  ;(async () => {
    const entries = opts.entries ?? (opts.dir === undefined ? [] : await walkContext(opts.dir, opts))
    for (const e of entries) await send(e)
    for (const [name, data] of Object.entries(opts.extra ?? {})) await add({ name, mode: 0o644, type: 'file', mtime: new Date() }, data)
    pack.finalize()
  })().catch((err: Error) => pack.destroy(err))
  return pack as unknown as Readable
}

/**
 * The build context as the docker CLI sends it: a tar of the context directory (sorted, owners
 * zeroed) without what .dockerignore excludes (the Dockerfile and .dockerignore always go: the daemon
 * reads them, then drops them if excluded), plus the Dockerfile under a generated name when it lives
 * outside the context or comes from stdin.
 */
import { createReadStream } from 'node:fs'
import { lstat, readdir, readFile, readlink } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import tarStream from 'tar-stream'
import type { DockerIgnore } from '../../../common/index.js'

export interface ContextTarOptions {
  /** undefined: no directory, only `extra` (a Dockerfile read from stdin). */
  dir: string | undefined
  /** Extra files (name in the archive -> content), e.g. a Dockerfile from stdin. */
  extra?: Record<string, Buffer>
  ignore?: DockerIgnore
  /** Paths sent even when ignored (the Dockerfile, .dockerignore). */
  keep?: ReadonlySet<string>
}

/** Files up to this size are read at once. */
const WHOLE_FILE_MAX = 8 << 20

/** Streams the context archive; errors reading the directory end the stream with that error. */
export function contextTar(opts: ContextTarOptions): Readable {
  const pack = tarStream.pack()
  const add = (header: Partial<tarStream.Header> & { name: string }, data?: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      if (data) pack.entry(header as tarStream.Header, data, (err) => (err ? reject(err) : resolve()))
      else pack.entry(header as tarStream.Header, (err) => (err ? reject(err) : resolve()))
    })
  const walk = async (rel: string): Promise<void> => {
    if (opts.dir === undefined) return
    const names = (await readdir(join(opts.dir, rel))).sort()
    for (const name of names) {
      const childRel = rel ? `${rel}/${name}` : name
      const host = join(opts.dir, childRel)
      const st = await lstat(host)
      if (opts.ignore?.ignores(childRel) && !opts.keep?.has(childRel)) {
        if (st.isDirectory() && opts.ignore.mayReinclude(childRel)) await walk(childRel)
        continue
      }
      const base = { name: childRel, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0 }
      if (st.isDirectory()) {
        await add({ ...base, type: 'directory' })
        await walk(childRel)
      } else if (st.isSymbolicLink()) {
        await add({ ...base, type: 'symlink', linkname: await readlink(host) })
      } else if (st.isFile() && st.size <= WHOLE_FILE_MAX) {
        // One read instead of a stream (a thread-pool round trip per 64 kB chunk).
        const data = await readFile(host)
        if (data.length !== st.size) throw new Error(`${host} changed while it was being sent`)
        await add({ ...base, type: 'file', size: st.size }, data)
      } else if (st.isFile()) {
        await new Promise<void>((resolve, reject) => {
          const entry = pack.entry({ ...base, type: 'file', size: st.size }, (err) => (err ? reject(err) : resolve()))
          const src = createReadStream(host)
          src.on('error', reject)
          src.pipe(entry as unknown as NodeJS.WritableStream)
        })
      }
    }
  }
  ;(async () => {
    await walk('')
    for (const [name, data] of Object.entries(opts.extra ?? {})) await add({ name, mode: 0o644, type: 'file', mtime: new Date() }, data)
    pack.finalize()
  })().catch((err: Error) => pack.destroy(err))
  return pack as unknown as Readable
}

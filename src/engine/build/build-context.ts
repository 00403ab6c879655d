/**
 * The build context: a tar stream (plain or compressed) unpacked into a private directory, with
 * `.dockerignore` applied the way dockerd applies it to an archive it receives (ignored files are
 * removed; the Dockerfile is read first, so it may be ignored and still used). Entries that would
 * land outside the directory are refused; ownership is not kept (COPY gives 0:0 anyway).
 */
import { createWriteStream } from 'node:fs'
import { chmod, lstat, mkdir, readdir, readFile, rm, symlink, link, utimes, writeFile } from 'node:fs/promises'
import { dirname, join, posix } from 'node:path'
import { pipeline } from 'node:stream/promises'
import type { Readable } from 'node:stream'
import tarStream from 'tar-stream'
import { decompressStream } from '../images/index.js'
import { DockerIgnore } from '../../common/index.js'
import { buildError } from './file-ops.js'

/** Files up to this size are gathered in memory and written at once. */
const WHOLE_FILE_MAX = 8 << 20

function cleanName(name: string): string | undefined {
  const n = posix.normalize('/' + name).slice(1).replace(/\/$/, '')
  if (n === '' || n.startsWith('..')) return undefined
  return n
}

/** Unpacks the context archive into `dir` (created). */
export async function extractContext(archive: NodeJS.ReadableStream, dir: string, signal?: AbortSignal): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  const extract = tarStream.extract()
  const dirTimes: Array<[string, Date]> = []
  extract.on('entry', (header, source, next) => {
    const stream = source as unknown as Readable
    const done = (err?: unknown): void => next(err as Error | undefined)
    const name = cleanName(header.name)
    if (signal?.aborted) {
      stream.resume()
      return done(signal.reason)
    }
    if (name === undefined) {
      stream.resume()
      return done()
    }
    const path = join(dir, name)
    const mode = (header.mode ?? 0o644) & 0o7777
    const work = async (): Promise<void> => {
      await mkdir(dirname(path), { recursive: true })
      switch (header.type) {
        case 'directory':
          await mkdir(path, { recursive: true })
          await chmod(path, mode)
          if (header.mtime) dirTimes.push([path, header.mtime])
          stream.resume()
          return
        case 'file':
        case 'contiguous-file':
          await rm(path, { recursive: true, force: true })
          if ((header.size ?? 0) <= WHOLE_FILE_MAX) {
            // One write instead of a stream's write per 64 kB chunk (each a thread-pool round trip).
            const chunks: Buffer[] = []
            for await (const chunk of stream) chunks.push(chunk as Buffer)
            await writeFile(path, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), { mode })
          } else {
            await pipeline(stream, createWriteStream(path, { mode }))
          }
          await chmod(path, mode)
          if (header.mtime) await utimes(path, header.mtime, header.mtime)
          return
        case 'symlink':
          stream.resume()
          await rm(path, { recursive: true, force: true })
          await symlink(header.linkname ?? '', path)
          return
        case 'link': {
          stream.resume()
          const target = cleanName(header.linkname ?? '')
          if (target === undefined) return
          await rm(path, { recursive: true, force: true })
          await link(join(dir, target), path)
          return
        }
        default:
          stream.resume()
      }
    }
    work().then(() => done(), done)
  })
  const input = await decompressStream(archive as AsyncIterable<Uint8Array>)
  try {
    await pipeline(input, extract as unknown as NodeJS.WritableStream)
  } catch (err) {
    throw buildError(`Error processing tar file: ${(err as Error).message}`)
  }
  for (const [path, time] of dirTimes.reverse()) await utimes(path, time, time).catch(() => undefined)
}

export interface LoadedContext {
  dockerfile: string
  /** The Dockerfile's name as given (for messages). */
  dockerfileName: string
}

/**
 * Reads the Dockerfile (`name`, else "Dockerfile", else "dockerfile" as dockerd falls back), then
 * removes what .dockerignore excludes.
 */
export async function prepareContext(dir: string, name: string | undefined): Promise<LoadedContext> {
  const candidates = name ? [name] : ['Dockerfile', 'dockerfile']
  let dockerfile: string | undefined
  let used = candidates[0] as string
  for (const c of candidates) {
    const rel = cleanName(c)
    if (rel === undefined) continue
    try {
      dockerfile = await readFile(join(dir, rel), 'utf8')
      used = c
      break
    } catch {
      // try the next name
    }
  }
  if (dockerfile === undefined) {
    throw buildError(`Cannot locate specified Dockerfile: ${used}`)
  }
  let ignoreText: string | undefined
  try {
    ignoreText = await readFile(join(dir, '.dockerignore'), 'utf8')
  } catch {
    ignoreText = undefined
  }
  if (ignoreText !== undefined) {
    const ignore = DockerIgnore.parse(ignoreText)
    if (!ignore.empty) await removeIgnored(dir, '', ignore)
  }
  return { dockerfile, dockerfileName: used }
}

async function removeIgnored(root: string, rel: string, ignore: DockerIgnore): Promise<void> {
  for (const name of await readdir(join(root, rel))) {
    const childRel = rel ? `${rel}/${name}` : name
    const host = join(root, childRel)
    const st = await lstat(host)
    if (ignore.ignores(childRel)) {
      if (st.isDirectory() && ignore.mayReinclude(childRel)) {
        await removeIgnored(root, childRel, ignore)
        continue
      }
      await rm(host, { recursive: true, force: true })
      continue
    }
    if (st.isDirectory()) await removeIgnored(root, childRel, ignore)
  }
}

/**
 * ContextTree: the build context as it arrived, held as a tree in memory instead of unpacked on
 * disk. It reads the tar stream once, with the effects extraction had: later entries replace
 * earlier ones, missing parents appear as 0755 directories, entries leaving the root are dropped,
 * hard links share their target. File contents stay in the received buffers up to a memory
 * limit; beyond it they go, in arrival order, to one spill file. The tree is a SourceFs over
 * virtual paths under `root` (never created on disk), so COPY/ADD plan, hash and copy from it
 * exactly as from a directory; only ADD archives are written out (for tar(1)).
 */
import { copyFile, mkdir, open, writeFile, type FileHandle } from 'node:fs/promises'
import { dirname, join, posix } from 'node:path'
import { createHash, randomBytes, type Hash } from 'node:crypto'
import { EngineError, isEngineError, type DockerIgnore } from '../../common/index.js'
import type { ReceivedFile, StoredFile } from './context-store.js'
import { decompressStream, detectCompression } from '../images/index.js'
import { buildError, type SourceFs, type SourceStat } from './file-ops.js'
import { TarReader, type TarHeader } from './tar-reader.js'

/** PAX record of the berth CLI: the stat fingerprint of a regular file (see ContextStore). */
export const FINGERPRINT_PAX = 'BERTH.fingerprint'
/** PAX record of the berth CLI: the file's content is not sent, the daemon has it (any value). */
export const CACHED_PAX = 'BERTH.cached'

const MAX_LINKS = 40
const S_IFDIR = 0o040000
const S_IFREG = 0o100000
const S_IFLNK = 0o120000

interface TreeNode {
  type: 'file' | 'directory' | 'symlink'
  mode: number
  mtime: Date
  size: number
  /** File data held in memory. */
  chunks?: Buffer[]
  /** File data's offset in the spill file. */
  spillOffset?: number
  /** File data in a stored file of the ContextStore. */
  blobPath?: string
  /** sha256 (hex) of a file's content, computed as it arrives. */
  digest?: string
  target?: string
  children?: Map<string, TreeNode>
}

function dirNode(mode: number, mtime: Date): TreeNode {
  return { type: 'directory', mode, mtime, size: 4096, children: new Map() }
}

function notFound(op: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOENT: no such file or directory, ${op} '${path}'`), { code: 'ENOENT', path })
}

/** The entry's path relative to the root, or undefined when it would leave it (or is the root). */
export function cleanEntryName(name: string): string | undefined {
  const n = posix.normalize('/' + name).slice(1).replace(/\/$/, '')
  if (n === '' || n.startsWith('..')) return undefined
  return n
}

class TreeStat implements SourceStat {
  readonly mode: number
  readonly size: number
  readonly uid = 0
  readonly gid = 0
  readonly atime: Date
  readonly mtime: Date
  constructor(private readonly node: TreeNode) {
    const kind = node.type === 'directory' ? S_IFDIR : node.type === 'symlink' ? S_IFLNK : S_IFREG
    this.mode = kind | node.mode
    this.size = node.size
    this.atime = node.mtime
    this.mtime = node.mtime
  }
  isDirectory(): boolean { return this.node.type === 'directory' }
  isFile(): boolean { return this.node.type === 'file' }
  isSymbolicLink(): boolean { return this.node.type === 'symlink' }
}

export interface ContextTreeOptions {
  /** The virtual directory the context's paths live under. */
  root: string
  /** Where file data beyond `memoryLimit` goes (created when needed, removed by the caller). */
  spillPath: string
  /** Where files handed to host tools are written (ADD archives). */
  scratchDir: string
  /** Bytes of file data kept in memory (default 128 MiB). */
  memoryLimit?: number
  signal?: AbortSignal
  /**
   * The context store's files for this build's context key: entries with a fingerprint are tracked
   * (receivedFiles), and entries marked as cached take their content from here.
   */
  stored?: (name: string, fingerprint: string) => StoredFile | undefined
}

/** A cached entry the store could not give: the client must send the context again. */
export function contextCacheMiss(names: readonly string[]): EngineError {
  return new EngineError('Conflict', 'BUILD_CONTEXT_CACHE_MISS',
    `build context cache: ${names.length} file(s) sent as cached are not stored here (${names[0] ?? ''}); send the context again`)
}

export class ContextTree implements SourceFs {
  private readonly top: TreeNode = dirNode(0o700, new Date())
  private memoryUsed = 0
  private spill: FileHandle | undefined
  private spillSize = 0
  private spillQueue: Buffer[] = []
  private current: TreeNode | undefined
  private hasher: Hash | undefined
  /** Fingerprinted files in arrival order (a later entry of the same name wins). */
  private readonly fingerprinted = new Map<string, { node: TreeNode; fingerprint: string }>()
  private readonly misses: string[] = []
  private cachedCount = 0
  private dataBytes = 0

  private constructor(private readonly opts: ContextTreeOptions) {}

  get root(): string {
    return this.opts.root
  }

  /** Reads a context archive (plain or gzip tar). Errors: InvalidArgument "Error processing tar file: ...". */
  static async read(archive: NodeJS.ReadableStream | AsyncIterable<Uint8Array>, opts: ContextTreeOptions): Promise<ContextTree> {
    const tree = new ContextTree(opts)
    const reader = new TarReader({
      entry: (h) => tree.entry(h),
      data: (chunk) => tree.data(chunk),
      end: () => tree.endEntry(),
    })
    const it = (archive as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
    const first = await it.next()
    const head = first.done ? undefined : Buffer.from(first.value.buffer, first.value.byteOffset, first.value.byteLength)
    const plain: AsyncIterable<Uint8Array> = { [Symbol.asyncIterator]: () => it }
    let input = plain
    if (!head || head.length < 6 || detectCompression(head) !== 'none') {
      async function* rejoined(): AsyncGenerator<Uint8Array> {
        if (head) yield head
        for (;;) {
          const r = await it.next()
          if (r.done) return
          yield r.value
        }
      }
      input = await decompressStream(rejoined())
    }
    try {
      if (input === plain) reader.push(head as Buffer)
      for await (const chunk of input) {
        opts.signal?.throwIfAborted()
        reader.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
        if (tree.spillQueue.length > 0) await tree.flushSpill()
      }
      reader.finish()
    } catch (err) {
      await tree.close()
      if (opts.signal?.aborted) throw opts.signal.reason
      if (isEngineError(err)) throw err
      throw buildError(`Error processing tar file: ${(err as Error).message}`)
    }
    // Only now: the whole request was read, so the client gets the answer rather than a reset.
    if (tree.misses.length > 0) {
      await tree.close()
      throw contextCacheMiss(tree.misses)
    }
    return tree
  }

  /** How the context came: file bytes sent, and files taken from the context store. */
  transferStats(): { dataBytes: number; cachedFiles: number } {
    return { dataBytes: this.dataBytes, cachedFiles: this.cachedCount }
  }

  /** The fingerprinted files as received (for ContextStore.remember). */
  receivedFiles(): ReceivedFile[] {
    const out: ReceivedFile[] = []
    for (const [name, { node, fingerprint }] of this.fingerprinted) {
      if (node.digest === undefined) continue
      out.push({
        name, fingerprint, digest: node.digest, size: node.size,
        ...(node.blobPath === undefined ? { write: (dest: string) => this.writeNode(node, dest) } : {}),
      })
    }
    return out
  }

  async close(): Promise<void> {
    const fh = this.spill
    this.spill = undefined
    await fh?.close()
  }

  private endEntry(): void {
    if (this.current && this.hasher) this.current.digest = this.hasher.digest('hex')
    this.current = undefined
    this.hasher = undefined
  }

  private entry(h: TarHeader): void {
    this.current = undefined
    this.hasher = undefined
    const name = cleanEntryName(h.name)
    if (name === undefined) return
    this.fingerprinted.delete(name)
    const parts = name.split('/')
    const base = parts.pop() as string
    let dir = this.top
    for (const p of parts) {
      let child = dir.children?.get(p)
      if (!child || child.type !== 'directory') {
        child = dirNode(0o755, new Date())
        dir.children?.set(p, child)
      }
      dir = child
    }
    const mode = h.mode & 0o7777
    const mtime = h.mtime === undefined ? new Date() : new Date(h.mtime * 1000)
    const children = dir.children as Map<string, TreeNode>
    switch (h.type) {
      case 'directory': {
        const existing = children.get(base)
        if (existing?.type === 'directory') {
          existing.mode = mode
          existing.mtime = mtime
        } else children.set(base, dirNode(mode, mtime))
        return
      }
      case 'file': {
        const fingerprint = this.opts.stored ? h.pax?.get(FINGERPRINT_PAX) : undefined
        if (fingerprint !== undefined && h.pax?.has(CACHED_PAX)) {
          const stored = (this.opts.stored as NonNullable<ContextTreeOptions['stored']>)(name, fingerprint)
          if (!stored) {
            this.misses.push(name)
            return
          }
          this.cachedCount++
          const node: TreeNode = { type: 'file', mode, mtime, size: stored.size, blobPath: stored.path, digest: stored.digest }
          children.set(base, node)
          this.fingerprinted.set(name, { node, fingerprint })
          return
        }
        const node: TreeNode = { type: 'file', mode, mtime, size: h.size }
        if (fingerprint !== undefined) this.fingerprinted.set(name, { node, fingerprint })
        if (this.memoryUsed + h.size <= (this.opts.memoryLimit ?? 128 << 20)) {
          node.chunks = []
          this.memoryUsed += h.size
        } else {
          node.spillOffset = this.spillSize
        }
        children.set(base, node)
        this.current = node
        this.hasher = createHash('sha256')
        return
      }
      case 'symlink':
        children.set(base, { type: 'symlink', mode: 0o777, mtime, size: h.linkname.length, target: h.linkname })
        return
      case 'link': {
        const target = cleanEntryName(h.linkname)
        const node = target === undefined ? undefined : this.lookup(target, false)
        if (!node || node.type === 'directory') throw new Error(`hard link target not found: ${h.linkname}`)
        children.set(base, node)
        return
      }
      default:
        // devices and fifos are not part of a build context
    }
  }

  private data(chunk: Buffer): void {
    const node = this.current
    if (!node) return
    // Hashed while the client is still sending: the main thread would be waiting anyway.
    this.hasher?.update(chunk)
    this.dataBytes += chunk.length
    if (node.chunks) node.chunks.push(chunk)
    else {
      this.spillQueue.push(chunk)
      this.spillSize += chunk.length
    }
  }

  private async flushSpill(): Promise<void> {
    const queue = this.spillQueue
    this.spillQueue = []
    const length = queue.reduce((n, b) => n + b.length, 0)
    if (!this.spill) {
      await mkdir(dirname(this.opts.spillPath), { recursive: true })
      this.spill = await open(this.opts.spillPath, 'w+', 0o600)
    }
    await this.spill.writev(queue, this.spillSize - length)
  }

  /** The node at `rel` (intermediate symlinks followed inside the root), or undefined. */
  private lookup(rel: string, followLast: boolean): TreeNode | undefined {
    const parts = rel.split('/').filter((p) => p !== '' && p !== '.')
    const last = parts.pop()
    if (last === undefined) return this.top
    const dirRel = this.resolveRel(parts.join('/'), false)
    let dir: TreeNode | undefined = this.top
    for (const p of dirRel === '' ? [] : dirRel.split('/')) dir = dir?.children?.get(p)
    const node = dir?.children?.get(last)
    if (followLast && node?.type === 'symlink') return this.lookup(this.resolveRel(`${parts.join('/')}/${last}`, false), false)
    return node
  }

  /**
   * `path` relative to the root with every symlink resolved inside it (resolveInRootfs' rules):
   * with `strict` a link leading out is an error, otherwise it is clamped to the root.
   */
  private resolveRel(path: string, strict: boolean, shown = path): string {
    let pending = path.split('/').filter((p) => p !== '')
    const resolved: string[] = []
    let links = 0
    const escape = (target: string | undefined): Error => buildError(`forbidden path outside the build context: ${shown}${target === undefined ? '' : ` (a symlink to ${target})`}`)
    while (pending.length > 0) {
      const part = pending.shift() as string
      if (part === '.') continue
      if (part === '..') {
        if (resolved.length === 0 && strict) throw escape(undefined)
        resolved.pop()
        continue
      }
      let dir: TreeNode | undefined = this.top
      for (const p of resolved) dir = dir?.children?.get(p)
      const node = dir?.children?.get(part)
      if (node?.type !== 'symlink') {
        resolved.push(part)
        continue
      }
      if (++links > MAX_LINKS) throw buildError(`too many levels of symbolic links: ${shown}`)
      const target = node.target as string
      if (target.startsWith('/')) {
        if (strict) throw escape(target)
        resolved.length = 0
      }
      pending = [...target.split('/').filter((p) => p !== ''), ...pending]
    }
    return resolved.join('/')
  }

  private relOf(path: string): string | undefined {
    if (path === this.opts.root) return ''
    if (!path.startsWith(this.opts.root + '/')) return undefined
    return path.slice(this.opts.root.length + 1)
  }

  private nodeAt(op: string, path: string, followLast: boolean): TreeNode {
    const rel = this.relOf(path)
    const node = rel === undefined ? undefined : this.lookup(rel, followLast)
    if (!node) throw notFound(op, path)
    return node
  }

  /** The text of a file (symlinks followed inside the root), or undefined when there is none. */
  async readText(rel: string): Promise<string | undefined> {
    const node = this.lookup(rel, true)
    if (node?.type !== 'file') return undefined
    return (await this.readFile(join(this.opts.root, this.resolveRel(rel, false)))).toString('utf8')
  }

  /** Removes what `ignore` excludes, as dockerd does to the archive it receives. */
  applyIgnore(ignore: DockerIgnore): void {
    const walk = (dir: TreeNode, rel: string): void => {
      for (const [name, child] of [...(dir.children as Map<string, TreeNode>)]) {
        const childRel = rel ? `${rel}/${name}` : name
        if (ignore.ignores(childRel)) {
          if (child.type === 'directory' && ignore.mayReinclude(childRel)) walk(child, childRel)
          else dir.children?.delete(name)
          continue
        }
        if (child.type === 'directory') walk(child, childRel)
      }
    }
    walk(this.top, '')
  }

  // SourceFs

  async resolve(path: string, strict: boolean, shown = path): Promise<string> {
    const rel = this.resolveRel(path, strict, shown)
    return rel === '' ? this.opts.root : join(this.opts.root, rel)
  }

  async lstat(path: string): Promise<SourceStat> {
    return new TreeStat(this.nodeAt('lstat', path, false))
  }

  async readdir(path: string): Promise<string[]> {
    const node = this.nodeAt('scandir', path, true)
    if (!node.children) throw Object.assign(new Error(`ENOTDIR: not a directory, scandir '${path}'`), { code: 'ENOTDIR' })
    return [...node.children.keys()]
  }

  async readlink(path: string): Promise<string> {
    const node = this.nodeAt('readlink', path, false)
    if (node.type !== 'symlink') throw Object.assign(new Error(`EINVAL: invalid argument, readlink '${path}'`), { code: 'EINVAL' })
    return node.target as string
  }

  async digest(path: string): Promise<string> {
    const node = this.nodeAt('open', path, true)
    if (node.digest === undefined) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR' })
    return node.digest
  }

  async *chunks(path: string): AsyncGenerator<Buffer> {
    const node = this.nodeAt('open', path, true)
    if (node.type !== 'file') throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR' })
    yield* this.nodeChunks(node, path)
  }

  private async *nodeChunks(node: TreeNode, path: string): AsyncGenerator<Buffer> {
    if (node.chunks) {
      yield* node.chunks
      return
    }
    const fromBlob = node.blobPath !== undefined
    const fh = fromBlob ? await open(node.blobPath as string, 'r') : this.spill
    if (!fh) throw notFound('open', path)
    try {
      const start = fromBlob ? 0 : (node.spillOffset as number)
      for (let at = 0; at < node.size;) {
        const buf = Buffer.allocUnsafe(Math.min(1 << 20, node.size - at))
        const { bytesRead } = await fh.read(buf, 0, buf.length, start + at)
        if (bytesRead === 0) throw new Error(`${fromBlob ? 'stored context file' : 'spill file'} cut short reading ${path}`)
        at += bytesRead
        yield bytesRead === buf.length ? buf : buf.subarray(0, bytesRead)
      }
    } finally {
      if (fromBlob) await fh.close()
    }
  }

  async readFile(path: string): Promise<Buffer> {
    const parts: Buffer[] = []
    for await (const c of this.chunks(path)) parts.push(c)
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts)
  }

  async copyFile(src: string, dest: string): Promise<void> {
    await this.writeNode(this.nodeAt('copyfile', src, true), dest, src)
  }

  /** Writes a file node's content to `dest` (a new file, 0644). */
  private async writeNode(node: TreeNode, dest: string, shown = dest): Promise<void> {
    if (node.type !== 'file') throw Object.assign(new Error(`EISDIR: illegal operation on a directory, read`), { code: 'EISDIR' })
    if (node.blobPath !== undefined) {
      // In the kernel (copy_file_range), without the data passing through here.
      await copyFile(node.blobPath, dest)
      return
    }
    if (node.chunks) {
      const fh = await open(dest, 'w', 0o644)
      try {
        if (node.chunks.length > 0) await fh.writev(node.chunks)
      } finally {
        await fh.close()
      }
      return
    }
    await writeFile(dest, this.nodeChunks(node, shown), { mode: 0o644 })
  }

  async hostFile(path: string): Promise<string> {
    const out = join(this.opts.scratchDir, `ctx-${randomBytes(6).toString('hex')}`)
    await this.copyFile(path, out)
    return out
  }
}

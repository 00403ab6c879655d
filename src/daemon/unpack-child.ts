/**
 * Stored image layers are unpacked by a child process (bin/berth-unpack, unpack-main.ts), as dockerd
 * unpacks layers in a re-exec of itself:
 * - berthd's own memory stays what it was: parsing a tar makes V8 optimise the parser's hot loops,
 *   which pages in ~3.5 MB of node's compiler and leaves ~2.5 MB of malloc and a grown young
 *   generation behind for good (an import of the busybox rootfs raised berthd's RSS by ~9 MB, ~8 MB
 *   of it still there after V8's memory reducer ran);
 * - a tar that exhausts the unpacker's memory, or a bug that crashes it, fails that import or build
 *   step, with the daemon still serving.
 * The child reads the stored layer file itself (berthd reads none of it). It is started on the first
 * layer and stays while more come (a build's steps, an archive's layers), so a node start-up (~25 ms of
 * CPU) is paid once per burst; it exits `idleMs` after its last layer. See layerUnpacker for what stays here.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { EngineError, RuntimeError, type ErrorKind, type IdMappings, type Logger } from '../common/index.js'
import { inProcessUnpacker, isLayerFile, type LayerUnpacker, type UnpackResult } from '../engine/layers/index.js'
import { makeSpecialFiles } from '../sys/mount.js'

/** One line berthd writes to the child. */
export interface UnpackRequest {
  id: number
  /** The empty directory to unpack into. */
  root: string
  /** The stored, uncompressed layer tar. */
  file: string
  idMappings?: IdMappings
}

/** The child's answer to a request, one line. */
export type UnpackReply =
  | { id: number; result: UnpackResult }
  | { id: number; error: { kind?: ErrorKind; code?: string; message: string; errno?: string } }

/**
 * berthd's unpacker: a stored layer file (import, load, build step, commit) is unpacked by the child;
 * a streamed layer (a pull, unpacked while it downloads) is unpacked here. Piping a pull's layers to a
 * child cost as much CPU again as the whole pull (a 210 MB, 5-layer pull: berthd 1.6 s of CPU before,
 * berthd 1.5 s plus the children 1.7 s with the pipe; 1.5 s -> 2.1 s wall).
 */
export function layerUnpacker(logger: Logger, script: string | undefined): { unpack: LayerUnpacker; close(): void } {
  const here = inProcessUnpacker(makeSpecialFiles)
  if (!script) {
    logger.warn('berth-unpack not found beside berthd: image layers are unpacked in berthd itself')
    return { unpack: here, close: () => undefined }
  }
  const child = new ChildUnpacker(script)
  return {
    unpack: (tar, root, opts) => (isLayerFile(tar) ? child.unpack(tar.path, root, opts.idMappings) : here(tar, root, opts)),
    close: () => child.close(),
  }
}

/**
 * The unpacker script: bin/berth-unpack beside the running berthd bundle, or unpack-main.js beside
 * this module when berthd runs from dist/src/daemon. BERTH_UNPACK_BUNDLE overrides both.
 */
export function findUnpackScript(entry = process.argv[1] ?? '', env = process.env): string | undefined {
  const here = dirname(resolve(entry))
  const candidates = [env.BERTH_UNPACK_BUNDLE, join(here, 'berth-unpack'), join(here, 'unpack-main.js')]
  return candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(c))
}

/** The error a reply carries, as unpackLayer would have thrown it in berthd. Pure. */
export function replyError(error: Extract<UnpackReply, { error: unknown }>['error']): Error {
  if (error.kind !== undefined && error.code !== undefined) return new EngineError(error.kind, error.code, error.message)
  const err: NodeJS.ErrnoException = new Error(error.message)
  if (error.errno !== undefined) err.code = error.errno
  return err
}

interface Pending {
  resolve(result: UnpackResult): void
  reject(err: unknown): void
}

interface Serving {
  proc: ChildProcessWithoutNullStreams
  pending: Map<number, Pending>
  stderr: string
  spawnError?: Error
}

/** `node <script> --serve`, started on demand, ended once idle. */
export class ChildUnpacker {
  private serving: Serving | undefined
  private nextId = 1
  private idleTimer: NodeJS.Timeout | undefined

  constructor(
    private readonly script: string,
    private readonly nodePath = process.execPath,
    private readonly idleMs = 1000,
  ) {}

  unpack(file: string, root: string, idMappings?: IdMappings): Promise<UnpackResult> {
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    const s = this.serving ?? this.start()
    const id = this.nextId++
    const request: UnpackRequest = { id, root, file, ...(idMappings ? { idMappings } : {}) }
    return new Promise<UnpackResult>((resolve, reject) => {
      s.pending.set(id, { resolve, reject })
      s.proc.stdin.write(`${JSON.stringify(request)}\n`)
    })
  }

  /** Ends the child once its layers are done (daemon shutdown). */
  close(): void {
    clearTimeout(this.idleTimer)
    this.idleTimer = undefined
    this.serving?.proc.stdin.end()
    this.serving = undefined
  }

  private start(): Serving {
    const env = { ...process.env }
    delete env.NODE_EXTRA_CA_CERTS // the child makes no TLS connection; node would parse the file at start-up
    const proc = spawn(this.nodePath, [this.script, '--serve'], { env, stdio: ['pipe', 'pipe', 'pipe'] })
    const s: Serving = { proc, pending: new Map(), stderr: '' }
    this.serving = s
    proc.stdin.on('error', () => undefined) // EPIPE when it died: 'close' below fails its layers
    proc.stderr.on('data', (b: Buffer) => void (s.stderr = (s.stderr + b.toString()).slice(-2048)))
    let buffer = ''
    proc.stdout.on('data', (b: Buffer) => {
      buffer += b.toString()
      for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
        const line = buffer.slice(0, nl)
        buffer = buffer.slice(nl + 1)
        this.settle(s, line)
      }
    })
    proc.on('error', (e) => void (s.spawnError = e))
    proc.on('close', (code, signal) => {
      if (this.serving === s) this.serving = undefined
      const argv = [this.nodePath, this.script, '--serve']
      const stderr = s.stderr.trim()
      const err = s.spawnError
        ? new RuntimeError(argv, null, s.spawnError.message, `Cannot unpack layer: cannot start ${this.nodePath}: ${s.spawnError.message}`)
        : new RuntimeError(argv, code, stderr, `Cannot unpack layer: the unpacker ${signal ? `was killed by ${signal}` : `exited with status ${code ?? '?'}`}${stderr ? `: ${stderr}` : ''}`)
      for (const p of s.pending.values()) p.reject(err)
      s.pending.clear()
    })
    return s
  }

  private settle(s: Serving, line: string): void {
    let reply: UnpackReply
    try {
      reply = JSON.parse(line) as UnpackReply
    } catch {
      return // not ours (a stray line): its layer fails when the child ends
    }
    const p = s.pending.get(reply.id)
    if (!p) return
    s.pending.delete(reply.id)
    if ('result' in reply) p.resolve(reply.result)
    else p.reject(replyError(reply.error))
    if (s.pending.size === 0 && this.serving === s) {
      this.idleTimer = setTimeout(() => this.close(), this.idleMs)
      this.idleTimer.unref()
    }
  }
}

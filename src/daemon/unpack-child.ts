/**
 * Stored image layers are unpacked in a short-lived child process (bin/berth-unpack, unpack-main.ts),
 * as dockerd unpacks layers in a re-exec of itself:
 * - berthd's own memory stays what it was: parsing a tar makes V8 optimise the parser's hot loops,
 *   which pages in ~3.5 MB of node's compiler and leaves ~2.5 MB of malloc and a grown young
 *   generation behind for good (an import of the busybox rootfs raised berthd's RSS by ~9 MB, ~8 MB
 *   of it still there after V8's memory reducer ran);
 * - a tar that exhausts the unpacker's memory, or a bug that crashes it, fails that one import or
 *   build step, with the daemon still serving.
 * The child costs one node start-up (~25 ms of CPU) per layer. See layerUnpacker for what stays here.
 */
import { spawn } from 'node:child_process'
import { closeSync, existsSync, openSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import { chunksOf, drainedOrClosed, EngineError, RuntimeError, type ErrorKind } from '../common/index.js'
import { inProcessUnpacker, isLayerFile, type LayerUnpacker, type UnpackResult } from '../engine/layers/index.js'
import type { Logger } from '../common/index.js'
import { makeSpecialFiles } from '../sys/mount.js'

/**
 * berthd's unpacker: a stored layer file (import, load, build step, commit) is unpacked by the child,
 * which reads the file itself; a streamed layer (a pull, unpacked while it downloads) is unpacked here.
 * Piping a pull's layers to the child cost as much CPU again as the whole pull (a 210 MB, 5-layer pull:
 * berthd 1.6 s of CPU before, berthd 1.5 s plus the children 1.7 s with the pipe; 1.5 s -> 2.1 s wall).
 */
export function layerUnpacker(logger: Logger, script: string | undefined): LayerUnpacker {
  const here = inProcessUnpacker(makeSpecialFiles)
  if (!script) {
    logger.warn('berth-unpack not found beside berthd: image layers are unpacked in berthd itself')
    return here
  }
  const child = childUnpacker(script)
  return (tar, root, opts) => (isLayerFile(tar) ? child : here)(tar, root, opts)
}

/** The child's one line on stdout. */
export type UnpackReply =
  | { result: UnpackResult }
  | { error: { kind?: ErrorKind; code?: string; message: string; errno?: string } }

/**
 * The unpacker script: bin/berth-unpack beside the running berthd bundle, or unpack-main.js beside
 * this module when berthd runs from dist/src/daemon. BERTH_UNPACK_BUNDLE overrides both.
 */
export function findUnpackScript(entry = process.argv[1] ?? '', env = process.env): string | undefined {
  const here = dirname(resolve(entry))
  const candidates = [env.BERTH_UNPACK_BUNDLE, join(here, 'berth-unpack'), join(here, 'unpack-main.js')]
  return candidates.find((c): c is string => c !== undefined && c !== '' && existsSync(c))
}

/** The error a reply carries, as unpackLayer would have thrown it in this process. Pure. */
export function replyError(error: Extract<UnpackReply, { error: unknown }>['error']): Error {
  if (error.kind !== undefined && error.code !== undefined) return new EngineError(error.kind, error.code, error.message)
  const err: NodeJS.ErrnoException = new Error(error.message)
  if (error.errno !== undefined) err.code = error.errno
  return err
}

/**
 * A LayerUnpacker that runs `node <script> <root> [<mappings>]` for each layer, the tar on its stdin: a
 * stored layer file is the child's stdin itself (berthd reads none of it), a stream is piped.
 */
export function childUnpacker(script: string, nodePath = process.execPath): LayerUnpacker {
  return async (tar, root, { idMappings }) => {
    const argv = [nodePath, script, root, ...(idMappings ? [JSON.stringify(idMappings)] : [])]
    const env = { ...process.env }
    delete env.NODE_EXTRA_CA_CERTS // the child makes no TLS connection; node would parse the file at start-up
    const fd = isLayerFile(tar) ? openSync(tar.path, 'r') : undefined
    let child
    try {
      child = spawn(nodePath, argv.slice(1), { env, stdio: [fd ?? 'pipe', 'pipe', 'pipe'] })
    } finally {
      if (fd !== undefined) closeSync(fd) // the child has its own copy
    }
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout?.on('data', (b: Buffer) => out.push(b))
    child.stderr?.on('data', (b: Buffer) => err.push(b))
    const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null; spawnError?: Error }>((done) => {
      child.on('close', (code, signal) => done({ code, signal }))
      child.on('error', (e) => done({ code: null, signal: null, spawnError: e }))
    })
    let feedError: { err: unknown } | undefined
    const stdin = child.stdin
    if (stdin && !isLayerFile(tar)) {
      stdin.on('error', () => undefined) // EPIPE once the child stopped reading: its reply says why
      try {
        for await (const chunk of tar instanceof Readable ? chunksOf(tar) : (tar as AsyncIterable<Buffer | string>)) {
          if (stdin.destroyed) break
          if (!stdin.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)) await drainedOrClosed(stdin)
        }
        stdin.end()
      } catch (e) {
        feedError = { err: e }
        child.kill('SIGKILL')
      }
    }
    const { code, signal, spawnError } = await closed
    if (feedError) throw feedError.err // the source's own error, as when unpacking in this process
    if (spawnError) throw new RuntimeError(argv, null, spawnError.message, `Cannot unpack layer: cannot start ${nodePath}: ${spawnError.message}`)
    const reply = parseReply(Buffer.concat(out).toString())
    if (reply && 'result' in reply && code === 0) return reply.result
    if (reply && 'error' in reply) throw replyError(reply.error)
    const stderr = Buffer.concat(err).subarray(-2048).toString().trim()
    throw new RuntimeError(argv, code, stderr, `Cannot unpack layer: the unpacker ${signal ? `was killed by ${signal}` : `exited with status ${code ?? '?'}`}${stderr ? `: ${stderr}` : ''}`)
  }
}

function parseReply(stdout: string): UnpackReply | undefined {
  const line = stdout.trim().split('\n').pop()
  if (!line) return undefined
  try {
    return JSON.parse(line) as UnpackReply
  } catch {
    return undefined
  }
}

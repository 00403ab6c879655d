/**
 * bin/berth-unpack: unpacks one layer tar for berthd in a process of its own (see unpack-child.ts).
 *   berth-unpack <root> [<id mappings as JSON>]   the tar on stdin
 * Prints one JSON line on stdout: {"result": UnpackResult} and exits 0, or {"error": {...}} and exits 1.
 */
import { isEngineError, type IdMappings } from '../common/index.js'
import { inProcessUnpacker } from '../engine/layers/index.js'
import { makeSpecialFiles } from '../sys/mount.js'
import type { UnpackReply } from './unpack-child.js'

async function main(): Promise<void> {
  const [root, mappings] = process.argv.slice(2)
  if (!root) {
    process.stderr.write('usage: berth-unpack <root> [<id mappings JSON>] < layer.tar\n')
    process.exitCode = 2
    return
  }
  let reply: UnpackReply
  try {
    const idMappings = mappings ? (JSON.parse(mappings) as IdMappings) : undefined
    reply = { result: await inProcessUnpacker(makeSpecialFiles)(process.stdin, root, { idMappings }) }
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    reply = isEngineError(err)
      ? { error: { kind: err.kind, code: err.code, message: err.message } }
      : { error: { message: e.message ?? String(err), ...(typeof e.code === 'string' ? { errno: e.code } : {}) } }
    process.exitCode = 1
  }
  process.stdout.write(`${JSON.stringify(reply)}\n`)
  process.stdin.destroy() // a failed unpack stops reading; what berthd still sends is not wanted
}

void main()

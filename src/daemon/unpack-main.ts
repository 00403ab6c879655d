/**
 * bin/berth-unpack: unpacks stored layer tars for berthd in a process of its own (see unpack-child.ts).
 *   berth-unpack --serve
 * Reads one JSON request per line on stdin, {"id", "root", "file", "idMappings"?}, unpacks them as they
 * come (concurrently), and answers each with one line on stdout: {"id", "result": UnpackResult} or
 * {"id", "error": {...}}. Exits once stdin ends and its jobs are done.
 */
import { createInterface } from 'node:readline'
import { isEngineError } from '../common/index.js'
import { inProcessUnpacker } from '../engine/layers/index.js'
import { makeSpecialFiles } from '../sys/mount.js'
import type { UnpackReply, UnpackRequest } from './unpack-child.js'

async function answer(line: string): Promise<UnpackReply> {
  let id = 0
  try {
    const req = JSON.parse(line) as UnpackRequest
    id = req.id
    const result = await inProcessUnpacker(makeSpecialFiles)({ kind: 'file', path: req.file }, req.root, req.idMappings ? { idMappings: req.idMappings } : {})
    return { id, result }
  } catch (err) {
    const e = err as NodeJS.ErrnoException
    return isEngineError(err)
      ? { id, error: { kind: err.kind, code: err.code, message: err.message } }
      : { id, error: { message: e.message ?? String(err), ...(typeof e.code === 'string' ? { errno: e.code } : {}) } }
  }
}

function main(): void {
  if (process.argv[2] !== '--serve') {
    process.stderr.write('usage: berth-unpack --serve   (requests on stdin, one JSON line each)\n')
    process.exitCode = 2
    return
  }
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity })
  lines.on('line', (line) => {
    if (line.trim() === '') return
    void answer(line).then((reply) => process.stdout.write(`${JSON.stringify(reply)}\n`))
  })
}

main()

/**
 * Docker's detach key sequence (default Ctrl-P Ctrl-Q): parsed as moby's term.ToBytes does, and
 * matched across stdin chunks as its escape proxy does. Bytes that start the sequence are held
 * until it completes (then they are dropped and the client detaches) or breaks (then they are
 * forwarded). The daemon applies it to TTY stdin only, as dockerd.
 */
import { EngineError } from './errors.js'

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q'

const CTRL_NAMES = [
  'ctrl-@', 'ctrl-a', 'ctrl-b', 'ctrl-c', 'ctrl-d', 'ctrl-e', 'ctrl-f', 'ctrl-g', 'ctrl-h', 'ctrl-i', 'ctrl-j', 'ctrl-k',
  'ctrl-l', 'ctrl-m', 'ctrl-n', 'ctrl-o', 'ctrl-p', 'ctrl-q', 'ctrl-r', 'ctrl-s', 'ctrl-t', 'ctrl-u', 'ctrl-v', 'ctrl-w',
  'ctrl-x', 'ctrl-y', 'ctrl-z', 'ctrl-[', 'ctrl-\\', 'ctrl-]', 'ctrl-^', 'ctrl-_',
]

/** "ctrl-p,ctrl-q" -> [16, 17]. InvalidArgument `Invalid detach keys (x) provided` when malformed. */
export function parseDetachKeys(spec: string): Buffer {
  const codes: number[] = []
  for (const key of spec.split(',')) {
    if (key.length === 1) {
      codes.push(key.charCodeAt(0))
      continue
    }
    const ctrl = CTRL_NAMES.indexOf(key)
    if (ctrl >= 0) codes.push(ctrl)
    else if (key === 'DEL') codes.push(127)
    else throw new EngineError('InvalidArgument', 'INVALID_DETACH_KEYS', `Invalid detach keys (${spec}) provided`)
  }
  return Buffer.from(codes)
}

/** Stateful matcher over one stdin stream. */
export class DetachKeyScanner {
  private matched = 0

  constructor(private readonly keys: Buffer) {}

  /** The bytes to forward now, and whether the sequence completed (the rest of the chunk is dropped). */
  scan(chunk: Buffer): { forward: Buffer; detached: boolean } {
    if (this.keys.length === 0) return { forward: chunk, detached: false }
    const out: number[] = []
    for (const byte of chunk) {
      if (byte === this.keys[this.matched]) {
        this.matched++
        if (this.matched === this.keys.length) {
          this.matched = 0
          return { forward: Buffer.from(out), detached: true }
        }
        continue
      }
      // The sequence broke: what was held goes through, and this byte may start it again.
      for (let i = 0; i < this.matched; i++) out.push(this.keys[i] as number)
      this.matched = 0
      if (byte === this.keys[0]) {
        this.matched = 1
        if (this.keys.length === 1) return { forward: Buffer.from(out), detached: true }
      } else out.push(byte)
    }
    return { forward: Buffer.from(out), detached: false }
  }
}

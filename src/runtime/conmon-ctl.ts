/**
 * Messages to conmon's control FIFOs in a session's bundle dir: `ctl` takes "<type> <rows> <cols>\n"
 * (type 2 reopens the log) and `winsz` takes "<rows> <cols>\n" (sizes the terminal; conmon forwards ctl
 * resizes there).
 *
 * conmon 2.1.6 (Debian 12) parses only the first line of what one read() returns and takes every further
 * line for a copy of it, so two resizes that reach a FIFO before conmon reads it lose the second one (the
 * docker CLI sends rows+1 cols+1 and then the real size right after it attaches). conmon reads at most
 * 199 bytes at a time: a message padded with spaces to exactly that length is always read alone, and
 * conmon's sscanf ignores the padding. Resizes are written to winsz directly, since conmon re-writes the
 * ones it gets on ctl to winsz unpadded.
 */
import { constants } from 'node:fs'
import { open } from 'node:fs/promises'

/** conmon's read size for its control FIFOs (CTLBUFSZ - 1). */
export const CONMON_CTL_READ_SIZE = 199

/** Pure: one message line padded to conmon's read size. */
export function conmonCtlMessage(fields: number[]): string {
  const line = fields.map((n) => String(Math.trunc(n))).join(' ')
  return line.padEnd(CONMON_CTL_READ_SIZE - 1, ' ') + '\n'
}

/** Pure: the winsz message for a terminal of `rows` x `cols`. */
export function resizeMessage(rows: number, cols: number): string {
  return conmonCtlMessage([rows, cols])
}

/**
 * Writes one message to a conmon FIFO. Non-blocking: a FIFO without a reader (conmon gone) fails with
 * ENXIO instead of hanging. A message shorter than PIPE_BUF is written whole or not at all.
 */
export async function writeConmonFifo(path: string, message: string): Promise<void> {
  const fh = await open(path, constants.O_WRONLY | constants.O_NONBLOCK)
  try {
    await fh.write(message)
  } finally {
    await fh.close()
  }
}

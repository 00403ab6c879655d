import type { Readable, Writable } from 'node:stream'
import { EngineError } from '../common/index.js'

/**
 * Docker's multiplexed stream (attach/logs without a TTY): each frame is an 8-byte header
 * [stream, 0, 0, 0, size as big-endian uint32] followed by `size` bytes of payload.
 * Stream 0 is stdin (written to stdout, like docker's stdcopy), 1 stdout, 2 stderr, and 3 an
 * error the daemon reports in the middle of the stream.
 */
export type FrameStream = 0 | 1 | 2 | 3

export interface Frame {
  stream: FrameStream
  payload: Buffer
}

const HEADER_SIZE = 8

/** Incremental decoder: push chunks as they arrive, get whole frames back. */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0)

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk])
    const frames: Frame[] = []
    while (this.buffer.length >= HEADER_SIZE) {
      const stream = this.buffer[0]!
      if (stream > 3) {
        throw new EngineError('Internal', 'BAD_STREAM_FRAME', `Unrecognized input header: ${stream}`)
      }
      const size = this.buffer.readUInt32BE(4)
      if (this.buffer.length < HEADER_SIZE + size) break
      frames.push({ stream: stream as FrameStream, payload: this.buffer.subarray(HEADER_SIZE, HEADER_SIZE + size) })
      this.buffer = this.buffer.subarray(HEADER_SIZE + size)
    }
    return frames
  }

  /** Bytes of an incomplete frame still buffered. */
  get pending(): number {
    return this.buffer.length
  }
}

/** Encodes one frame; the inverse of FrameDecoder (used by tests and in-memory transports). */
export function encodeFrame(stream: FrameStream, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload
  const header = Buffer.alloc(HEADER_SIZE)
  header[0] = stream
  header.writeUInt32BE(body.length, 4)
  return Buffer.concat([header, body])
}

/**
 * Copies a multiplexed stream to stdout/stderr until it ends, honouring back-pressure. A stream-3
 * frame rejects with the daemon's message, like docker's "error from daemon in stream".
 */
export async function demultiplex(source: Readable, stdout: Writable, stderr: Writable): Promise<void> {
  const decoder = new FrameDecoder()
  for await (const chunk of source) {
    for (const frame of decoder.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string))) {
      if (frame.stream === 3) {
        throw new EngineError('Internal', 'STREAM_ERROR', `error from daemon in stream: ${frame.payload.toString()}`)
      }
      await writeAll(frame.stream === 2 ? stderr : stdout, frame.payload)
    }
  }
}

/** Copies a raw (TTY) stream to `out` until it ends. */
export async function copyRaw(source: Readable, out: Writable): Promise<void> {
  for await (const chunk of source) await writeAll(out, chunk as Buffer)
}

function writeAll(out: Writable, data: Buffer): Promise<void> {
  if (out.write(data)) return Promise.resolve()
  return new Promise((resolve, reject) => {
    const onDrain = (): void => {
      out.off('error', onError)
      resolve()
    }
    const onError = (err: Error): void => {
      out.off('drain', onDrain)
      reject(err)
    }
    out.once('drain', onDrain)
    out.once('error', onError)
  })
}

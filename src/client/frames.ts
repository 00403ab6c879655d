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
export function demultiplex(source: Readable, stdout: Writable, stderr: Writable): Promise<void> {
  const decoder = new FrameDecoder()
  return pump(source, (chunk) => {
    let full: Writable | undefined
    for (const frame of decoder.push(chunk)) {
      if (frame.stream === 3) {
        throw new EngineError('Internal', 'STREAM_ERROR', `error from daemon in stream: ${frame.payload.toString()}`)
      }
      const out = frame.stream === 2 ? stderr : stdout
      if (!out.write(frame.payload)) full = out
    }
    return full
  })
}

/** Copies a raw (TTY) stream to `out` until it ends. */
export function copyRaw(source: Readable, out: Writable): Promise<void> {
  return pump(source, (chunk) => (out.write(chunk) ? undefined : out))
}

/**
 * Reads `source` to its end, giving each chunk to `onChunk`, which writes it and returns a writer
 * whose buffer is full, if any: reading then waits for its 'drain'. Settles as `for await` over the
 * source would (which costs a CLI command a few ms of start-up to compile): rejects on an error of
 * the source, of a writer being waited for, or thrown by `onChunk` (the source is destroyed then),
 * and when the source closes before its end; resolves at its end once the writes drained.
 */
function pump(source: Readable, onChunk: (chunk: Buffer) => Writable | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    let draining = false
    let ended = false
    let settled = false
    const settle = (err?: unknown): void => {
      if (settled) return
      settled = true
      source.off('data', onData)
      source.off('end', onEnd)
      source.off('error', settle)
      source.off('close', onClose)
      if (err === undefined) {
        resolve()
      } else {
        source.destroy()
        reject(err)
      }
    }
    const onData = (chunk: Buffer | string): void => {
      let full: Writable | undefined
      try {
        full = onChunk(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk))
      } catch (err) {
        settle(err)
        return
      }
      if (!full) return
      draining = true
      source.pause()
      const onDrain = (): void => {
        full.off('error', onWriteError)
        draining = false
        if (ended) settle()
        else source.resume()
      }
      const onWriteError = (err: Error): void => {
        full.off('drain', onDrain)
        settle(err)
      }
      full.once('drain', onDrain)
      full.once('error', onWriteError)
    }
    const onEnd = (): void => {
      ended = true
      if (!draining) settle()
    }
    const onClose = (): void => {
      if (!ended) settle(source.errored ?? prematureClose())
    }
    // A source that ended or failed before it was handed over.
    if (source.readableEnded) return settle()
    if (source.destroyed) return settle(source.errored ?? prematureClose())
    source.on('data', onData)
    source.on('end', onEnd)
    source.on('error', settle)
    source.on('close', onClose)
    // A 'data' listener alone does not restart a stream paused by pause().
    source.resume()
  })
}

/** The error `for await` gives for a stream closed before its end. */
function prematureClose(): Error {
  return Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })
}

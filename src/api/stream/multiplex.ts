/**
 * Docker's stdcopy framing for streams of a container without a TTY: every chunk is preceded by
 * an 8-byte header [stream, 0, 0, 0, size as big-endian uint32]; stream 0 = stdin, 1 = stdout,
 * 2 = stderr, 3 = systemerr.
 */
export type StreamId = 0 | 1 | 2 | 3

export function muxFrame(stream: StreamId, data: Buffer): Buffer {
  return Buffer.concat([muxHeader(stream, data.length), data])
}

/** The 8-byte header of a frame of `length` bytes on `stream`. */
export function muxHeader(stream: StreamId, length: number): Buffer {
  const header = Buffer.alloc(8)
  header[0] = stream
  header.writeUInt32BE(length, 4)
  return header
}

export interface DemuxedChunk {
  stream: StreamId
  data: Buffer
}

/** Incremental parser for the same framing: feed bytes, get whole frames back. */
export function createDemuxer(): { push(bytes: Buffer): DemuxedChunk[]; pending(): number } {
  let buf = Buffer.alloc(0)
  return {
    push(bytes) {
      buf = Buffer.concat([buf, bytes])
      const out: DemuxedChunk[] = []
      while (buf.length >= 8) {
        const size = buf.readUInt32BE(4)
        if (buf.length < 8 + size) break
        out.push({ stream: buf[0] as StreamId, data: buf.subarray(8, 8 + size) })
        buf = buf.subarray(8 + size)
      }
      return out
    },
    pending: () => buf.length,
  }
}

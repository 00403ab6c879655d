import { finished, type Readable } from 'node:stream'

/**
 * A stream's chunks one by one, as they were pushed. A Readable's own async iterator reads whatever is
 * buffered as one chunk, copying it whenever the consumer fell behind by more than one chunk (on a
 * 200 MB pull, most of them); this keeps up to `highWaterMark` bytes queued instead, pausing the stream
 * beyond that. Ends with the stream's error, or a premature close; stops (destroys) the stream when the
 * consumer stops early.
 */
export async function* chunksOf(stream: Readable, highWaterMark = 4 << 20): AsyncGenerator<Buffer> {
  const queue: Buffer[] = []
  let queued = 0
  let ended = false
  let failure: { err: unknown } | undefined
  let wake: (() => void) | undefined
  const notify = (): void => {
    const w = wake
    wake = undefined
    w?.()
  }
  const onData = (chunk: Buffer | string): void => {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    queue.push(buf)
    queued += buf.length
    if (queued >= highWaterMark) stream.pause()
    notify()
  }
  stream.on('data', onData)
  const stopWatching = finished(stream, (err) => {
    if (err) failure ??= { err }
    else ended = true
    notify()
  })
  try {
    for (;;) {
      const chunk = queue.shift()
      if (chunk !== undefined) {
        queued -= chunk.length
        if (queued < highWaterMark / 2 && stream.isPaused()) stream.resume()
        yield chunk
        continue
      }
      if (failure) throw failure.err
      if (ended) return
      await new Promise<void>((resolve) => (wake = resolve))
    }
  } finally {
    stream.off('data', onData)
    stopWatching()
    if (!ended) stream.destroy()
  }
}

/** What drainedOrClosed needs of a stream: node's Writable and tar-stream's extract both have it. */
interface DrainingStream {
  on(event: 'drain' | 'close', listener: () => void): unknown
  off(event: 'drain' | 'close', listener: () => void): unknown
}

/** Resolves when a stream whose write() returned false takes more data ('drain'), or is closed. */
export function drainedOrClosed(stream: DrainingStream): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done)
      stream.off('close', done)
      resolve()
    }
    stream.on('drain', done)
    stream.on('close', done)
  })
}

import { EngineError } from '../common/index.js'
import type { AttachConnection } from './oci-runtime.js'

/** conmon's attach protocol: each message from conmon is 1 type byte + data. */
const STDOUT = 2
const STDERR = 3

/** Loaded on the first attach: mapping the addon costs an idle berthd ~2 MB of RSS. */
let binding: Promise<typeof import('node-unix-socket')> | undefined
const loadBinding = (): Promise<typeof import('node-unix-socket')> => (binding ??= import('node-unix-socket'))

/**
 * Connects to conmon's SOCK_SEQPACKET attach socket. Node's `net` speaks only SOCK_STREAM, hence the
 * native binding. `socketPath` should go through conmon's socket-dir symlink so that it stays under
 * the 108-byte sun_path limit. Data that arrives before the first onData listener is queued.
 */
export async function connectAttach(socketPath: string, containerId: string): Promise<AttachConnection> {
  const { SeqpacketSocket } = await loadBinding()
  return new Promise((resolve, reject) => {
    const sock = new SeqpacketSocket()
    const dataListeners: Array<(stream: 1 | 2, data: Buffer) => void> = []
    const endListeners: Array<() => void> = []
    const queued: Array<[1 | 2, Buffer]> = []
    let connected = false
    let ended = false

    const finish = (): void => {
      if (ended) return
      ended = true
      for (const l of endListeners) l()
    }
    sock.on('data', (msg: Buffer) => {
      if (msg.length < 1) return
      const type = msg[0]
      const stream = type === STDOUT ? 1 : type === STDERR ? 2 : undefined
      if (stream === undefined) return
      const data = msg.subarray(1)
      if (dataListeners.length === 0) queued.push([stream, data])
      else for (const l of dataListeners) l(stream, data)
    })
    sock.on('end', finish)
    sock.on('close', finish)
    sock.on('error', (err: Error) => {
      if (!connected) {
        reject(new EngineError('Conflict', 'ATTACH_FAILED', `Cannot attach to container ${containerId}: ${err.message}`, { cause: err }))
        return
      }
      finish()
    })

    const conn: AttachConnection = {
      onData(listener) {
        dataListeners.push(listener)
        if (dataListeners.length === 1) for (const [s, d] of queued.splice(0)) listener(s, d)
      },
      onEnd(listener) {
        if (ended) listener()
        else endListeners.push(listener)
      },
      write(data) {
        if (!ended) sock.write(data)
      },
      end() {
        if (!ended) sock.end()
      },
      close() {
        sock.destroy()
        finish()
      },
    }
    try {
      sock.connect(socketPath, () => {
        connected = true
        resolve(conn)
      })
    } catch (err) {
      reject(
        new EngineError('Conflict', 'ATTACH_FAILED', `Cannot attach to container ${containerId}: ${(err as Error).message}`, {
          cause: err,
        }),
      )
    }
  })
}

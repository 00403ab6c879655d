/**
 * ContainerAttachment for one client. It can exist before the container runs: data the client
 * writes is held until connect() hands it conmon's attach connection, and output (or replayed logs)
 * emitted before the client registers onData is buffered, so nothing is lost to ordering.
 */
import { DetachKeyScanner } from '../../common/index.js'
import type { AttachConnection } from '../../runtime/oci-runtime.js'
import type { ContainerAttachment } from './types.js'

export interface AttachStreams {
  stdin: boolean
  stdout: boolean
  stderr: boolean
}

export class Attachment implements ContainerAttachment {
  private readonly dataListeners: Array<(stream: 1 | 2, data: Buffer) => void> = []
  private readonly endListeners: Array<() => void> = []
  private readonly buffered: Array<[1 | 2, Buffer]> = []
  private readonly pendingWrites: Buffer[] = []
  private conn: AttachConnection | undefined
  private ended = false
  private stdinEnded = false
  private detach: { scanner: DetachKeyScanner; onDetach: () => void } | undefined

  constructor(readonly streams: AttachStreams, private readonly onClose: (attachment: Attachment) => void = () => {}) {}

  get connected(): boolean {
    return this.conn !== undefined
  }

  get isEnded(): boolean {
    return this.ended
  }

  onData(listener: (stream: 1 | 2, data: Buffer) => void): void {
    this.dataListeners.push(listener)
    for (const [stream, data] of this.buffered.splice(0)) this.deliver(stream, data)
  }

  onEnd(listener: () => void): void {
    if (this.ended) queueMicrotask(listener)
    else this.endListeners.push(listener)
  }

  /** Output for the client (from the container or replayed logs), filtered by the streams it asked for. */
  emit(stream: 1 | 2, data: Buffer): void {
    if (this.ended || (stream === 1 ? !this.streams.stdout : !this.streams.stderr)) return
    if (this.dataListeners.length === 0) this.buffered.push([stream, data])
    else this.deliver(stream, data)
  }

  private deliver(stream: 1 | 2, data: Buffer): void {
    for (const l of this.dataListeners) l(stream, data)
  }

  /** Wires the runtime's connection; held stdin is sent now. */
  connect(conn: AttachConnection): void {
    if (this.ended) {
      conn.close()
      return
    }
    this.conn = conn
    conn.onData((stream, data) => this.emit(stream, data))
    conn.onEnd(() => this.end())
    for (const data of this.pendingWrites.splice(0)) conn.write(data)
    if (this.stdinEnded) conn.end?.()
  }

  /** Stdin is scanned for `keys`: the sequence closes the attachment (the process keeps running). */
  useDetachKeys(keys: Buffer, onDetach: () => void): void {
    this.detach = { scanner: new DetachKeyScanner(keys), onDetach }
  }

  write(data: Buffer): void {
    if (!this.streams.stdin || this.ended || this.stdinEnded) return
    if (this.detach) {
      const { forward, detached } = this.detach.scanner.scan(data)
      if (detached) {
        if (forward.length > 0) this.writeThrough(forward)
        this.detach.onDetach()
        this.close()
        return
      }
      data = forward
      if (data.length === 0) return
    }
    this.writeThrough(data)
  }

  private writeThrough(data: Buffer): void {
    if (this.conn) this.conn.write(data)
    else this.pendingWrites.push(data)
  }

  endStdin(): void {
    if (!this.streams.stdin || this.stdinEnded) return
    this.stdinEnded = true
    this.conn?.end?.()
  }

  /** The client detaches. */
  close(): void {
    this.conn?.close()
    this.end()
  }

  /** Output is over (container exited, client detached): fires onEnd once. */
  end(): void {
    if (this.ended) return
    this.ended = true
    this.onClose(this)
    for (const l of this.endListeners.splice(0)) l()
  }
}

/**
 * The attachments of every container: pending ones wait for the next start; connected ones belong
 * to the current run and end shortly after it exits (conmon closes the socket itself; the delay
 * only bounds a socket that never closes).
 */
export class AttachmentRegistry {
  private readonly byContainer = new Map<string, Set<Attachment>>()

  constructor(private readonly drainMs = 1000) {}

  /** A new attachment for `containerId`, registered until it ends. */
  create(containerId: string, streams: AttachStreams): Attachment {
    return new Attachment(streams, (a) => this.byContainer.get(containerId)?.delete(a))
  }

  add(containerId: string, attachment: Attachment): void {
    if (attachment.isEnded) return
    const set = this.byContainer.get(containerId) ?? new Set<Attachment>()
    this.byContainer.set(containerId, set)
    set.add(attachment)
  }

  /** Attachments waiting for the container to start. */
  pending(containerId: string): Attachment[] {
    return [...(this.byContainer.get(containerId) ?? [])].filter((a) => !a.connected && !a.isEnded)
  }

  /** Ends the attachments connected to the run that ended; pending ones stay for the next start. */
  endConnected(containerId: string, immediate: boolean): void {
    for (const a of [...(this.byContainer.get(containerId) ?? [])]) {
      if (!a.connected) continue
      if (immediate) a.end()
      else setTimeout(() => a.close(), this.drainMs).unref()
    }
  }

  /** The container is gone: every attachment ends. */
  endAll(containerId: string): void {
    for (const a of [...(this.byContainer.get(containerId) ?? [])]) a.end()
    this.byContainer.delete(containerId)
  }
}

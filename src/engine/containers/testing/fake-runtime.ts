/**
 * Recording fake of OciRuntime for engine tests: containers "run" until a test calls exit() or a
 * signal outside `ignoredSignals` arrives; exits are reported to watchExits asynchronously, as
 * the real exits-dir watcher does.
 */
import { EngineError, type Spec } from '../../../common/index.js'
import type { AttachConnection, ExitInfo, OciRuntime, RuntimeCreateOptions, RuntimeState } from '../../../runtime/oci-runtime.js'

export interface FakeRuntimeCall {
  op: 'create' | 'start' | 'kill' | 'delete' | 'state' | 'readExit' | 'attach' | 'resize' | 'purge'
  id: string
  arg?: unknown
}

interface FakeContainer {
  status: RuntimeState['status']
  pid: number
  exit?: ExitInfo
  conns: FakeConnection[]
}

export class FakeConnection implements AttachConnection {
  private readonly dataListeners: Array<(stream: 1 | 2, data: Buffer) => void> = []
  private readonly endListeners: Array<() => void> = []
  readonly written: Buffer[] = []
  ended = false
  stdinEnded = false

  onData(listener: (stream: 1 | 2, data: Buffer) => void): void {
    this.dataListeners.push(listener)
  }
  onEnd(listener: () => void): void {
    this.endListeners.push(listener)
  }
  write(data: Buffer): void {
    this.written.push(data)
  }
  /** Half-close from the client: the container's stdin sees EOF. */
  end(): void {
    this.stdinEnded = true
  }
  close(): void {
    this.finish()
  }
  emit(stream: 1 | 2, data: Buffer): void {
    for (const l of this.dataListeners) l(stream, data)
  }
  /** The container side closed (exit). */
  finish(): void {
    if (this.ended) return
    this.ended = true
    for (const l of this.endListeners) l()
  }
}

export class FakeRuntime implements OciRuntime {
  readonly name = 'crun'
  readonly calls: FakeRuntimeCall[] = []
  readonly containers = new Map<string, FakeContainer>()
  /** Signals the fake containers ignore (like busybox as PID 1 ignoring SIGTERM). */
  readonly ignoredSignals = new Set<number>()
  /** Make the next create() fail with this error. */
  failCreate: Error | undefined
  private readonly listeners = new Set<(id: string, exit: ExitInfo) => void>()
  private nextPid = 1000
  /** Set by tests to play a runtime that adds annotations to the spec. */
  specAnnotations?: (containerId: string, spec: Spec) => Record<string, string> | undefined

  async create(opts: RuntimeCreateOptions): Promise<{ pid: number }> {
    this.calls.push({ op: 'create', id: opts.containerId, arg: opts })
    await opts.ready
    if (this.failCreate) {
      const err = this.failCreate
      this.failCreate = undefined
      throw err
    }
    const pid = this.nextPid++
    this.containers.set(opts.containerId, { status: 'created', pid, conns: [] })
    return { pid }
  }

  async start(id: string): Promise<void> {
    this.calls.push({ op: 'start', id })
    const c = this.get(id)
    c.status = 'running'
  }

  async kill(id: string, signal: string | number): Promise<void> {
    this.calls.push({ op: 'kill', id, arg: signal })
    const c = this.get(id)
    if (c.status !== 'running' && c.status !== 'created') throw new EngineError('Conflict', 'NOT_RUNNING', 'container not running')
    const n = Number(signal)
    if (!this.ignoredSignals.has(n) || n === 9) this.exit(id, 128 + n)
  }

  async delete(id: string, opts?: { force?: boolean }): Promise<void> {
    this.calls.push({ op: 'delete', id, arg: opts })
    const c = this.containers.get(id)
    if (c && c.status !== 'stopped' && opts?.force) this.exit(id, 137)
    this.containers.delete(id)
  }

  async state(id: string): Promise<RuntimeState | undefined> {
    this.calls.push({ op: 'state', id })
    const c = this.containers.get(id)
    return c && { status: c.status, pid: c.status === 'stopped' ? 0 : c.pid }
  }

  async readExit(id: string): Promise<ExitInfo | undefined> {
    this.calls.push({ op: 'readExit', id })
    return this.containers.get(id)?.exit
  }

  watchExits(listener: (id: string, exit: ExitInfo) => void): { close(): void } {
    this.listeners.add(listener)
    return { close: () => this.listeners.delete(listener) }
  }

  async attach(id: string): Promise<AttachConnection> {
    this.calls.push({ op: 'attach', id })
    const c = this.get(id)
    if (c.status === 'stopped') throw new EngineError('Conflict', 'NOT_RUNNING', 'container exited')
    const conn = new FakeConnection()
    c.conns.push(conn)
    return conn
  }

  async purge(id: string): Promise<void> {
    this.calls.push({ op: 'purge', id })
  }

  async resize(id: string, rows: number, cols: number): Promise<void> {
    this.calls.push({ op: 'resize', id, arg: [rows, cols] })
  }

  /** The container's process exits: exit file written, attach sockets closed, watchers told. */
  exit(id: string, exitCode: number, oomKilled = false): void {
    const c = this.get(id)
    if (c.status === 'stopped') return
    c.status = 'stopped'
    c.exit = { exitCode, oomKilled, finishedAt: new Date('2024-01-01T00:00:10.000Z') }
    for (const conn of c.conns) conn.finish()
    const exit = c.exit
    setImmediate(() => {
      for (const l of this.listeners) l(id, exit)
    })
  }

  /** Output from the container on every attach connection. */
  output(id: string, stream: 1 | 2, data: string): void {
    for (const conn of this.get(id).conns) conn.emit(stream, Buffer.from(data))
  }

  callsOf(op: FakeRuntimeCall['op'], id?: string): FakeRuntimeCall[] {
    return this.calls.filter((c) => c.op === op && (id === undefined || c.id === id))
  }

  private get(id: string): FakeContainer {
    const c = this.containers.get(id)
    if (!c) throw new EngineError('NotFound', 'RUNTIME_NOT_FOUND', `container ${id} does not exist in the runtime`)
    return c
  }
}

/**
 * ExecManager: the ExecService over OciRuntime.exec (conmon exec mode). Exec instances live in
 * memory, as in dockerd, and go away with their container (its 'destroy' event).
 */
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { DEFAULT_DETACH_KEYS, EngineError, newId, parseDetachKeys, type Logger, type Process } from '../../common/index.js'
import type { EventBus } from '../events/index.js'
import type { OciRuntime } from '../../runtime/oci-runtime.js'
import { Attachment } from './attachment.js'
import { tweakCapabilities } from './capabilities.js'
import { containerTop, type PsRunner, type TopResult } from './container-top.js'
import { execProcess } from './exec-spec.js'
import type { ExecConfig, ExecRecord, ExecService, ExecStartOptions } from './exec-types.js'
import { effectiveUser, resolveUser } from './process-spec.js'
import { eventAttributes } from './record.js'
import { readRootfsFileSync } from './rootfs-files.js'
import type { ContainerAttachment, ContainerRecord, ContainerService } from './types.js'

export interface ExecManagerDeps {
  containers: Pick<ContainerService, 'resolve'>
  runtime: OciRuntime
  events: EventBus
  logger: Logger
  /** Capabilities the host can grant (its bounding set); default: all known. */
  availableCapabilities?: readonly string[]
  newId?: () => string
  /** Runs the host's ps (for top). */
  runPs?: PsRunner
  /** How long a resize waits for a just-started exec to run (ms). */
  resizeWaitMs?: number
}

interface ExecEntry {
  record: ExecRecord
  /** Settles once start() has the process running (or failed). */
  ready: Promise<void>
  markReady: () => void
  resize?: (rows: number, cols: number) => Promise<void>
}

function notRunning(record: ContainerRecord): EngineError | undefined {
  if (!record.state.running) return new EngineError('Conflict', 'CONTAINER_NOT_RUNNING', `container ${record.id} is not running`)
  if (record.state.paused || record.state.status === 'paused') {
    return new EngineError('Conflict', 'CONTAINER_PAUSED', `Container ${record.id} is paused, unpause the container before exec`)
  }
  if (record.state.restarting) {
    return new EngineError('Conflict', 'CONTAINER_RESTARTING', `Container ${record.id} is restarting, wait until the container is running`)
  }
  return undefined
}

/** Docker's wording for a process the runtime could not start. */
function startFailure(message: string): string {
  return `OCI runtime exec failed: exec failed: unable to start container process: ${message}: unknown`
}

export class ExecManager implements ExecService {
  private readonly execs = new Map<string, ExecEntry>()
  private readonly processes = new ContainerProcesses()

  constructor(private readonly deps: ExecManagerDeps) {
    deps.events.subscribe((event) => {
      if (event.type === 'container' && event.action === 'destroy') {
        for (const [id, entry] of this.execs) if (entry.record.containerId === event.actor.id) this.execs.delete(id)
        this.processes.forget(event.actor.id)
      }
    })
  }

  async create(containerNameOrId: string, config: ExecConfig): Promise<{ id: string }> {
    const container = await this.deps.containers.resolve(containerNameOrId)
    const conflict = notRunning(container)
    if (conflict) throw conflict
    if (config.cmd.length === 0) throw new EngineError('InvalidArgument', 'NO_EXEC_COMMAND', 'No exec command specified')
    if (config.detachKeys) {
      try {
        parseDetachKeys(config.detachKeys)
      } catch {
        throw new EngineError('InvalidArgument', 'INVALID_DETACH_KEYS', `Invalid escape keys (${config.detachKeys}) provided`)
      }
    }
    const id = (this.deps.newId ?? newId)()
    let markReady = (): void => {}
    const ready = new Promise<void>((resolve) => (markReady = resolve))
    this.execs.set(id, {
      record: { id, containerId: container.id, config: structuredClone(config), running: false, exitCode: null, pid: 0, started: false },
      ready,
      markReady,
    })
    this.publish(container, `exec_create: ${config.cmd.join(' ')}`, id)
    return { id }
  }

  inspect(execId: string): ExecRecord {
    return structuredClone(this.entry(execId).record)
  }

  private entry(execId: string): ExecEntry {
    const entry = this.execs.get(execId)
    if (!entry) throw new EngineError('NotFound', 'EXEC_NOT_FOUND', `No such exec instance: ${execId}`)
    return entry
  }

  private publish(container: ContainerRecord, action: string, execId: string, extra: Record<string, string> = {}): void {
    this.deps.events.publish('container', action, container.id, eventAttributes(container, { execID: execId, ...extra }))
  }

  async start(execId: string, opts: ExecStartOptions): Promise<ContainerAttachment | undefined> {
    const entry = this.entry(execId)
    const exec = entry.record
    if (exec.started) {
      if (exec.running) throw new EngineError('Conflict', 'EXEC_RUNNING', `Error: Exec command ${execId} is already running`)
      throw new EngineError('Conflict', 'EXEC_DONE', `Error: Exec command ${execId} has already run`)
    }
    exec.started = true
    try {
      return await this.run(entry, opts)
    } catch (err) {
      // As dockerd: an exec that could not start has exit code 126, 127 when the executable is missing.
      exec.running = false
      exec.exitCode = err instanceof EngineError && err.code === 'EXEC_NOT_FOUND' ? 127 : 126
      if (err instanceof EngineError && /^EXEC_(NOT_FOUND|PERMISSION|START_FAILED)$/.test(err.code)) {
        throw new EngineError('InvalidArgument', err.code, startFailure(err.message), { cause: err })
      }
      throw err
    } finally {
      entry.markReady()
    }
  }

  private async run(entry: ExecEntry, opts: ExecStartOptions): Promise<ContainerAttachment | undefined> {
    const { runtime } = this.deps
    const exec = entry.record
    const config = exec.config
    if (!runtime.exec) throw new EngineError('NotImplemented', 'EXEC_UNSUPPORTED', `Cannot exec in container ${exec.containerId}: the runtime cannot exec`)
    const container = await this.deps.containers.resolve(exec.containerId)
    const conflict = notRunning(container)
    if (conflict) throw conflict

    // Read on every exec, as dockerd does: the container may have changed its users since the last.
    // Synchronously: three small files, cheaper than a dozen thread-pool round trips.
    const passwd = readRootfsFileSync(container.rootfsPath, '/etc/passwd')
    const group = readRootfsFileSync(container.rootfsPath, '/etc/group')
    const base = this.processes.get(container.id, container.bundleDir)
    const user = resolveUser(config.user || effectiveUser(container.spec, container.imageConfig), passwd, group)
    const process = execProcess({
      base,
      spec: container.spec,
      imageConfig: container.imageConfig,
      hostname: container.spec.hostname || container.id.slice(0, 12),
      config,
      user,
      allCapabilities: tweakCapabilities({ privileged: true, available: this.deps.availableCapabilities }),
    })
    const size = opts.consoleSize ?? config.consoleSize
    const attachStdin = !opts.detach && config.attachStdin === true
    const proc = await runtime.exec({
      containerId: container.id,
      execId: exec.id,
      process,
      openStdin: attachStdin,
      detach: opts.detach === true,
      consoleSize: size && size[0] > 0 && size[1] > 0 ? { rows: size[0], cols: size[1] } : undefined,
    })
    exec.running = true
    exec.pid = proc.pid
    entry.resize = proc.resize
    this.publish(container, `exec_start: ${config.cmd.join(' ')}`, exec.id)

    const recorded = proc.exited.then(
      (code) => {
        exec.running = false
        exec.exitCode = code
        this.publish(container, 'exec_die', exec.id, { exitCode: String(code) })
      },
      (err: unknown) => {
        exec.running = false
        exec.exitCode ??= 126
        this.deps.logger.warn('exec session failed', { execId: exec.id, error: err })
      },
    )
    if (opts.detach) {
      proc.attach.close()
      return undefined
    }
    const attachment = new Attachment({ stdin: attachStdin, stdout: config.attachStdout === true, stderr: config.attachStderr === true })
    if (attachStdin && config.tty) {
      attachment.useDetachKeys(parseDetachKeys(config.detachKeys || DEFAULT_DETACH_KEYS), () => this.publish(container, 'exec_detach', exec.id))
    }
    const conn = proc.attach
    attachment.connect({
      onData: (l) => conn.onData(l),
      // The stream ends once the exit code is recorded, so the client's inspect that follows sees it.
      onEnd: (l) => conn.onEnd(() => void recorded.then(l)),
      write: (d) => conn.write(d),
      end: () => conn.end?.(),
      close: () => conn.close(),
    })
    return attachment
  }

  async top(containerNameOrId: string, psArgs?: string): Promise<TopResult> {
    const container = await this.deps.containers.resolve(containerNameOrId)
    if (!container.state.running) throw new EngineError('Conflict', 'CONTAINER_NOT_RUNNING', `container ${container.id} is not running`)
    if (container.state.restarting) {
      throw new EngineError('Conflict', 'CONTAINER_RESTARTING', `Container ${container.id} is restarting, wait until the container is running`)
    }
    if (!this.deps.runPs) throw new EngineError('NotImplemented', 'TOP_UNSUPPORTED', 'Cannot list processes: no ps available')
    return containerTop(this.deps.runPs, `/berth/${container.id}`, psArgs)
  }

  async resize(execId: string, rows: number, cols: number): Promise<void> {
    const entry = this.entry(execId)
    if (!entry.record.started) throw new EngineError('Conflict', 'EXEC_NOT_STARTED', `Exec ${execId} is not running`)
    // The client resizes as soon as its stream is up, which can be before the process runs.
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((_, reject) => {
      timer = setTimeout(() => reject(new EngineError('Internal', 'EXEC_RESIZE_TIMEOUT', 'timeout waiting for exec session ready')), this.deps.resizeWaitMs ?? 10_000)
    })
    try {
      await Promise.race([entry.ready, timeout])
    } finally {
      clearTimeout(timer)
    }
    if (!entry.record.running || !entry.resize) throw new EngineError('Conflict', 'EXEC_NOT_RUNNING', `Exec ${execId} is not running`)
    await entry.resize(rows, cols)
  }
}

/**
 * The process of each container's OCI config (capabilities, rlimits...), parsed again only when
 * config.json changed or was replaced (a stat instead of reading and parsing ~10 kB per exec).
 * A returned process is shared: callers copy what they change.
 */
export class ContainerProcesses {
  private readonly byContainer = new Map<string, { version: string; process: Process | undefined }>()

  /** undefined when config.json cannot be read or parsed. */
  get(containerId: string, bundleDir: string): Process | undefined {
    const path = join(bundleDir, 'config.json')
    let version: string
    try {
      const st = statSync(path)
      version = `${path}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`
    } catch {
      this.byContainer.delete(containerId)
      return undefined
    }
    const cached = this.byContainer.get(containerId)
    if (cached?.version === version) return cached.process
    const process = readContainerProcess(path)
    this.byContainer.set(containerId, { version, process })
    return process
  }

  forget(containerId: string): void {
    this.byContainer.delete(containerId)
  }
}

function readContainerProcess(path: string): Process | undefined {
  try {
    const spec = JSON.parse(readFileSync(path, 'utf8')) as { process?: Process }
    return spec.process
  } catch {
    return undefined
  }
}

/**
 * ContainerManager: the ContainerService over an OciRuntime (conmon + crun), a Snapshotter and the
 * ImageService. It owns the container records and decides which operation is allowed in which
 * state; ContainerLifecycle runs start/exit/stop/remove, the runtime only executes.
 */
import { access, chown, mkdir, rm } from 'node:fs/promises'
import { hostname as osHostname } from 'node:os'
import { join } from 'node:path'
import { EngineError, digestHex, newId, remappedRoot, type CgroupStats, type IdMappings, type Logger, isoTime } from '../../common/index.js'
import type { EventBus } from '../events/index.js'
import type { ImageService } from '../images/index.js'
import type { Snapshotter } from '../layers/index.js'
import type { OciRuntime } from '../../runtime/oci-runtime.js'
import type { Readable, Writable } from 'node:stream'
import { AttachmentRegistry } from './attachment.js'
import {
  archiveContainerPath, exportRootfs, extractIntoContainer, statContainerPath, upperChanges, type ExtractOptions, type FileChange,
  type PathStat,
} from './container-fs.js'
import { validateCapabilities } from './capabilities.js'
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from '../../common/index.js'
import { writeEtcFiles } from './container-files.js'
import type { ContainerHooks } from './hooks.js'
import { ContainerLifecycle } from './container-lifecycle.js'
import { ContainerResources } from './container-resources.js'
import { checkResources, defaultResources, type HostResourceFacts } from './resource-limits.js'
import { ContainerStore, noSuchContainer, validateContainerName } from './container-store.js'
import { filterContainers } from './list-filter.js'
import { logPolicy, normalizeLogConfig } from './log-config.js'
import { readLogBatches, readLogs } from './log-reader.js'
import { LogRotation } from './log-rotation.js'
import { resolveCommand, resolveWorkingDir } from './process-spec.js'
import { newContainerRecord } from './record.js'
import { restartPolicyError, startsWithDaemon } from './restart-policy.js'
import { validateModes } from './security-spec.js'
import { validateUserns } from './userns-spec.js'
import { containerHealthMonitor, validateHealthcheck, type HealthMonitor } from './health.js'
import { parseSignal } from './signals.js'
import { ExitWaiters, KeyedLock } from './sync.js'
import type {
  ContainerAttachment, ContainerListOptions, ContainerRecord, ContainerService, ContainerSpec, ContainerStatsSample,
  LogEntry, LogsOptions, WaitCondition,
} from './types.js'

export interface ContainerManagerDeps {
  dataRoot: string
  runtime: OciRuntime
  snapshotter: Snapshotter
  images: ImageService
  events: EventBus
  logger: Logger
  clock?: () => Date
  /** The host's RLIMIT_NOFILE hard limit; containers never ask for more. */
  hostNofileLimit?: number
  /** Binary mounted at /sbin/docker-init for --init (default /usr/bin/tini-static). */
  initPath?: string
  /** Recorded in each container ("crun" | "runc"). */
  runtimeName: string
  /** Capabilities the host can grant (its bounding set); default: all known. */
  availableCapabilities?: readonly string[]
  /** Host files the container's resolv.conf and (host network) hosts are made from. */
  hostResolvConfPath?: string
  hostHostsPath?: string
  hostHostname?: () => string
  /** How long attach streams may keep delivering after an exit before they are ended (ms). */
  attachDrainMs?: number
  /** How long to wait for an exit after SIGKILL (ms). */
  killTimeoutMs?: number
  /** Interval of the readExit fallback while waiting for an exit (ms). */
  exitPollMs?: number
  /** Interval of the log size check of containers with a max-size log policy (ms). */
  logCheckIntervalMs?: number
  /** Services that attach resources to containers (volumes, networks), in order; see hooks.ts. */
  hooks?: readonly ContainerHooks[]
  /** Host facts resource limits are checked against (CPU count, optional cgroup features). */
  hostResources?: HostResourceFacts
  /** Reads a cgroup's usage ("/berth/<id>"); without it stats report no usage. */
  readCgroupStats?: (cgroupPath: string) => Promise<CgroupStats>
  /** --userns-remap: containers run in a user namespace with these mappings (unless UsernsMode is "host"). */
  userns?: IdMappings
  /** The networks a container is attached to, for the `network` list filter (default: none). */
  attachedNetworks?: (containerId: string) => ReadonlyArray<{ id: string; name: string }>
  /** Deletes the directory tree of a removed container (default: fs.rm). */
  removeTree?: (path: string) => Promise<void>
}

export class ContainerManager implements ContainerService {
  private readonly store: ContainerStore
  private readonly lock = new KeyedLock()
  private readonly waiters = new ExitWaiters()
  private readonly attachments: AttachmentRegistry
  private readonly lifecycle: ContainerLifecycle
  private readonly resources: ContainerResources
  private readonly health: HealthMonitor
  private readonly hostResources: HostResourceFacts
  private readonly logRotation: LogRotation
  private readonly clock: () => Date
  private readonly exitWatch: { close(): void }
  private loaded: Promise<void> | undefined
  private isLoaded = false

  constructor(private readonly deps: ContainerManagerDeps) {
    this.store = new ContainerStore(join(deps.dataRoot, 'containers'), deps.logger, deps.removeTree)
    this.clock = deps.clock ?? (() => new Date())
    this.attachments = new AttachmentRegistry(deps.attachDrainMs ?? 1000)
    this.logRotation = new LogRotation({
      reopenLog: async (id) => {
        if (!deps.runtime.reopenLog) throw new EngineError('NotImplemented', 'REOPEN_LOG_UNSUPPORTED', `Cannot rotate the log of container ${id}: the runtime cannot reopen logs`)
        await deps.runtime.reopenLog(id)
      },
      logger: deps.logger,
      intervalMs: deps.logCheckIntervalMs,
    })
    this.health = containerHealthMonitor({
      runtime: deps.runtime, lock: this.lock, store: this.store, clock: this.clock,
      publish: (record, action) => this.lifecycle.publish(record, action),
    })
    this.lifecycle = new ContainerLifecycle({
      store: this.store,
      lock: this.lock,
      waiters: this.waiters,
      attachments: this.attachments,
      runtime: deps.runtime,
      snapshotter: deps.snapshotter,
      images: deps.images,
      events: deps.events,
      logger: deps.logger,
      logRotation: this.logRotation,
      clock: this.clock,
      specOptions: { hostNofileLimit: deps.hostNofileLimit, initPath: deps.initPath, availableCapabilities: deps.availableCapabilities, userns: deps.userns },
      killTimeoutMs: deps.killTimeoutMs ?? 30_000,
      exitPollMs: deps.exitPollMs ?? 1000,
      hooks: deps.hooks ?? [],
      health: this.health,
    })
    this.hostResources = deps.hostResources ?? { ncpu: 1, blkioWeight: true, swapLimit: true }
    this.resources = new ContainerResources({
      store: this.store, lock: this.lock, lifecycle: this.lifecycle, runtime: deps.runtime, host: this.hostResources,
      readCgroupStats: deps.readCgroupStats, clock: this.clock, images: deps.images, events: deps.events, logger: deps.logger,
    })
    this.exitWatch = deps.runtime.watchExits((id, exit) => {
      this.load()
        .then(() => this.lifecycle.processExit(id, exit))
        .catch((err) => deps.logger.error('failed to process container exit', { id, error: err }))
    })
  }

  /** Stops watching exits (daemon shutdown, tests). Containers keep running. */
  close(): void {
    this.exitWatch.close()
    this.lifecycle.restarts.close()
    this.health.close()
    void this.logRotation.close()
  }

  private load(): Promise<void> {
    this.loaded ??= this.store.load().then(() => {
      this.isLoaded = true
    })
    return this.loaded
  }

  private now(): string {
    return isoTime(this.clock())
  }

  async create(spec: ContainerSpec, name?: string): Promise<{ id: string; warnings: string[] }> {
    await this.load()
    const image = await this.deps.images.resolve(spec.image)
    const imageConfig = image.config.config ?? {}
    const command = resolveCommand(spec, imageConfig)
    resolveWorkingDir(spec.workingDir, imageConfig)
    validateCapabilities(spec.host.capAdd, spec.host.capDrop)
    const policyProblem = restartPolicyError(spec.host.restartPolicy, spec.host.autoRemove === true)
    if (policyProblem) throw new EngineError('InvalidArgument', 'INVALID_RESTART_POLICY', policyProblem)
    const raw = { ...(spec.host.raw ?? {}) }
    validateModes(raw)
    validateUserns(raw, spec.host.privileged === true, spec.host.networkMode, this.deps.userns)
    validateHealthcheck(spec.healthcheck)
    defaultResources(raw)
    const checked = checkResources(raw, this.hostResources)
    if (checked.error) throw new EngineError('InvalidArgument', 'INVALID_RESOURCES', checked.error)
    spec = { ...spec, host: { ...spec.host, raw } }
    const logConfig = normalizeLogConfig(spec.host.logConfig)
    logPolicy(logConfig)

    const id = newId()
    let containerName: string
    if (name) {
      containerName = validateContainerName(name)
      this.store.reserveName(containerName, id)
    } else {
      containerName = this.store.reserveGeneratedName(id)
    }
    const dir = this.store.dir(id)
    const hostNetwork = spec.host.networkMode === 'host'
    const hostname = spec.hostname || (hostNetwork ? (this.deps.hostHostname ?? osHostname)() : id.slice(0, 12))
    const record = newContainerRecord({
      id, name: containerName, created: this.now(), spec: { ...spec, hostname, host: { ...spec.host, logConfig } }, image, command, dir, runtime: this.deps.runtimeName,
    })
    // A --rm container is thrown away at exit, and after a host crash (dockerd removes --rm containers
    // it finds at start): its record and snapshot are written without the fsyncs that make them durable.
    const durable = spec.host.autoRemove !== true
    let prepared = false
    const created: ContainerHooks[] = []
    try {
      const hooked = (async () => {
        for (const hook of this.deps.hooks ?? []) {
          created.push(hook)
          await hook.onCreate?.(record)
        }
      })()
      const dirMade = (async () => {
        await mkdir(dir, { recursive: true, mode: 0o710 })
        // The remapped root reaches its rootfs and /etc files through the group bit (dockerd: root:<remapped gid> 0710).
        if (this.deps.userns) await chown(dir, 0, remappedRoot(this.deps.userns).gid)
      })()
      // The hooks (which neither read nor write the container's directory) and the directory's files are
      // independent of each other: made concurrently, and all settled before any cleanup.
      const [hooks, etc, snapshot] = await Promise.allSettled([
        hooked,
        dirMade.then(() => writeEtcFiles(record, {
          resolvConfPath: this.deps.hostResolvConfPath ?? '/etc/resolv.conf',
          hostsPath: this.deps.hostHostsPath ?? '/etc/hosts',
        })),
        dirMade.then(() => this.deps.snapshotter.prepare(id, image.topChainId, durable ? {} : { volatile: true })),
      ])
      prepared = snapshot.status === 'fulfilled'
      for (const result of [hooks, snapshot, etc]) if (result.status === 'rejected') throw result.reason
      await this.store.save(record, { durable })
    } catch (err) {
      this.store.releaseName(containerName, id)
      for (const hook of created.reverse()) {
        await hook.onRemove?.(record, { removeVolumes: true }).catch((e: unknown) => this.deps.logger.warn(`cleanup: ${hook.name} release failed`, { id, error: e }))
      }
      if (prepared) await this.deps.snapshotter.removeSnapshot(id).catch((e) => this.deps.logger.warn('cleanup: remove snapshot failed', { id, error: e }))
      await rm(dir, { recursive: true, force: true })
      throw err
    }
    this.lifecycle.publish(record, 'create')
    return { id, warnings: checked.warnings }
  }

  async resolve(nameOrId: string): Promise<ContainerRecord> {
    await this.load()
    return structuredClone(this.store.resolve(nameOrId))
  }

  async list(opts: ContainerListOptions = {}): Promise<ContainerRecord[]> {
    await this.load()
    let ancestorImageIds: Set<string> | undefined
    const ancestors = opts.filters?.['ancestor'] ?? []
    if (ancestors.length > 0) {
      ancestorImageIds = new Set()
      for (const ref of ancestors) {
        try {
          ancestorImageIds.add((await this.deps.images.resolve(ref)).id)
        } catch (err) {
          if (!(err instanceof EngineError && err.kind === 'NotFound')) throw err
        }
      }
    }
    const selected = filterContainers(this.store.all(), opts, {
      lookup: (x) => this.store.resolve(x), ancestorImageIds, networksOf: this.deps.attachedNetworks,
    })
    return opts.readOnly ? selected : selected.map((r) => structuredClone(r))
  }

  revision(containerId: string): number {
    return this.store.revision(containerId)
  }

  async start(nameOrId: string): Promise<void> {
    await this.load()
    const { id } = this.store.resolve(nameOrId)
    await this.lock.run(id, async () => {
      const record = this.store.get(id)
      if (!record) throw noSuchContainer(nameOrId)
      if (record.state.running || record.state.restarting) throw new EngineError('NotModified', 'ALREADY_STARTED', 'Container already started')
      if (this.lifecycle.isRemoving(id) || record.state.status === 'removing') {
        throw new EngineError('Conflict', 'REMOVAL_IN_PROGRESS', `cannot start container "/${record.name}": removal in progress`)
      }
      // A start by a client: the restart policy applies again, counting from zero (moby ResetRestartManager).
      this.lifecycle.restarts.reset(id)
      record.restartCount = 0
      record.manuallyStopped = false
      await this.lifecycle.startLocked(record)
    }).catch(async (err: unknown) => {
      // As dockerd: a --rm container that fails to start is removed (the docker CLI waits for that).
      const record = this.store.get(id)
      if (record?.spec.host.autoRemove && !record.state.running && !(err instanceof EngineError && err.kind === 'NotModified')) {
        await this.lifecycle.removeRecord(id).catch((e: unknown) => this.deps.logger.warn('auto-remove after failed start failed', { id, error: e }))
      }
      throw err
    })
  }

  async stop(nameOrId: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    await this.load()
    const record = this.store.resolve(nameOrId)
    const signal = parseSignal(opts.signal || record.spec.stopSignal || record.imageConfig.StopSignal || 'SIGTERM')
    if (record.state.restarting) {
      await this.lifecycle.stopRestarting(record)
      this.lifecycle.publish(record, 'stop')
      return
    }
    if (!record.state.running) throw new EngineError('NotModified', 'NOT_RUNNING', 'Container already stopped')
    await this.lock.run(record.id, () => this.lifecycle.markManuallyStopped(record, true))
    await this.lifecycle.stop(record, signal, opts.timeout ?? record.spec.stopTimeout ?? 10)
  }

  async restart(nameOrId: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    await this.load()
    const record = this.store.resolve(nameOrId)
    // As dockerd: the stop of a restart neither triggers the restart policy nor removes a --rm container.
    await this.lifecycle.withoutExitPolicies(record.id, async () => {
      if (record.state.running || record.state.restarting) await this.stop(record.id, opts)
      await this.start(record.id)
    })
    this.lifecycle.publish(record, 'restart')
  }

  async kill(nameOrId: string, signal: string = 'SIGKILL'): Promise<void> {
    await this.load()
    const record = this.store.resolve(nameOrId)
    const number = parseSignal(signal)
    if (record.state.restarting) {
      // Nothing runs: the pending restart is dropped, as dockerd tells its monitor not to restart.
      await this.lifecycle.stopRestarting(record)
      return
    }
    if (!record.state.running) throw new EngineError('Conflict', 'NOT_RUNNING', `Container ${record.id} is not running`)
    await this.lock.run(record.id, () => this.lifecycle.markManuallyStopped(record, true))
    if (number === 9) await this.lifecycle.killAndWait(record)
    else await this.lifecycle.signal(record, number)
  }

  async wait(nameOrId: string, condition: WaitCondition = 'not-running', signal?: AbortSignal): Promise<{ statusCode: number; error?: string }> {
    await this.load()
    const record = this.store.resolve(nameOrId)
    if (condition === 'not-running' && !record.state.running) return { statusCode: record.state.exitCode }
    const statusCode = condition === 'removed'
      ? await this.waiters.removed(record.id, signal)
      : await this.waiters.nextExit(record.id, signal)
    return { statusCode }
  }

  async remove(nameOrId: string, opts: { force?: boolean; removeVolumes?: boolean } = {}): Promise<void> {
    await this.load()
    const record = this.store.resolve(nameOrId)
    if (record.state.restarting) {
      if (!opts.force) {
        throw new EngineError(
          'Conflict',
          'CONTAINER_RESTARTING',
          `cannot remove container "/${record.name}": container is restarting: stop the container before removing or force remove`,
        )
      }
      await this.lock.run(record.id, () => this.lifecycle.cancelRestart(record))
    }
    if (record.state.running) {
      if (!opts.force) {
        throw new EngineError(
          'Conflict',
          'CONTAINER_RUNNING',
          `cannot remove container "/${record.name}": container is running: stop the container before removing or force remove`,
        )
      }
      await this.lifecycle.killAndWait(record)
    }
    await this.lifecycle.removeRecord(record.id, { removeVolumes: opts.removeVolumes === true })
  }

  async rename(nameOrId: string, newName: string): Promise<void> {
    await this.load()
    const record = this.store.resolve(nameOrId)
    const name = validateContainerName(newName)
    if (name === record.name) {
      throw new EngineError('InvalidArgument', 'SAME_NAME', 'Renaming a container with the same name as its current name')
    }
    const oldName = record.name
    await this.store.rename(record, name)
    this.lifecycle.publish(record, 'rename', { oldName: `/${oldName}` })
  }

  logs(nameOrId: string, opts: LogsOptions): AsyncIterable<LogEntry[]> {
    // Resolve now when possible so an unknown container fails the call itself.
    const early = this.isLoaded ? this.store.resolve(nameOrId) : undefined
    if (early) assertLogsReadable(early)
    return this.logEntries(early?.id ?? nameOrId, opts)
  }

  private async *logEntries(nameOrId: string, opts: LogsOptions): AsyncGenerator<LogEntry[]> {
    await this.load()
    const record = this.store.resolve(nameOrId)
    assertLogsReadable(record)
    const isDone = record.state.running && opts.follow ? this.waiters.nextExit(record.id, opts.signal) : Promise.resolve(0)
    isDone.catch(() => undefined)
    yield* readLogBatches(record.logPath, { ...opts, isDone })
  }

  async attach(
    nameOrId: string,
    opts: { stdin: boolean; stdout: boolean; stderr: boolean; logs?: boolean; stream?: boolean; detachKeys?: string },
  ): Promise<ContainerAttachment> {
    await this.load()
    const record = this.store.resolve(nameOrId)
    // As dockerd: the detach sequence is looked for in TTY stdin only.
    const detachKeys = opts.stdin && record.spec.tty ? parseDetachKeys(opts.detachKeys || DEFAULT_DETACH_KEYS) : undefined
    const attachment = this.attachments.create(record.id, opts)
    if (detachKeys) attachment.useDetachKeys(detachKeys, () => this.lifecycle.publish(record, 'detach'))
    if (opts.logs && keepsLog(record)) {
      for await (const entry of readLogs(record.logPath, { stdout: opts.stdout, stderr: opts.stderr, follow: false })) {
        attachment.emit(entry.stream === 'stdout' ? 1 : 2, entry.line)
      }
    }
    if (opts.stream === false) {
      attachment.end()
      return attachment
    }
    await this.lock.run(record.id, async () => {
      const current = this.store.get(record.id)
      if (!current) throw noSuchContainer(nameOrId)
      this.attachments.add(record.id, attachment)
      if (!current.state.running) return
      try {
        attachment.connect(await this.deps.runtime.attach(record.id))
      } catch (err) {
        // It exited between the check and the connect: the client sees the stream end.
        this.deps.logger.debug('attach to running container failed', { id: record.id, error: err })
        attachment.end()
      }
    })
    this.lifecycle.publish(record, 'attach')
    return attachment
  }

  async resize(nameOrId: string, rows: number, cols: number): Promise<void> {
    await this.load()
    const record = this.store.resolve(nameOrId)
    if (!record.state.running) throw new EngineError('Conflict', 'NOT_RUNNING', `Container ${record.id} is not running`)
    await this.deps.runtime.resize(record.id, rows, cols)
  }

  async pause(nameOrId: string): Promise<void> {
    await this.load()
    await this.resources.pause(this.store.resolve(nameOrId))
  }

  async unpause(nameOrId: string): Promise<void> {
    await this.load()
    await this.resources.unpause(this.store.resolve(nameOrId))
  }

  async update(nameOrId: string, update: Record<string, unknown>): Promise<{ warnings: string[] }> {
    await this.load()
    return this.resources.update(this.store.resolve(nameOrId), update)
  }

  async stats(nameOrId: string): Promise<ContainerStatsSample> {
    await this.load()
    return this.resources.stats(this.store.resolve(nameOrId))
  }

  /** Runs fn with the rootfs mounted, under the container's lock (cp, diff, export). */
  /**
   * Runs `fn` on the container's root directory. With `withMounts` and a running container, that is
   * its init process's view (/proc/<pid>/root), where volumes, binds and the /etc files berth mounts
   * are visible as the container sees them (Docker's cp shows mounted content too); otherwise the
   * overlay rootfs alone, mounted for the call if needed (export never includes volumes, as Docker's).
   */
  private async withRootfs<T>(nameOrId: string, fn: (rootfs: string, record: ContainerRecord) => Promise<T>, withMounts = false): Promise<T> {
    await this.load()
    const { id } = this.store.resolve(nameOrId)
    return this.lock.run(id, async () => {
      const record = this.store.get(id)
      if (!record) throw noSuchContainer(nameOrId)
      if (withMounts && record.state.running && record.state.pid > 0) {
        const root = `/proc/${record.state.pid}/root`
        if (await access(root).then(() => true, () => false)) return fn(root, record)
      }
      return this.lifecycle.withRootfs(record, (rootfs) => fn(rootfs, record))
    }).catch((err: unknown) => {
      // Docker names the container as the client did: "Could not find the file /x in container web".
      if (err instanceof EngineError && err.code === 'NO_SUCH_PATH') throw new EngineError('NotFound', 'NO_SUCH_PATH', `${err.message} ${nameOrId}`)
      throw err
    })
  }

  archiveStat(nameOrId: string, path: string): Promise<PathStat> {
    return this.withRootfs(nameOrId, (rootfs) => statContainerPath(rootfs, path), true)
  }

  /** Resolves with the stat once the path is found; the tar is written to the stream `open` returns. */
  archive(nameOrId: string, path: string, open: (stat: PathStat) => Writable): Promise<void> {
    return this.withRootfs(nameOrId, async (rootfs) => {
      const stat = await statContainerPath(rootfs, path.endsWith('/.') ? path.slice(0, -2) || '/' : path)
      await archiveContainerPath(rootfs, path, open(stat), this.deps.userns)
    }, true)
  }

  extractArchive(nameOrId: string, path: string, input: Readable, opts: ExtractOptions = {}): Promise<void> {
    return this.withRootfs(nameOrId, async (rootfs, record) => {
      if (record.spec.host.readonlyRootfs) {
        throw new EngineError('Conflict', 'READONLY_ROOTFS', 'container rootfs is marked read-only')
      }
      await extractIntoContainer(rootfs, path, input, { ...opts, idMappings: this.deps.userns })
    }, true)
  }

  async changes(nameOrId: string): Promise<FileChange[]> {
    await this.load()
    const record = this.store.resolve(nameOrId)
    const image = await this.deps.images.resolve(record.imageId).catch(() => undefined)
    const lowers = image?.topChainId && this.deps.snapshotter.lowerDirs ? await this.deps.snapshotter.lowerDirs(image.topChainId) : []
    return upperChanges(this.deps.snapshotter.upperDir(record.id), lowers)
  }

  exportRootfs(nameOrId: string, out: Writable): Promise<void> {
    return this.withRootfs(nameOrId, (rootfs) => exportRootfs(rootfs, out, this.deps.userns))
  }

  async sizes(nameOrId: string): Promise<{ sizeRw: number; sizeRootFs: number }> {
    await this.load()
    return this.resources.sizes(this.store.resolve(nameOrId))
  }

  async prune(filters?: Record<string, string[]>): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    await this.load()
    return this.resources.prune(filters)
  }

  isImageUsed(imageId: string): boolean {
    return this.containerUsingImage(imageId) !== undefined
  }

  containerUsingImage(imageId: string): { containerId: string; running: boolean } | undefined {
    const hex = digestHex(imageId)
    const users = this.store.all().filter((r) => digestHex(r.imageId) === hex)
    const user = users.find((r) => r.state.running) ?? users[0]
    return user && { containerId: user.id, running: user.state.running }
  }

  async restore(): Promise<void> {
    await this.load()
    for (const record of this.store.all()) {
      try {
        if (record.state.status === 'removing') await this.lifecycle.finishRemoval(record.id)
        else if (record.state.running) await this.lifecycle.restoreRunning(record)
        else if (record.state.restarting || startsWithDaemon(record)) await this.lifecycle.restoreStopped(record)
        // As dockerd's restore: a --rm container not running (exited while its removal was lost, or created
        // and never started) is removed, with its anonymous volumes.
        else if (record.spec.host.autoRemove) await this.lifecycle.removeRecord(record.id, { removeVolumes: true })
      } catch (err) {
        this.deps.logger.error('restoring container failed', { id: record.id, error: err })
      }
    }
  }
}

/** False for the "none" log driver, which keeps no log. */
function keepsLog(record: ContainerRecord): boolean {
  return normalizeLogConfig(record.spec.host.logConfig).type !== 'none'
}

/** Docker's answer to `docker logs` for a driver that keeps nothing (moby logger.ErrReadLogsNotSupported). */
function assertLogsReadable(record: ContainerRecord): void {
  if (!keepsLog(record)) {
    throw new EngineError('NotImplemented', 'LOGS_NOT_SUPPORTED', 'configured logging driver does not support reading')
  }
}

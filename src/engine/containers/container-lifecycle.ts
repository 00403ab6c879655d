/**
 * The running part of the container state machine: start, exit processing, signalling with
 * escalation, removal and reconnecting after a daemon restart. Used by ContainerManager only.
 *
 * Concurrency: start, exit processing and removal run under the per-container lock. Signalling
 * never holds it while waiting: it waits for the exit to be processed (runtime.watchExits, with
 * readExit polling as a fallback).
 */
import { rm } from 'node:fs/promises'
import { release } from 'node:os'
import { join } from 'node:path'
import { EngineError, digestHex, remappedRoot, writeJsonAtomic, type Logger, isoTime } from '../../common/index.js'
import type { EventBus } from '../events/index.js'
import type { Snapshotter } from '../layers/index.js'
import type { ImageService } from '../images/index.js'
import type { ExitInfo, OciRuntime } from '../../runtime/oci-runtime.js'
import type { AttachmentRegistry } from './attachment.js'
import type { ContainerStore } from './container-store.js'
import { mergeContributions, type ContainerHooks } from './hooks.js'
import { conmonLogSizeLimit, logPolicy } from './log-config.js'
import type { LogRotation } from './log-rotation.js'
import { ociSpec, type OciSpecOptions } from './oci-spec.js'
import { effectiveUser, resolveUser } from './process-spec.js'
import { eventAttributes, exitedState, runningState, startError, startFailedState } from './record.js'
import { effectiveHealthcheck, imageHealthcheck, type EffectiveHealthcheck, type HealthMonitor } from './health.js'
import { RestartTimers, shouldRestart } from './restart-policy.js'
import { readRootfsFile } from './rootfs-files.js'
import { resolveDevices } from './devices.js'
import { groupAddGids } from './security-spec.js'
import { usesRemappedUserns } from './userns-spec.js'
import { chownEtcFiles } from './container-files.js'
import type { ExitWaiters, KeyedLock } from './sync.js'
import type { ContainerRecord } from './types.js'

export interface LifecycleContext {
  store: ContainerStore
  lock: KeyedLock
  waiters: ExitWaiters
  attachments: AttachmentRegistry
  runtime: OciRuntime
  snapshotter: Snapshotter
  /** Frees layers of images force-removed while in use, once the last container using them is gone. */
  images: Pick<ImageService, 'pruneLayers'>
  events: EventBus
  logger: Logger
  /** Rotates the logs of running containers whose log policy has a max-size. */
  logRotation: LogRotation
  clock: () => Date
  specOptions: Pick<OciSpecOptions, 'hostNofileLimit' | 'initPath' | 'availableCapabilities' | 'userns'>
  /** How long to wait for an exit after SIGKILL (ms). */
  killTimeoutMs: number
  /** Interval of the readExit fallback while waiting for an exit (ms). */
  exitPollMs: number
  /** Services that attach resources (volumes, networks); see hooks.ts for the contract. */
  hooks: readonly ContainerHooks[]
  /** Runs HEALTHCHECKs of running containers. */
  health?: HealthMonitor
}

/** Saves of run-state changes: not fsynced, a restarted daemon reconciles them with the runtime. */
const RUN_STATE = { durable: false }

export class ContainerLifecycle {
  private readonly removals = new Map<string, Promise<void>>()
  /** Containers whose rootfs berth has mounted (and must unmount). */
  private readonly mounted = new Set<string>()
  /** Pending restarts of containers with a restart policy, and their back-off. */
  readonly restarts = new RestartTimers()
  /** Containers whose next exit must neither restart nor auto-remove them (a manual restart is under way). */
  private readonly keepOnExit = new Set<string>()
  /** Exited containers whose runtime state is still to be deleted (by their removal or next start). */
  private readonly runtimeLeft = new Set<string>()

  constructor(private readonly ctx: LifecycleContext) {}

  publish(record: ContainerRecord, action: string, extra?: Record<string, string>): void {
    this.ctx.events.publish('container', action, record.id, eventAttributes(record, extra))
  }

  isRemoving(id: string): boolean {
    return this.removals.has(id)
  }

  private warn(msg: string, id: string): (err: unknown) => void {
    return (error) => this.ctx.logger.warn(msg, { id, error })
  }

  /**
   * Mounts the rootfs, writes config.json, creates the container through conmon, connects pending
   * attachments, starts it and records it running. On failure everything is undone and the error
   * is recorded in the state. Caller holds the lock and has checked the container is not running.
   */
  async startLocked(record: ContainerRecord): Promise<void> {
    const { runtime, snapshotter } = this.ctx
    const id = record.id
    let created = false
    let hooksStarted = false
    let creating: Promise<{ pid: number }> | undefined
    const bundle = deferred()
    try {
      if (this.runtimeLeft.delete(id)) await runtime.delete(id).catch(this.warn('runtime delete before start failed', id))
      // The monitor starts now and waits for the bundle (rootfs, networking, config.json) made meanwhile.
      // An earlier run's config.json goes first: a monitor whose berthd dies before the bundle is complete
      // goes on to run the runtime, which must then find no bundle rather than an old one.
      const policy = logPolicy(record.spec.host.logConfig)
      creating = rm(join(record.bundleDir, 'config.json'), { force: true }).then(() => runtime.create({
        containerId: id,
        bundleDir: record.bundleDir,
        // The "none" driver keeps no log; conmon still needs somewhere to write.
        logPath: policy.driver === 'none' ? '/dev/null' : record.logPath,
        logMaxSize: conmonLogSizeLimit(policy),
        tty: record.spec.tty === true,
        openStdin: record.spec.openStdin === true,
        stdinOnce: record.spec.stdinOnce === true,
        ready: bundle.promise,
      }))
      // Its failure is reported when it is awaited (below, or in the cleanup).
      creating.catch(() => undefined)
      // Hooks that do not read the rootfs (networking) start while it is being mounted.
      const { hooks } = this.ctx
      hooksStarted = hooks.some((h) => h.startsBeforeRootfs)
      const early = hooks.map((h) => (h.startsBeforeRootfs ? Promise.resolve(h.onStart?.(record)) : undefined))
      try {
        if (!this.mounted.has(id)) {
          await snapshotter.mount(id, record.rootfsPath, this.mountOptions(record))
          this.mounted.add(id)
        }
      } finally {
        // Nothing is undone while an early hook is still setting up.
        await Promise.allSettled(early)
      }
      const user = resolveUser(
        effectiveUser(record.spec, record.imageConfig),
        await readRootfsFile(record.rootfsPath, '/etc/passwd'),
        await readRootfsFile(record.rootfsPath, '/etc/group'),
      )
      hooksStarted = true
      const contributions = []
      for (const [i, hook] of hooks.entries()) contributions.push(await (early[i] ?? hook.onStart?.(record)))
      const extra = mergeContributions(contributions)
      const userns = this.ctx.specOptions.userns
      if (usesRemappedUserns(record.spec.host.raw, userns)) await chownEtcFiles(record, remappedRoot(userns))
      const spec = ociSpec(record, user, {
        ...this.ctx.specOptions, extraMounts: extra.mounts, networkNamespacePath: extra.networkNamespacePath, extraEnv: extra.env,
        security: await this.securityContext(record),
      })
      const annotations = runtime.specAnnotations?.(id, spec)
      if (annotations) spec.annotations = { ...spec.annotations, ...annotations }
      await writeJsonAtomic(join(record.bundleDir, 'config.json'), spec, RUN_STATE)
      bundle.resolve()
      const { pid } = await creating
      created = true
      for (const a of this.ctx.attachments.pending(id)) {
        try {
          a.connect(await runtime.attach(id))
        } catch (err) {
          this.warn('attach to starting container failed', id)(err)
          a.end()
        }
      }
      await runtime.start(id)
      record.state = runningState(record.state, pid, isoTime(this.ctx.clock()))
      if (this.healthcheckOf(record)) record.state.health = { status: 'starting', failingStreak: 0, log: [] }
      await this.ctx.store.save(record, RUN_STATE)
    } catch (err) {
      // A monitor still waiting for the bundle goes without creating anything.
      bundle.reject(err)
      await creating?.catch(() => undefined)
      if (created) await runtime.delete(id, { force: true }).catch(this.warn('cleanup: runtime delete failed', id))
      if (hooksStarted) await this.runStopHooks(record)
      await this.unmountRootfs(record)
      this.ctx.attachments.endConnected(id, true)
      record.state = startFailedState(record.state, err instanceof Error ? err.message : String(err))
      await this.ctx.store.save(record).catch(this.warn('saving failed start state failed', id))
      throw startError(err)
    }
    await this.startLogRotation(record)
    this.publish(record, 'start')
    this.startHealthChecks(record)
  }

  /**
   * A --rm container's writable layer is thrown away at exit, so it need not survive a host crash:
   * a volatile overlay skips the sync of the whole upper filesystem that unmounting otherwise does
   * (tens of ms, far more while other processes write), as podman does for --rm containers.
   */
  private mountOptions(record: ContainerRecord): { volatile?: boolean } {
    return record.spec.host.autoRemove === true ? { volatile: true } : {}
  }

  /** The container's effective HEALTHCHECK (its own over its image's), if any. */
  private healthcheckOf(record: ContainerRecord): EffectiveHealthcheck | undefined {
    return effectiveHealthcheck(record.spec.healthcheck, imageHealthcheck(record.imageConfig.Healthcheck))
  }

  private startHealthChecks(record: ContainerRecord): void {
    const check = this.healthcheckOf(record)
    if (check && this.ctx.health) this.ctx.health.start(record, check, new Date(record.state.startedAt))
  }

  /** Host lookups the security part of the spec needs: devices, container:X namespaces, --group-add. */
  private async securityContext(record: ContainerRecord): Promise<NonNullable<OciSpecOptions['security']>> {
    const raw = record.spec.host.raw ?? {}
    const namespacePaths: { pid?: string; ipc?: string } = {}
    for (const [key, ns] of [['PidMode', 'pid'], ['IpcMode', 'ipc']] as const) {
      const mode = raw[key]
      if (typeof mode !== 'string' || !mode.startsWith('container:')) continue
      const other = this.ctx.store.resolve(mode.slice('container:'.length))
      if (!other.state.running) {
        throw new EngineError('Conflict', 'NOT_RUNNING', `cannot join ${ns.toUpperCase()} of a non running container: ${other.id}`)
      }
      namespacePaths[ns] = `/proc/${other.state.pid}/ns/${ns}`
    }
    const groups = Array.isArray(raw['GroupAdd']) ? (raw['GroupAdd'] as string[]) : []
    return {
      kernel: release(),
      namespacePaths,
      devices: await resolveDevices(raw['Devices']),
      extraGids: groups.length > 0 ? groupAddGids(groups, await readRootfsFile(record.rootfsPath, '/etc/group')) : [],
    }
  }

  /** Starts rotating a running container's log when its policy has a max-size. Never throws. */
  private async startLogRotation(record: ContainerRecord): Promise<void> {
    try {
      const policy = logPolicy(record.spec.host.logConfig)
      if (policy.driver === 'none' || policy.maxSize === undefined) return
      await this.ctx.logRotation.start({ containerId: record.id, logPath: record.logPath, maxSize: policy.maxSize, maxFile: policy.maxFile })
    } catch (err) {
      this.warn('starting log rotation failed', record.id)(err)
    }
  }

  /**
   * Runs `fn` with the container's rootfs mounted (mounting it for the call when the container is not
   * running). Caller holds the lock, so a start cannot race the temporary mount.
   */
  async withRootfs<T>(record: ContainerRecord, fn: (rootfs: string) => Promise<T>): Promise<T> {
    const mountedHere = !this.mounted.has(record.id)
    if (mountedHere) {
      await this.ctx.snapshotter.mount(record.id, record.rootfsPath, this.mountOptions(record))
      this.mounted.add(record.id)
    }
    try {
      return await fn(record.rootfsPath)
    } finally {
      if (mountedHere) await this.unmountRootfs(record)
    }
  }

  /** onStop of every hook, last registered first; failures are logged. */
  private async runStopHooks(record: ContainerRecord): Promise<void> {
    for (const hook of [...this.ctx.hooks].reverse()) {
      await hook.onStop?.(record).catch(this.warn(`${hook.name}: releasing resources after stop failed`, record.id))
    }
  }

  private async unmountRootfs(record: ContainerRecord): Promise<void> {
    if (!this.mounted.has(record.id)) return
    try {
      await this.ctx.snapshotter.unmount(record.rootfsPath)
      this.mounted.delete(record.id)
    } catch (err) {
      this.warn('unmounting container rootfs failed', record.id)(err)
    }
  }

  /**
   * Records an exit reported by the runtime (or found by restore): state, runtime cleanup, rootfs
   * unmount, 'oom'/'die' events, waiters, then autoRemove. Exits of containers not running are ignored.
   * `whileDown`: the exit happened while berthd was down; as dockerd's restore, no 'oom'/'die' is sent for it.
   */
  async processExit(id: string, exit: ExitInfo, opts: { whileDown?: boolean } = {}): Promise<void> {
    const handled = await this.ctx.lock.run(id, async () => {
      const record = this.ctx.store.get(id)
      if (!record || !record.state.running) return undefined
      this.ctx.health?.stop(id)
      const ranMs = exit.finishedAt.getTime() - Date.parse(record.state.startedAt)
      record.state = exitedState(record.state, exit)
      const restart = !this.keepOnExit.has(id) && !record.spec.host.autoRemove && shouldRestart({
        policy: record.spec.host.restartPolicy, exitCode: exit.exitCode, manuallyStopped: record.manuallyStopped === true, restartCount: record.restartCount,
      })
      const removeNext = record.spec.host.autoRemove === true && !this.keepOnExit.has(id)
      if (restart) {
        // Docker reports a container waiting for its restart as running and restarting.
        record.state = { ...record.state, status: 'restarting', restarting: true }
        record.restartCount++
      }
      // The processes are gone: runtime state, per-run resources and the rootfs are independent of
      // each other, so they are released concurrently.
      // The runtime state of a container about to be removed goes with its files, after the client was told.
      if (removeNext) this.runtimeLeft.add(id)
      await Promise.all([
        this.ctx.store.save(record, RUN_STATE),
        this.ctx.logRotation.stop(id),
        removeNext ? undefined : this.ctx.runtime.delete(id).catch(this.warn('runtime delete after exit failed', id)),
        this.runStopHooks(record),
        this.unmountRootfs(record),
      ])
      this.ctx.attachments.endConnected(id, false)
      if (!opts.whileDown) {
        if (exit.oomKilled) this.publish(record, 'oom')
        this.publish(record, 'die', { exitCode: String(exit.exitCode) })
      }
      this.ctx.waiters.notifyExit(id, exit.exitCode)
      if (restart) this.restarts.schedule(id, Number.isFinite(ranMs) ? ranMs : 0, () => void this.restartNow(id))
      return record
    })
    if (handled?.spec.host.autoRemove && !this.keepOnExit.has(id)) await this.removeRecord(id)
  }

  /** Removes a record found half-removed at daemon start (its runtime state may be left too). */
  finishRemoval(id: string): Promise<void> {
    this.runtimeLeft.add(id)
    return this.removeRecord(id)
  }

  /** The back-off elapsed: start a container still waiting in 'restarting'. A failure leaves it exited. */
  private async restartNow(id: string): Promise<void> {
    await this.ctx.lock.run(id, async () => {
      const record = this.ctx.store.get(id)
      if (!record || record.state.status !== 'restarting' || this.removals.has(id)) return
      try {
        await this.startLocked(record)
      } catch (err) {
        this.warn('restarting container failed', id)(err)
        record.state = { ...record.state, status: 'exited', restarting: false, running: false }
        await this.ctx.store.save(record).catch(this.warn('saving state failed', id))
      }
    })
  }

  /**
   * A container waiting for its restart becomes exited (stop, kill, remove). Caller holds the lock
   * or accepts the race with restartNow, which re-checks the status under the lock. True when the
   * container was restarting.
   */
  async cancelRestart(record: ContainerRecord): Promise<boolean> {
    this.restarts.cancel(record.id)
    if (record.state.status !== 'restarting') return false
    record.state = { ...record.state, status: 'exited', restarting: false, running: false }
    await this.ctx.store.save(record)
    return true
  }

  /** Runs `fn` (stop then start) so that the exit it causes neither restarts nor auto-removes the container. */
  async withoutExitPolicies<T>(id: string, fn: () => Promise<T>): Promise<T> {
    this.keepOnExit.add(id)
    try {
      return await fn()
    } finally {
      this.keepOnExit.delete(id)
    }
  }

  /** A client stopped or killed a container waiting for its restart: it stays exited. */
  async stopRestarting(record: ContainerRecord): Promise<void> {
    await this.ctx.lock.run(record.id, async () => {
      await this.markManuallyStopped(record, true)
      await this.cancelRestart(record)
    })
  }

  /** Starts, at daemon start, a stopped container its restart policy brings back (live-restore off). */
  async restoreStopped(record: ContainerRecord): Promise<void> {
    await this.ctx.lock.run(record.id, async () => {
      const current = this.ctx.store.get(record.id)
      if (!current || current.state.running) return
      try {
        await this.startLocked(current)
      } catch (err) {
        current.state = { ...current.state, status: 'exited', restarting: false, running: false }
        await this.ctx.store.save(current)
        throw err
      }
    })
  }

  /** Records that a stop/kill came from a client, so the restart policy leaves the container stopped. */
  async markManuallyStopped(record: ContainerRecord, stopped: boolean): Promise<void> {
    if ((record.manuallyStopped === true) === stopped) return
    record.manuallyStopped = stopped
    await this.ctx.store.save(record)
  }

  /**
   * Waits up to `ms` (Infinity = no limit) for `exited`; polls readExit in case the watcher missed
   * the exit. True when the exit was processed.
   */
  private async awaitExit(id: string, exited: Promise<number>, ms: number): Promise<boolean> {
    let done = false
    exited.then(() => (done = true), () => (done = true))
    const deadline = Date.now() + ms
    while (!done) {
      const remaining = deadline - Date.now()
      if (remaining <= 0) return false
      let timer: NodeJS.Timeout | undefined
      await Promise.race([exited.catch(() => 0), new Promise((r) => (timer = setTimeout(r, Math.min(this.ctx.exitPollMs, remaining))))])
      clearTimeout(timer)
      if (done) return true
      const exit = await this.ctx.runtime.readExit(id).catch(() => undefined)
      if (exit) {
        await this.processExit(id, exit)
        return true
      }
    }
    return true
  }

  async signal(record: ContainerRecord, signal: number): Promise<void> {
    await this.ctx.runtime.kill(record.id, signal)
    this.publish(record, 'kill', { signal: String(signal) })
  }

  /**
   * Sends `signal` and waits up to `ms` for the exit to be processed. True when the container is
   * no longer running (also when it had already exited before the signal).
   */
  async signalAndWait(record: ContainerRecord, signal: number, ms: number): Promise<boolean> {
    if (!record.state.running) return true
    const cancel = new AbortController()
    const exited = this.ctx.waiters.nextExit(record.id, cancel.signal)
    exited.catch(() => undefined)
    try {
      await this.signal(record, signal)
      // Stop and SIGKILL end a paused container too: thaw it so the signal is acted on (as dockerd does).
      // Other signals sent by kill stay queued while it is paused.
      if (record.state.paused && this.ctx.runtime.resume) {
        await this.ctx.runtime.resume(record.id).catch(this.warn('unpausing a signalled container failed', record.id))
        record.state = { ...record.state, status: 'running', paused: false }
        await this.ctx.store.save(record).catch(this.warn('saving state failed', record.id))
      }
      return await this.awaitExit(record.id, exited, ms)
    } catch (err) {
      if (!this.ctx.store.get(record.id)?.state.running) return true
      // It exited between the previous signal and this one (stop's SIGKILL after a SIGTERM it obeyed):
      // the runtime refuses to signal a stopped container; its exit is still being processed.
      const state = await this.ctx.runtime.state(record.id).catch(() => undefined)
      if (!state || state.status === 'stopped') return this.awaitExit(record.id, exited, this.ctx.killTimeoutMs)
      throw err
    } finally {
      cancel.abort()
    }
  }

  /** Sends SIGKILL and waits for the exit to be processed. */
  async killAndWait(record: ContainerRecord): Promise<void> {
    if (!(await this.signalAndWait(record, 9, this.ctx.killTimeoutMs))) {
      throw new EngineError('Internal', 'KILL_TIMEOUT', `Cannot kill container ${record.id}: tried to kill container, but did not receive an exit event`)
    }
  }

  /** Docker's stop: `signal`, then SIGKILL after `timeoutSeconds` (-1 = wait forever). */
  async stop(record: ContainerRecord, signal: number, timeoutSeconds: number): Promise<void> {
    const ms = timeoutSeconds < 0 ? Infinity : timeoutSeconds * 1000
    if (!(await this.signalAndWait(record, signal, ms))) await this.killAndWait(record)
    this.publish(record, 'stop')
  }

  /** Removes runtime state, rootfs, snapshot, directory and record; joins a removal in progress. */
  removeRecord(id: string, opts: { removeVolumes?: boolean } = {}): Promise<void> {
    const existing = this.removals.get(id)
    if (existing) return existing
    const removal = this.ctx.lock.run(id, async () => {
      const record = this.ctx.store.get(id)
      if (!record) return
      const wasRunning = record.state.running
      this.restarts.reset(id)
      this.ctx.health?.stop(id)
      record.state = { ...record.state, status: 'removing', running: false, restarting: false, pid: 0 }
      await this.ctx.store.save(record, RUN_STATE)
      if (wasRunning) {
        await this.ctx.runtime.delete(id, { force: true })
        this.runtimeLeft.delete(id)
        await this.runStopHooks(record)
      }
      await this.ctx.logRotation.stop(id)
      await this.unmountRootfs(record)
      // Anonymous volumes go with a --rm container, as in Docker.
      const removeVolumes = opts.removeVolumes ?? record.spec.host.autoRemove === true
      for (const hook of [...this.ctx.hooks].reverse()) {
        await hook.onRemove?.(record, { removeVolumes }).catch(this.warn(`${hook.name}: releasing resources at removal failed`, id))
      }
      // Gone for clients from here (a `docker run --rm` returns) and its directory is renamed away;
      // deleting the files (its writable layer can be big) and the runtime's state and files follows:
      // they are named by the container's id, which nothing can take again.
      const aside = await this.ctx.store.moveAside(id)
      this.ctx.attachments.endAll(id)
      this.publish(record, 'destroy')
      this.ctx.waiters.notifyRemoved(id, record.state.exitCode)
      // Let the answers to the waiters go out first: spawning the runtime blocks berthd while it forks.
      await new Promise((resolve) => setImmediate(resolve))
      await Promise.all([
        this.runtimeLeft.delete(id) ? this.ctx.runtime.delete(id).catch(this.warn('runtime delete at removal failed', id)) : undefined,
        this.ctx.runtime.purge?.(id).catch(this.warn('removing runtime files at removal failed', id)),
        // A snapshot kept in the container's directory moved with it: what is left elsewhere goes.
        this.ctx.snapshotter.removeSnapshot(id),
        aside ? this.ctx.store.deleteAside(aside) : undefined,
      ])
    })
      .then(() => this.pruneImageLayers())
      .finally(() => this.removals.delete(id))
    this.removals.set(id, removal)
    return removal
  }

  private async pruneImageLayers(): Promise<void> {
    const inUse = (imageId: string): boolean => this.ctx.store.all().some((r) => digestHex(r.imageId) === digestHex(imageId))
    await this.ctx.images.pruneLayers?.(inUse).catch(this.warn('releasing layers of removed images failed', ''))
  }

  /**
   * After a daemon restart, for a record that says running: keep it when the runtime still runs it,
   * else process the exit conmon recorded while berthd was down (255 when there is none, as dockerd).
   */
  async restoreRunning(record: ContainerRecord): Promise<void> {
    // The rootfs stayed mounted while berthd was down (unless the host rebooted).
    this.mounted.add(record.id)
    const state = await this.ctx.runtime.state(record.id)
    if (state && state.status !== 'stopped') {
      if (state.pid > 0 && state.pid !== record.state.pid) {
        record.state = { ...record.state, pid: state.pid }
        await this.ctx.store.save(record)
      }
      await this.startLogRotation(record)
      this.startHealthChecks(record)
      for (const hook of this.ctx.hooks) {
        await hook.onRestore?.(record).catch(this.warn(`${hook.name}: restoring a running container failed`, record.id))
      }
      return
    }
    const exit = (await this.ctx.runtime.readExit(record.id)) ?? { exitCode: 255, oomKilled: false, finishedAt: this.ctx.clock() }
    await this.processExit(record.id, exit, { whileDown: true })
  }
}

/** A promise with its resolve and reject (settling it again does nothing). */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void } {
  let resolve: () => void = () => undefined
  let reject: (err: unknown) => void = () => undefined
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  // A bundle that failed is reported by the start itself.
  promise.catch(() => undefined)
  return { promise, resolve, reject }
}

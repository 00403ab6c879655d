/**
 * pause/unpause, live resource updates and usage samples of containers. Used by ContainerManager,
 * which resolves the container and decides nothing else; the state rules live here.
 */
import { totalmem } from 'node:os'
import { EngineError, type CgroupStats, type Logger } from '../../common/index.js'
import type { EventBus } from '../events/index.js'
import type { ImageService } from '../images/index.js'
import { directorySize, pruneCandidates, upperDir } from './container-disk.js'
import type { OciRuntime } from '../../runtime/oci-runtime.js'
import type { ContainerLifecycle } from './container-lifecycle.js'
import type { ContainerStore } from './container-store.js'
import { updatableResources } from './oci-spec.js'
import { applyResourceUpdate, checkResources, type HostResourceFacts } from './resource-limits.js'
import { restartPolicyError } from './restart-policy.js'
import type { KeyedLock } from './sync.js'
import type { ContainerRecord, ContainerStatsSample, RestartPolicy } from './types.js'

export interface ContainerResourcesDeps {
  store: ContainerStore
  lock: KeyedLock
  lifecycle: ContainerLifecycle
  runtime: OciRuntime
  host: HostResourceFacts
  /** Reads the usage of a cgroup ("/berth/<id>") from the cgroup filesystem. */
  readCgroupStats?: (cgroupPath: string) => Promise<CgroupStats>
  clock: () => Date
  images: Pick<ImageService, 'resolve'>
  events: EventBus
  logger: Logger
}

const notRunning = (id: string): EngineError => new EngineError('Conflict', 'NOT_RUNNING', `Container ${id} is not running`)

export function cgroupPathOf(containerId: string): string {
  return `/berth/${containerId}`
}

export class ContainerResources {
  constructor(private readonly deps: ContainerResourcesDeps) {}

  async pause(record: ContainerRecord): Promise<void> {
    const { runtime, store, lock, lifecycle } = this.deps
    await lock.run(record.id, async () => {
      if (record.state.restarting) {
        throw new EngineError('Conflict', 'RESTARTING', `Container ${record.id} is restarting, wait until the container is running`)
      }
      if (!record.state.running) throw notRunning(record.id)
      if (record.state.paused) throw new EngineError('Conflict', 'ALREADY_PAUSED', `Container ${record.id} is already paused`)
      if (!runtime.pause) throw new EngineError('NotImplemented', 'PAUSE_UNSUPPORTED', `Cannot pause container ${record.id}: the runtime cannot pause`)
      await runtime.pause(record.id)
      record.state = { ...record.state, status: 'paused', paused: true }
      await store.save(record)
    })
    lifecycle.publish(record, 'pause')
  }

  async unpause(record: ContainerRecord): Promise<void> {
    const { runtime, store, lock, lifecycle } = this.deps
    await lock.run(record.id, async () => {
      if (!record.state.running || !record.state.paused) {
        throw new EngineError('Conflict', 'NOT_PAUSED', `Container ${record.id} is not paused`)
      }
      if (!runtime.resume) throw new EngineError('NotImplemented', 'PAUSE_UNSUPPORTED', `Cannot unpause container ${record.id}: the runtime cannot resume`)
      await runtime.resume(record.id)
      record.state = { ...record.state, status: 'running', paused: false }
      await store.save(record)
    })
    lifecycle.publish(record, 'unpause')
  }

  /**
   * Docker's container update: resource fields (non-zero values replace the current ones) and the
   * restart policy. A running container gets the new limits at once; InvalidArgument with Docker's
   * message for invalid values.
   */
  async update(record: ContainerRecord, body: Record<string, unknown>): Promise<{ warnings: string[] }> {
    const { runtime, store, lock, lifecycle, host } = this.deps
    const warnings = await lock.run(record.id, async () => {
      const currentRaw = record.spec.host.raw ?? {}
      const { raw, error } = applyResourceUpdate(currentRaw, body)
      if (error) throw new EngineError('InvalidArgument', 'INVALID_UPDATE', `Cannot update container ${record.id}: ${error}`)
      const checked = checkResources(raw, host, { update: true })
      if (checked.error) throw new EngineError('InvalidArgument', 'INVALID_RESOURCES', checked.error)
      let policy: RestartPolicy | undefined
      const wirePolicy = body['RestartPolicy'] as { Name?: string; MaximumRetryCount?: number } | undefined
      if (wirePolicy && typeof wirePolicy.Name === 'string' && wirePolicy.Name !== '') {
        if (record.spec.host.autoRemove && wirePolicy.Name !== 'no') {
          throw new EngineError('InvalidArgument', 'INVALID_RESTART_POLICY', 'Restart policy cannot be updated because AutoRemove is enabled for the container')
        }
        policy = { name: wirePolicy.Name as RestartPolicy['name'], maximumRetryCount: wirePolicy.MaximumRetryCount ?? 0 }
        const problem = restartPolicyError(policy, false)
        if (problem) throw new EngineError('InvalidArgument', 'INVALID_RESTART_POLICY', problem)
        raw['RestartPolicy'] = { Name: policy.name, MaximumRetryCount: policy.maximumRetryCount }
      }
      if (record.state.running) {
        if (!runtime.update) throw new EngineError('NotImplemented', 'UPDATE_UNSUPPORTED', `Cannot update container ${record.id}: the runtime cannot update resources`)
        try {
          await runtime.update(record.id, updatableResources(raw))
        } catch (err) {
          throw new EngineError('Internal', 'UPDATE_FAILED', `Cannot update container ${record.id}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
        }
      }
      record.spec.host.raw = raw
      if (policy) record.spec.host.restartPolicy = policy
      await store.save(record)
      return checked.warnings
    })
    lifecycle.publish(record, 'update')
    return { warnings }
  }

  /** Docker's SizeRw (the writable layer) and SizeRootFs (with the image's layers). */
  async sizes(record: ContainerRecord): Promise<{ sizeRw: number; sizeRootFs: number }> {
    const sizeRw = await directorySize(upperDir(record))
    const imageSize = await this.deps.images.resolve(record.imageId).then((i) => i.size, () => 0)
    return { sizeRw, sizeRootFs: sizeRw + imageSize }
  }

  /** Removes the stopped containers the filters select; one container 'prune' event with the space reclaimed. */
  async prune(filters?: Record<string, string[]>): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    const deleted: string[] = []
    let spaceReclaimed = 0
    for (const record of pruneCandidates(this.deps.store.all(), filters, this.deps.clock())) {
      const size = await directorySize(upperDir(record))
      try {
        await this.deps.lifecycle.removeRecord(record.id)
      } catch (err) {
        this.deps.logger.warn('prune: removing container failed', { id: record.id, error: err })
        continue
      }
      deleted.push(record.id)
      spaceReclaimed += size
    }
    this.deps.events.publish('container', 'prune', '', { reclaimed: String(spaceReclaimed) })
    return { deleted, spaceReclaimed }
  }

  /** One usage sample; `usage` is undefined when the container is not running. */
  async stats(record: ContainerRecord): Promise<ContainerStatsSample> {
    const read = this.deps.clock()
    if (!record.state.running || !this.deps.readCgroupStats) return { id: record.id, name: record.name, read }
    const usage = await this.deps.readCgroupStats(cgroupPathOf(record.id))
    // Docker reports the host's memory as the limit of a container without one.
    const hostMem = totalmem()
    if (usage.memory.limit === undefined || usage.memory.limit > hostMem) usage.memory.limit = hostMem
    return { id: record.id, name: record.name, read, usage }
  }
}

import { EngineError } from '../../common/index.js'
import type { EventBus } from '../../engine/events/index.js'
import {
  ANONYMOUS_LABEL, matchVolumeFilters, validatePruneFilters, validateVolumeFilters, validateVolumeName,
  type VolumeCreateOptions, type VolumePruneResult, type VolumeRecord, type VolumeService, type VolumeUsage,
} from '../../engine/volumes/index.js'

/** In-memory VolumeService for API and client tests; `inUse` marks volumes as referenced by containers. */
export class FakeVolumes implements VolumeService {
  readonly volumes = new Map<string, VolumeRecord>()
  readonly inUse = new Map<string, string[]>()
  private counter = 0

  constructor(private readonly events: EventBus) {}

  async create(opts: VolumeCreateOptions): Promise<VolumeRecord> {
    const name = opts.name || (++this.counter).toString(16).padStart(64, '0')
    validateVolumeName(name)
    const existing = this.volumes.get(name)
    if (existing) return existing
    const labels = { ...(opts.labels ?? {}), ...(opts.name ? {} : { [ANONYMOUS_LABEL]: '' }) }
    const v: VolumeRecord = {
      name, driver: 'local', mountpoint: `/fake/volumes/${name}/_data`, createdAt: '2026-01-02T03:04:05Z', labels,
      options: { ...(opts.driverOpts ?? {}) }, scope: 'local',
    }
    this.volumes.set(name, v)
    this.events.publish('volume', 'create', name, { driver: 'local' })
    return v
  }

  async list(filters: Record<string, string[]> = {}): Promise<VolumeRecord[]> {
    validateVolumeFilters(filters)
    return [...this.volumes.values()].filter((v) => matchVolumeFilters(v, filters, (this.inUse.get(v.name) ?? []).length > 0))
  }

  async inspect(name: string): Promise<VolumeRecord> {
    const v = this.volumes.get(name)
    if (!v) throw new EngineError('NotFound', 'VOLUME_NOT_FOUND', `get ${name}: no such volume`)
    return v
  }

  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    if (!this.volumes.has(name)) {
      if (opts.force) return
      throw new EngineError('NotFound', 'VOLUME_NOT_FOUND', `get ${name}: no such volume`)
    }
    const users = this.inUse.get(name) ?? []
    if (users.length > 0) throw new EngineError('Conflict', 'VOLUME_IN_USE', `remove ${name}: volume is in use - [${users.join(', ')}]`)
    this.volumes.delete(name)
    this.events.publish('volume', 'destroy', name, { driver: 'local' })
  }

  async prune(filters: Record<string, string[]> = {}): Promise<VolumePruneResult> {
    const all = validatePruneFilters(filters)
    const deleted: string[] = []
    for (const v of [...this.volumes.values()]) {
      if ((this.inUse.get(v.name) ?? []).length > 0 || (!all && !(ANONYMOUS_LABEL in v.labels))) continue
      await this.remove(v.name)
      deleted.push(v.name)
    }
    return { deleted, spaceReclaimed: 0 }
  }

  async usage(): Promise<Array<{ volume: VolumeRecord; usage: VolumeUsage }>> {
    return [...this.volumes.values()].map((volume) => ({ volume, usage: { size: 0, refCount: (this.inUse.get(volume.name) ?? []).length } }))
  }
}

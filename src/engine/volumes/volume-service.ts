/**
 * LocalVolumeService: Docker's `local` volume driver. Each volume is <root>/<name>/_data plus
 * <root>/<name>/volume.json (CreatedAt, Labels, Options, Driver, Scope). Volumes with a device
 * option (type=tmpfs, o=bind...) are mounted at _data while at least one container uses them.
 *
 * References (which containers use which volume) live in memory: the container hook adds them at
 * container create and drops them at removal; the first call that needs them also collects them
 * from every container record (so they survive a daemon restart).
 */
import { chown, lstat, mkdir, readdir, rm, rmdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError, invalid, newId, readJsonIfExists, writeJsonAtomic, type Logger, isoTime } from '../../common/index.js'
import type { EventBus } from '../events/index.js'
import { matchVolumeFilters, validatePruneFilters, validateVolumeFilters } from './volume-filters.js'
import {
  ANONYMOUS_LABEL, type VolumeCreateOptions, type VolumeMounter, type VolumePruneResult, type VolumeRecord, type VolumeService,
  type VolumeUsage,
} from './types.js'

const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/
const VALID_OPTS = new Set(['type', 'o', 'device', 'size'])
/** Docker's mandatoryOpts: an option that needs others. */
const REQUIRED_WITH: Record<string, string[]> = { device: ['type'], type: ['device'], o: ['device', 'type'] }

interface VolumeMeta {
  CreatedAt: string
  Labels: Record<string, string>
  Options: Record<string, string>
  Driver: 'local'
  Scope: 'local'
}

export interface LocalVolumeServiceDeps {
  /** <data-root>/volumes. */
  root: string
  events: EventBus
  logger: Logger
  mounter: VolumeMounter
  /** Every container's id and the volume names it references (from the container records). */
  containerVolumes: () => Promise<Array<{ id: string; volumeNames: string[] }>>
  clock?: () => Date
  /** Owner of new volumes' _data: a remapped daemon's container root (--userns-remap); host root when absent. */
  rootOwner?: { uid: number; gid: number }
}

/** Docker's validateOpts for the local driver. */
export function validateDriverOpts(opts: Record<string, string>): void {
  for (const key of Object.keys(opts)) {
    if (!VALID_OPTS.has(key)) throw invalid('INVALID_VOLUME_OPTION', `invalid option: "${key}"`)
  }
  if ('size' in opts) throw invalid('INVALID_VOLUME_OPTION', 'quota size requested but no quota support')
  for (const [key, needs] of Object.entries(REQUIRED_WITH)) {
    if (!(key in opts)) continue
    for (const need of needs) if (!(need in opts)) throw invalid('INVALID_VOLUME_OPTION', `missing required option: "${need}"`)
  }
}

export function validateVolumeName(name: string): void {
  if (name.length < 2 && /^[a-zA-Z0-9]*$/.test(name)) {
    throw invalid('INVALID_VOLUME_NAME', `create ${name}: volume name is too short, names should be at least two alphanumeric characters`)
  }
  if (!NAME_PATTERN.test(name)) {
    throw invalid('INVALID_VOLUME_NAME', `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`)
  }
}

function noSuchVolume(name: string): EngineError {
  return new EngineError('NotFound', 'VOLUME_NOT_FOUND', `get ${name}: no such volume`)
}

/** Bytes in a tree (each inode once), without following symlinks. */
export async function treeSize(path: string): Promise<number> {
  const seen = new Set<string>()
  let total = 0
  const walk = async (dir: string): Promise<void> => {
    let entries
    try {
      entries = await readdir(dir, { withFileTypes: true })
    } catch {
      return
    }
    for (const entry of entries) {
      const p = join(dir, entry.name)
      const st = await lstat(p).catch(() => undefined)
      if (!st) continue
      const key = `${st.dev}:${st.ino}`
      if (!seen.has(key)) {
        seen.add(key)
        if (!st.isDirectory()) total += st.size
      }
      if (st.isDirectory()) await walk(p)
    }
  }
  await walk(path)
  return total
}

export class LocalVolumeService implements VolumeService {
  private readonly volumes = new Map<string, VolumeRecord>()
  private readonly refs = new Map<string, Set<string>>()
  /** Containers that have a device volume mounted right now, per volume. */
  private readonly active = new Map<string, Set<string>>()
  private loaded: Promise<void> | undefined
  private refsLoaded: Promise<void> | undefined
  private chain: Promise<unknown> = Promise.resolve()
  private readonly clock: () => Date

  constructor(private readonly deps: LocalVolumeServiceDeps) {
    this.clock = deps.clock ?? (() => new Date())
  }

  /** Serializes state changes (create, remove, mount): volume operations are rare and short. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn)
    this.chain = next.catch(() => undefined)
    return next
  }

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      await mkdir(this.deps.root, { recursive: true, mode: 0o701 })
      for (const name of await readdir(this.deps.root)) {
        const meta = await readJsonIfExists<VolumeMeta>(join(this.deps.root, name, 'volume.json')).catch((err: unknown) => {
          this.deps.logger.warn('skipping unreadable volume metadata', { name, error: err })
          return undefined
        })
        if (meta) this.volumes.set(name, this.toRecord(name, meta))
      }
    })()
    return this.loaded
  }

  private loadRefs(): Promise<void> {
    this.refsLoaded ??= this.deps.containerVolumes().then((containers) => {
      for (const c of containers) for (const name of c.volumeNames) this.addRef(name, c.id)
    })
    return this.refsLoaded
  }

  private addRef(name: string, containerId: string): void {
    let set = this.refs.get(name)
    if (!set) this.refs.set(name, (set = new Set()))
    set.add(containerId)
  }

  private toRecord(name: string, meta: VolumeMeta): VolumeRecord {
    return {
      name, driver: 'local', mountpoint: join(this.deps.root, name, '_data'), createdAt: meta.CreatedAt,
      labels: meta.Labels ?? {}, options: meta.Options ?? {}, scope: 'local',
    }
  }

  private publish(action: string, name: string, attributes: Record<string, string> = {}): void {
    this.deps.events.publish('volume', action, name, { driver: 'local', ...attributes })
  }

  async create(opts: VolumeCreateOptions): Promise<VolumeRecord> {
    await this.load()
    const driver = opts.driver || 'local'
    if (driver !== 'local') throw new EngineError('NotFound', 'VOLUME_DRIVER_NOT_FOUND', `error looking up volume plugin ${driver}: plugin "${driver}" not found`)
    const anonymous = !opts.name
    const name = opts.name || newId()
    validateVolumeName(name)
    const options = { ...(opts.driverOpts ?? {}) }
    validateDriverOpts(options)
    return this.exclusive(async () => {
      const existing = this.volumes.get(name)
      if (existing) return structuredClone(existing)
      const labels = { ...(opts.labels ?? {}) }
      if (anonymous) labels[ANONYMOUS_LABEL] = ''
      const meta: VolumeMeta = {
        CreatedAt: isoTime(this.clock()).replace(/\.\d+Z$/, 'Z'), Labels: labels, Options: options, Driver: 'local', Scope: 'local',
      }
      const dir = join(this.deps.root, name)
      await mkdir(join(dir, '_data'), { recursive: true, mode: 0o755 })
      if (this.deps.rootOwner) await chown(join(dir, '_data'), this.deps.rootOwner.uid, this.deps.rootOwner.gid)
      await writeJsonAtomic(join(dir, 'volume.json'), meta)
      const record = this.toRecord(name, meta)
      this.volumes.set(name, record)
      this.publish('create', name)
      return structuredClone(record)
    })
  }

  async list(filters: Record<string, string[]> = {}): Promise<VolumeRecord[]> {
    validateVolumeFilters(filters)
    await this.load()
    await this.loadRefs()
    return [...this.volumes.values()]
      .filter((v) => matchVolumeFilters(v, filters, this.usedBy(v.name).length > 0))
      .map((v) => structuredClone(v))
  }

  async inspect(name: string): Promise<VolumeRecord> {
    await this.load()
    const v = this.volumes.get(name)
    if (!v) throw noSuchVolume(name)
    return structuredClone(v)
  }

  /** Ids of the containers referencing the volume. */
  usedBy(name: string): string[] {
    return [...(this.refs.get(name) ?? [])]
  }

  async remove(name: string, opts: { force?: boolean } = {}): Promise<void> {
    await this.load()
    await this.loadRefs()
    await this.exclusive(async () => {
      const v = this.volumes.get(name)
      if (!v) {
        if (opts.force) return
        throw noSuchVolume(name)
      }
      const users = this.usedBy(name)
      if (users.length > 0) {
        throw new EngineError('Conflict', 'VOLUME_IN_USE', `remove ${name}: volume is in use - [${users.join(', ')}]`)
      }
      await this.destroy(v)
    })
  }

  private async destroy(v: VolumeRecord): Promise<void> {
    if (v.options['device']) {
      // Never recurse into a device volume: when _data is still a mount of the device (a bind of a
      // host directory, say), removing its contents would delete the device's files.
      await this.deps.mounter.unmount(v.mountpoint)
      this.active.delete(v.name)
      await rmdir(v.mountpoint).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return
        throw new EngineError('Internal', 'VOLUME_BUSY', `remove ${v.name}: the volume's device is still mounted at ${v.mountpoint}`, { cause: err })
      })
    }
    await rm(join(this.deps.root, v.name), { recursive: true, force: true })
    this.volumes.delete(v.name)
    this.refs.delete(v.name)
    this.publish('destroy', v.name)
  }

  async prune(filters: Record<string, string[]> = {}): Promise<VolumePruneResult> {
    const all = validatePruneFilters(filters)
    await this.load()
    await this.loadRefs()
    return this.exclusive(async () => {
      const result: VolumePruneResult = { deleted: [], spaceReclaimed: 0 }
      for (const v of [...this.volumes.values()]) {
        if (this.usedBy(v.name).length > 0) continue
        if (!all && !(ANONYMOUS_LABEL in v.labels)) continue
        if (!matchVolumeFilters(v, { label: filters['label'] ?? [], 'label!': filters['label!'] ?? [] }, false)) continue
        const size = v.options['device'] ? 0 : await treeSize(v.mountpoint)
        await this.destroy(v)
        result.deleted.push(v.name)
        result.spaceReclaimed += size
      }
      this.deps.events.publish('volume', 'prune', '', { reclaimed: String(result.spaceReclaimed) })
      return result
    })
  }

  async usage(): Promise<Array<{ volume: VolumeRecord; usage: VolumeUsage }>> {
    await this.load()
    await this.loadRefs()
    const out: Array<{ volume: VolumeRecord; usage: VolumeUsage }> = []
    for (const v of this.volumes.values()) {
      const size = v.options['device'] && !this.active.has(v.name) ? 0 : await treeSize(v.mountpoint)
      out.push({ volume: structuredClone(v), usage: { size, refCount: this.usedBy(v.name).length } })
    }
    return out
  }

  // ---- used by the container hook ----

  /**
   * The named volume, created (with `opts`) when missing, referenced by `containerId`; with no name
   * a new anonymous volume.
   */
  async acquire(name: string | undefined, containerId: string, opts: Omit<VolumeCreateOptions, 'name'> = {}): Promise<VolumeRecord> {
    await this.loadRefs()
    const v = await this.create({ ...opts, name })
    this.addRef(v.name, containerId)
    return v
  }

  /** Adds a reference to an existing volume (volumes-from); NotFound when it is gone. */
  async reference(name: string, containerId: string): Promise<VolumeRecord> {
    const v = await this.inspect(name)
    await this.loadRefs()
    this.addRef(name, containerId)
    return v
  }

  /** Drops the container's reference; removes the volume when `removeIfUnused` and no one else uses it. */
  async release(name: string, containerId: string, opts: { removeIfUnused?: boolean } = {}): Promise<void> {
    // Loaded first: at daemon start a --rm container may be removed before anything else read the volumes.
    await this.load()
    await this.loadRefs()
    this.refs.get(name)?.delete(containerId)
    if (this.refs.get(name)?.size === 0) this.refs.delete(name)
    if (!opts.removeIfUnused) return
    await this.exclusive(async () => {
      const v = this.volumes.get(name)
      if (v && this.usedBy(name).length === 0) await this.destroy(v)
    })
  }

  /** Makes the volume's files available at its mountpoint for a starting container (mounts device volumes once). */
  async mountFor(name: string, containerId: string): Promise<VolumeRecord> {
    await this.load()
    return this.exclusive(async () => {
      const v = this.volumes.get(name)
      if (!v) throw noSuchVolume(name)
      const device = v.options['device']
      if (device) {
        let users = this.active.get(name)
        if (!users) {
          const st = await stat(v.mountpoint).catch(() => undefined)
          if (!st) await mkdir(v.mountpoint, { recursive: true, mode: 0o755 })
          // Still mounted from before a daemon restart: adopt it rather than stack a second mount.
          if (!(await this.deps.mounter.isMountpoint?.(v.mountpoint))) {
            try {
              await this.deps.mounter.mount({ source: device, target: v.mountpoint, type: v.options['type'] ?? 'none', options: v.options['o'] ?? '' })
            } catch (err) {
              throw new EngineError('Internal', 'VOLUME_MOUNT_FAILED', `error while mounting volume '${v.mountpoint}': failed to mount local volume: ${(err as Error).message}`, { cause: err })
            }
          }
          this.active.set(name, (users = new Set()))
        }
        users.add(containerId)
      }
      return structuredClone(v)
    })
  }

  /** The container stopped: unmounts a device volume when it was its last user. Never throws for a gone volume. */
  async unmountFor(name: string, containerId: string): Promise<void> {
    await this.exclusive(async () => {
      const users = this.active.get(name)
      if (!users) return
      users.delete(containerId)
      if (users.size > 0) return
      this.active.delete(name)
      const v = this.volumes.get(name)
      if (v) await this.deps.mounter.unmount(v.mountpoint)
    })
  }

  /** After a daemon restart: a running container still holds its device volumes mounted. */
  async restoreMounted(name: string, containerId: string): Promise<void> {
    await this.load()
    const v = this.volumes.get(name)
    if (!v?.options['device']) return
    let users = this.active.get(name)
    if (!users) this.active.set(name, (users = new Set()))
    users.add(containerId)
  }
}

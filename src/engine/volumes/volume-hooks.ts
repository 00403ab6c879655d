/**
 * VolumeHooks: the one place that decides a container's mounts. At create it turns VolumesFrom,
 * Binds, Mounts and the image's/Config's Volumes into the record's mountPoints (creating named and
 * anonymous volumes, in moby's precedence: volumes-from, then binds, then mounts, then VOLUME
 * paths not already covered); at start it makes the OCI mounts, with every destination resolved
 * inside the container's rootfs (a symlink in the image, even to "/" or "../..", never leads a
 * mount or the copy-up outside it); at stop and removal it releases what it took.
 *
 * crun 1.8.1 on its own already resolves destinations inside the root (checked on this host: a bind
 * at /data/mnt with /data -> / lands on the container's /mnt, and ../../.. links stop at its root);
 * berth resolves them anyway so copy-up reads the same place the mount lands, whatever the runtime.
 */
import { mkdir, stat } from 'node:fs/promises'
import { relative } from 'node:path'
import { EngineError, invalid, type Logger } from '../../common/index.js'
import type { Mount } from '../../common/oci-spec.js'
import { resolveInRootfs, type ContainerHooks, type ContainerRecord, type MountPointRecord, type StartContribution } from '../containers/index.js'
import type { EventBus } from '../events/index.js'
import { copyUp } from './copy-up.js'
import { parseBind, parseMount, parseTmpfs, parseVolumesFrom, tmpfsMountOptions, type MountRequest, type MountWire } from './mount-spec.js'
import type { LocalVolumeService } from './volume-service.js'

export interface VolumeHooksDeps {
  volumes: LocalVolumeService
  events: EventBus
  logger: Logger
  /** Another container's record, for VolumesFrom (NotFound "No such container: x"). */
  resolveContainer: (nameOrId: string) => Promise<ContainerRecord>
}

function duplicate(destination: string): EngineError {
  return invalid('DUPLICATE_MOUNT_POINT', `Duplicate mount point: ${destination}`)
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
}

/** The requests of a create, in precedence order, before volumes exist. Throws InvalidArgument with Docker's messages. */
export async function mountRequests(record: ContainerRecord): Promise<MountRequest[]> {
  const raw = record.spec.host.raw ?? {}
  const byDestination = new Map<string, MountRequest>()
  const binds = new Set<string>()
  for (const bind of record.spec.host.binds ?? []) {
    const req = parseBind(bind)
    if (binds.has(req.destination)) throw duplicate(req.destination)
    binds.add(req.destination)
    byDestination.set(req.destination, req)
  }
  const mounts = Array.isArray(raw['Mounts']) ? (raw['Mounts'] as MountWire[]) : []
  for (const m of mounts) {
    const req = parseMount(m ?? {})
    if (binds.has(req.destination)) throw duplicate(req.destination)
    binds.add(req.destination)
    if (req.type === 'bind' && req.sourceMustExist && !(await stat(req.source).catch(() => undefined))) {
      throw invalid('INVALID_MOUNT_CONFIG', `invalid mount config for type "bind": bind source path does not exist: ${req.source}`)
    }
    byDestination.set(req.destination, req)
  }
  return [...byDestination.values()]
}

export class VolumeHooks implements ContainerHooks {
  readonly name = 'volumes'
  /** Volumes each running container has mounted (for onStop). */
  private readonly started = new Map<string, string[]>()

  constructor(private readonly deps: VolumeHooksDeps) {}

  async onCreate(record: ContainerRecord): Promise<void> {
    const raw = record.spec.host.raw ?? {}
    const points: MountPointRecord[] = []
    record.mountPoints = points
    const add = (mp: MountPointRecord): void => {
      const i = points.findIndex((p) => p.destination === mp.destination)
      if (i >= 0) points.splice(i, 1)
      points.push(mp)
    }
    // Validate everything before creating any volume.
    const requests = await mountRequests(record)
    const tmpfs = raw['Tmpfs'] && typeof raw['Tmpfs'] === 'object' ? parseTmpfs(raw['Tmpfs'] as Record<string, string>) : []
    const from = stringList(raw['VolumesFrom']).map(parseVolumesFrom)

    for (const { container, mode } of from) {
      const source = await this.deps.resolveContainer(container)
      const readOnly = mode.split(',').includes('ro')
      for (const mp of source.mountPoints ?? []) {
        if (mp.type === 'volume') await this.deps.volumes.reference(mp.name, record.id)
        add({ ...mp, rw: mp.rw && !readOnly, mode: '', copyData: false, anonymous: false })
      }
    }
    for (const req of requests) add(await this.mountPoint(req, record.id))
    const volumePaths = { ...(record.imageConfig.Volumes ?? {}), ...(record.spec.volumes ?? {}) }
    const taken = new Set([...points.map((p) => p.destination), ...tmpfs.map((t) => t.destination)])
    for (const path of Object.keys(volumePaths)) {
      const req = parseBind(path)
      if (taken.has(req.destination)) continue
      taken.add(req.destination)
      add(await this.mountPoint({ ...req, mode: '' }, record.id))
    }
  }

  /** A request made concrete: named volumes are created when missing, anonymous ones always. */
  private async mountPoint(req: MountRequest, containerId: string): Promise<MountPointRecord> {
    const base = { destination: req.destination, mode: req.mode, rw: req.rw, propagation: req.propagation }
    if (req.type === 'bind') {
      return {
        ...base, type: 'bind', name: '', source: req.source, driver: '',
        ...(req.sourceMustExist ? {} : { createHostPath: true }), ...(req.nonRecursive ? { nonRecursive: true } : {}),
      }
    }
    if (req.type === 'tmpfs') return { ...base, type: 'tmpfs', name: '', source: '', driver: '', tmpfsOptions: req.tmpfsOptions ?? [] }
    const volume = await this.deps.volumes.acquire(req.source || undefined, containerId, {
      driver: req.driver, labels: req.volumeLabels, driverOpts: req.driverOpts,
    })
    return {
      ...base, type: 'volume', name: volume.name, source: volume.mountpoint, driver: volume.driver, copyData: req.copyData,
      ...(req.source === '' ? { anonymous: true } : {}),
    }
  }

  async onStart(record: ContainerRecord): Promise<StartContribution> {
    const mounts: Mount[] = []
    const mountedVolumes: string[] = []
    this.started.set(record.id, mountedVolumes)
    for (const mp of record.mountPoints ?? []) {
      const { hostPath, destination } = await this.resolveDestination(record, mp.destination)
      if (mp.type === 'tmpfs') {
        mounts.push({ destination, type: 'tmpfs', source: 'tmpfs', options: tmpfsMountOptions(mp.tmpfsOptions ?? []) })
        continue
      }
      let source = mp.source
      if (mp.type === 'bind') {
        if (!(await stat(source).catch(() => undefined))) {
          if (!mp.createHostPath) throw invalid('INVALID_MOUNT_CONFIG', `invalid mount config for type "bind": bind source path does not exist: ${source}`)
          await mkdir(source, { recursive: true, mode: 0o755 })
        }
      } else {
        const volume = await this.deps.volumes.mountFor(mp.name, record.id)
        mountedVolumes.push(mp.name)
        source = volume.mountpoint
        if (mp.copyData) {
          await copyUp(hostPath, volume.mountpoint)
          mp.copyData = false
        }
        this.deps.events.publish('volume', 'mount', mp.name, {
          container: record.id, destination: mp.destination, driver: mp.driver, propagation: mp.propagation, 'read/write': String(mp.rw),
        })
      }
      mounts.push({ destination, type: 'bind', source, options: [mp.nonRecursive ? 'bind' : 'rbind', mp.propagation || 'rprivate', ...(mp.rw ? [] : ['ro'])] })
    }
    const raw = record.spec.host.raw ?? {}
    if (raw['Tmpfs'] && typeof raw['Tmpfs'] === 'object') {
      for (const t of parseTmpfs(raw['Tmpfs'] as Record<string, string>)) {
        const { destination } = await this.resolveDestination(record, t.destination)
        mounts.push({ destination, type: 'tmpfs', source: 'tmpfs', options: tmpfsMountOptions(t.tmpfsOptions ?? []) })
      }
    }
    return { mounts }
  }

  /**
   * The destination with every symlink resolved inside the rootfs (as the container would see it),
   * both as a host path (for copy-up) and as the path handed to the runtime.
   */
  private async resolveDestination(record: ContainerRecord, destination: string): Promise<{ hostPath: string; destination: string }> {
    const hostPath = await resolveInRootfs(record.rootfsPath, destination)
    const rel = relative(record.rootfsPath, hostPath)
    if (rel.startsWith('..')) throw new EngineError('Internal', 'MOUNT_ESCAPES_ROOTFS', `mount destination ${destination} resolves outside the container's root`)
    // A symlink such as /data -> / would put the mount over the container's whole root.
    if (rel === '') throw invalid('MOUNT_ON_ROOT', `invalid mount config: destination ${destination} resolves to "/" in the container: destination can't be '/'`)
    return { hostPath, destination: `/${rel}` }
  }

  async onStop(record: ContainerRecord): Promise<void> {
    const names = this.started.get(record.id) ?? []
    this.started.delete(record.id)
    for (const name of names) {
      await this.deps.volumes.unmountFor(name, record.id)
      this.deps.events.publish('volume', 'unmount', name, { container: record.id, driver: 'local' })
    }
  }

  async onRemove(record: ContainerRecord, opts: { removeVolumes: boolean }): Promise<void> {
    for (const mp of record.mountPoints ?? []) {
      if (mp.type !== 'volume') continue
      await this.deps.volumes.release(mp.name, record.id, { removeIfUnused: opts.removeVolumes && mp.anonymous === true })
        .catch((err: unknown) => this.deps.logger.warn('releasing a volume failed', { id: record.id, volume: mp.name, error: err }))
    }
  }

  async onRestore(record: ContainerRecord): Promise<void> {
    const names: string[] = []
    for (const mp of record.mountPoints ?? []) {
      if (mp.type !== 'volume') continue
      await this.deps.volumes.restoreMounted(mp.name, record.id)
      names.push(mp.name)
    }
    this.started.set(record.id, names)
  }
}

/** Volumes: the `local` driver's named and anonymous volumes, as Docker's volume API sees them. */

/** Label Docker puts on anonymous volumes; prune without all=true removes only these. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous'

export interface VolumeRecord {
  name: string
  driver: 'local'
  /** Host path the volume's files live at (<data-root>/volumes/<name>/_data). */
  mountpoint: string
  /** RFC 3339, seconds precision (as Docker shows it). */
  createdAt: string
  labels: Record<string, string>
  /** Driver options (type, device, o). */
  options: Record<string, string>
  scope: 'local'
}

export interface VolumeCreateOptions {
  /** '' or absent: an anonymous volume with a random 64-hex name. */
  name?: string
  /** Only 'local' (the default). */
  driver?: string
  labels?: Record<string, string>
  driverOpts?: Record<string, string>
}

export interface VolumeUsage {
  /** Bytes used under the mountpoint; -1 when it could not be computed. */
  size: number
  /** Number of containers referencing the volume. */
  refCount: number
}

export interface VolumePruneResult {
  deleted: string[]
  spaceReclaimed: number
}

/**
 * The volume API. Errors: NotFound "get NAME: no such volume", Conflict "remove NAME: volume is in
 * use - [ids]", InvalidArgument for bad names, drivers, options and filters.
 */
export interface VolumeService {
  /** Idempotent for an existing name with the same driver (returns the existing volume). */
  create(opts: VolumeCreateOptions): Promise<VolumeRecord>
  /** Filters: dangling, label, name, driver. */
  list(filters?: Record<string, string[]>): Promise<VolumeRecord[]>
  inspect(name: string): Promise<VolumeRecord>
  /** Conflict while a container references it unless force; force on a missing volume is fine. */
  remove(name: string, opts?: { force?: boolean }): Promise<void>
  /** Unused anonymous volumes (all unused with filter all=true); label / label! filters too. */
  prune(filters?: Record<string, string[]>): Promise<VolumePruneResult>
  /** Size and reference count of every volume, for `system df -v`. */
  usage(): Promise<Array<{ volume: VolumeRecord; usage: VolumeUsage }>>
}

/** What the volume service needs from the OS (sys/mount.ts in the daemon, a recording fake in tests). */
export interface VolumeMounter {
  /** mount -t type -o options source target. */
  mount(opts: { source: string; target: string; type: string; options: string }): Promise<void>
  /** Unmounts target; not mounted is fine. */
  unmount(target: string): Promise<void>
  /** True when target is a mount point (a device volume left mounted by a container that exited while berthd was down). */
  isMountpoint?(target: string): Promise<boolean>
}

import type { MountPointRecord } from '../../engine/containers/index.js'
import type { VolumeRecord, VolumeUsage } from '../../engine/volumes/index.js'
import type { MountPointWire, VolumeWire } from '../types/index.js'

function orNull<T extends object>(value: T): T | null {
  return Object.keys(value).length > 0 ? value : null
}

/** A volume as GET /volumes and /volumes/{name} show it (null for empty Labels/Options, like Docker). */
export function volumeView(v: VolumeRecord, usage?: VolumeUsage): VolumeWire {
  const view: VolumeWire = {
    CreatedAt: v.createdAt,
    Driver: v.driver,
    Labels: orNull(v.labels),
    Mountpoint: v.mountpoint,
    Name: v.name,
    Options: orNull(v.options),
    Scope: v.scope,
  }
  if (usage) view.UsageData = { Size: usage.size, RefCount: usage.refCount }
  return view
}

/** A container's mount as inspect's and list's Mounts show it. */
export function mountPointView(mp: MountPointRecord): MountPointWire {
  const view: MountPointWire = { Type: mp.type, Source: mp.source, Destination: mp.destination, Mode: mp.mode, RW: mp.rw, Propagation: mp.propagation }
  if (mp.type === 'volume') return { Type: mp.type, Name: mp.name, Source: mp.source, Destination: mp.destination, Driver: mp.driver, Mode: mp.mode, RW: mp.rw, Propagation: mp.propagation }
  return view
}

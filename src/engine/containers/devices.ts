import { stat } from 'node:fs/promises'
import { EngineError } from '../../common/index.js'
import type { ResolvedDevice } from './security-spec.js'

interface DeviceMapping {
  PathOnHost?: string
  PathInContainer?: string
  CgroupPermissions?: string
}

/** Linux dev_t split (glibc gnu_dev_major/minor). */
export function splitDevice(rdev: number): { major: number; minor: number } {
  const dev = BigInt(rdev)
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn))
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn))
  return { major, minor }
}

/**
 * HostConfig.Devices -> device nodes for the OCI spec, read from the host (moby
 * devicesFromPath). InvalidArgument when a path is missing or not a device.
 */
export async function resolveDevices(devices: unknown): Promise<ResolvedDevice[]> {
  if (!Array.isArray(devices)) return []
  const out: ResolvedDevice[] = []
  for (const d of devices as DeviceMapping[]) {
    const hostPath = d.PathOnHost ?? ''
    let st
    try {
      st = await stat(hostPath)
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : String(err)
      throw new EngineError('InvalidArgument', 'INVALID_DEVICE', `error gathering device information while adding custom device "${hostPath}": ${reason}`)
    }
    const type = st.isCharacterDevice() ? 'c' : st.isBlockDevice() ? 'b' : undefined
    if (!type) throw new EngineError('InvalidArgument', 'INVALID_DEVICE', `error gathering device information while adding custom device "${hostPath}": not a device node`)
    const { major, minor } = splitDevice(st.rdev)
    out.push({
      device: { type, path: d.PathInContainer || hostPath, major, minor, fileMode: st.mode & 0o7777, uid: st.uid, gid: st.gid },
      permissions: d.CgroupPermissions || 'rwm',
    })
  }
  return out
}

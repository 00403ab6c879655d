/**
 * docker's opts.MountOpt: one `--mount` value ("type=bind,source=/a,target=/b,readonly") -> a
 * HostConfig.Mounts entry, with the docker CLI's error wording. Pure.
 */
import { ramInBytes } from './container-config.js'

export interface MountEntry {
  Type: string
  Source?: string
  Target?: string
  ReadOnly?: boolean
  Consistency?: string
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean }
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; DriverConfig?: { Name?: string; Options?: Record<string, string> }; Subpath?: string }
  TmpfsOptions?: { SizeBytes?: number; Mode?: number }
}

const BOOL_KEYS = new Set(['readonly', 'ro', 'volume-nocopy', 'bind-nonrecursive', 'bind-create-mountpoint'])

function parseBool(key: string, value: string): boolean {
  const v = value.toLowerCase()
  if (['1', 't', 'true'].includes(v)) return true
  if (['0', 'f', 'false'].includes(v)) return false
  throw new Error(`invalid value for ${key}: ${value}`)
}

/** Splits a CSV field list as encoding/csv would (quotes allowed around a field). */
function csvFields(value: string): string[] {
  const fields: string[] = []
  let cur = ''
  let quoted = false
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string
    if (c === '"') {
      if (quoted && value[i + 1] === '"') {
        cur += '"'
        i++
      } else quoted = !quoted
    } else if (c === ',' && !quoted) {
      fields.push(cur)
      cur = ''
    } else cur += c
  }
  fields.push(cur)
  return fields
}

function keyValue(field: string, what: string): [string, string] {
  const eq = field.indexOf('=')
  if (eq < 0) throw new Error(`invalid ${what} '${field}': must be a key=value pair`)
  return [field.slice(0, eq), field.slice(eq + 1)]
}

export function parseMountOpt(value: string): MountEntry {
  const mount: MountEntry = { Type: 'volume' }
  const volumeOptions = (): NonNullable<MountEntry['VolumeOptions']> => (mount.VolumeOptions ??= {})
  const bindOptions = (): NonNullable<MountEntry['BindOptions']> => (mount.BindOptions ??= {})
  const tmpfsOptions = (): NonNullable<MountEntry['TmpfsOptions']> => (mount.TmpfsOptions ??= {})
  for (const field of csvFields(value)) {
    const eq = field.indexOf('=')
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase()
    let val = eq < 0 ? '' : field.slice(eq + 1)
    if (eq < 0) {
      if (!BOOL_KEYS.has(key)) throw new Error(`invalid field '${field}' must be a key=value pair`)
      val = 'true'
    }
    switch (key) {
      case 'type': mount.Type = val.toLowerCase(); break
      case 'source': case 'src': mount.Source = val; break
      case 'target': case 'dst': case 'destination': mount.Target = val; break
      case 'readonly': case 'ro': mount.ReadOnly = parseBool(key, val); break
      case 'consistency': mount.Consistency = val.toLowerCase(); break
      case 'bind-propagation': bindOptions().Propagation = val.toLowerCase(); break
      case 'bind-nonrecursive': bindOptions().NonRecursive = parseBool(key, val); break
      case 'bind-create-mountpoint': bindOptions().CreateMountpoint = parseBool(key, val); break
      case 'volume-nocopy': volumeOptions().NoCopy = parseBool(key, val); break
      case 'volume-subpath': volumeOptions().Subpath = val; break
      case 'volume-driver': volumeOptions().DriverConfig = { ...volumeOptions().DriverConfig, Name: val }; break
      case 'volume-label': {
        const [k, v] = keyValue(val, 'label')
        volumeOptions().Labels = { ...volumeOptions().Labels, [k]: v }
        break
      }
      case 'volume-opt': {
        const [k, v] = keyValue(val, 'volume-opt')
        const driver = (volumeOptions().DriverConfig ??= {})
        driver.Options = { ...driver.Options, [k]: v }
        break
      }
      case 'tmpfs-size': tmpfsOptions().SizeBytes = ramInBytes(val, 'tmpfs-size'); break
      case 'tmpfs-mode': {
        if (!/^[0-7]+$/.test(val)) throw new Error(`invalid value for ${key}: ${val}`)
        tmpfsOptions().Mode = parseInt(val, 8)
        break
      }
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`)
    }
  }
  if (mount.Type === '') throw new Error('type is required')
  if (!mount.Target) throw new Error('target is required')
  if (mount.VolumeOptions && mount.Type !== 'volume') throw new Error(`cannot mix 'volume-*' options with mount type '${mount.Type}'`)
  if (mount.BindOptions && mount.Type !== 'bind') throw new Error(`cannot mix 'bind-*' options with mount type '${mount.Type}'`)
  if (mount.TmpfsOptions && mount.Type !== 'tmpfs') throw new Error(`cannot mix 'tmpfs-*' options with mount type '${mount.Type}'`)
  return mount
}

/**
 * Parsing of what a container asks to mount, with moby's messages (volume/mounts/linux_parser.go):
 * HostConfig.Binds ("name:/path[:mode]", "/host:/path[:mode]", "/path"), HostConfig.Mounts,
 * HostConfig.Tmpfs and HostConfig.VolumesFrom. Pure: existence of bind sources is checked by the caller.
 */
import { posix } from 'node:path'
import { invalid, type EngineError } from '../../common/index.js'

export type MountType = 'volume' | 'bind' | 'tmpfs'

/** One mount a container asked for, before volumes are looked up or created. */
export interface MountRequest {
  type: MountType
  /** Volume name ('' = anonymous) or, for binds, the cleaned host path. */
  source: string
  destination: string
  rw: boolean
  /** As Docker shows it in inspect (the raw mode of a -v bind; '' for --mount). */
  mode: string
  propagation: string
  copyData: boolean
  /** From --mount type=bind: a missing source is an error instead of being created. */
  sourceMustExist: boolean
  /** Bind without submounts (BindOptions.NonRecursive). */
  nonRecursive?: boolean
  volumeLabels?: Record<string, string>
  driver?: string
  driverOpts?: Record<string, string>
  tmpfsOptions?: string[]
}

/** HostConfig.Mounts entry as the API sends it. */
export interface MountWire {
  Type?: string
  Source?: string
  Target?: string
  ReadOnly?: boolean
  Consistency?: string
  BindOptions?: { Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean } | null
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string> | null; DriverConfig?: { Name?: string; Options?: Record<string, string> | null } | null; Subpath?: string } | null
  TmpfsOptions?: { SizeBytes?: number; Mode?: number; Options?: string[][] | null } | null
}

const RW_MODES = new Set(['rw', 'ro'])
const LABEL_MODES = new Set(['z', 'Z'])
const PROPAGATION_MODES = new Set(['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared'])
const COPY_MODES = new Set(['nocopy'])
const CONSISTENCY_MODES = new Set(['consistent', 'cached', 'delegated'])
const DEFAULT_PROPAGATION = 'rprivate'

const invalidSpec = (raw: string): string => `invalid volume specification: '${raw}'`
const mountConfigError = (type: string, message: string): EngineError => invalid('INVALID_MOUNT_CONFIG', `invalid mount config for type "${type}": ${message}`)

/** linuxValidMountMode: comma-separated, at most one of each kind. */
export function validMountMode(mode: string): boolean {
  if (mode === '') return true
  const counts = [0, 0, 0, 0, 0]
  for (const o of mode.split(',')) {
    const kind = RW_MODES.has(o) ? 0 : LABEL_MODES.has(o) ? 1 : PROPAGATION_MODES.has(o) ? 2 : COPY_MODES.has(o) ? 3 : CONSISTENCY_MODES.has(o) ? 4 : -1
    if (kind < 0) return false
    counts[kind]! += 1
  }
  return counts.every((c) => c <= 1)
}

function modeParts(mode: string): string[] {
  return mode === '' ? [] : mode.split(',')
}

/** Checks a target: not empty, not "/", absolute. Returns the cleaned path. */
function validateTarget(type: string, target: string | undefined): string {
  if (!target) throw mountConfigError(type, 'field Target must not be empty')
  if (posix.normalize(target.replaceAll('\\', '/')) === '/' || posix.normalize(target) === '/.') {
    throw mountConfigError(type, "invalid specification: destination can't be '/'")
  }
  if (!target.startsWith('/')) throw mountConfigError(type, `invalid mount path: '${target}' mount path must be absolute`)
  return cleanPath(target)
}

function cleanPath(p: string): string {
  const c = posix.normalize(p)
  return c.length > 1 && c.endsWith('/') ? c.slice(0, -1) : c
}

/** One HostConfig.Binds entry (ParseMountRaw). */
export function parseBind(raw: string): MountRequest {
  const arr = raw.split(':')
  if (arr[0] === '' || arr.length > 3) throw invalid('INVALID_VOLUME_SPEC', invalidSpec(raw))
  let source = ''
  let target: string
  let mode = ''
  if (arr.length === 1) {
    target = arr[0] as string
  } else if (arr.length === 2) {
    if (validMountMode(arr[1] as string)) throw invalid('INVALID_VOLUME_SPEC', invalidSpec(raw))
    ;[source, target] = arr as [string, string]
  } else {
    ;[source, target, mode] = arr as [string, string, string]
  }
  if (!validMountMode(mode)) throw invalid('INVALID_VOLUME_SPEC', `invalid mode: ${mode}`)
  const type: MountType = source.startsWith('/') ? 'bind' : 'volume'
  const parts = modeParts(mode)
  let destination: string
  try {
    destination = validateTarget(type, target)
  } catch (err) {
    throw invalid('INVALID_VOLUME_SPEC', `${invalidSpec(raw)}: ${(err as Error).message}`)
  }
  const propagation = parts.find((p) => PROPAGATION_MODES.has(p))
  return {
    type,
    source: type === 'bind' ? cleanPath(source) : source,
    destination,
    rw: !parts.includes('ro'),
    mode,
    propagation: type === 'bind' ? propagation ?? DEFAULT_PROPAGATION : propagation ?? '',
    copyData: !parts.includes('nocopy'),
    sourceMustExist: false,
  }
}

/** Docker's ConvertTmpfsOptions: "ro", "mode=1777" (octal), "size=64m", then exec/noexec. */
export function tmpfsOptionsFrom(opts: MountWire['TmpfsOptions'], readOnly: boolean): string[] {
  const out: string[] = []
  if (readOnly) out.push('ro')
  if (opts?.Mode) out.push(`mode=${opts.Mode.toString(8)}`)
  if (opts?.SizeBytes) {
    let size = opts.SizeBytes
    let suffix = ''
    for (const [s, d] of [['g', 2 ** 30], ['m', 2 ** 20], ['k', 2 ** 10]] as const) {
      if (size % d === 0) {
        size /= d
        suffix = s
        break
      }
    }
    out.push(`size=${size}${suffix}`)
  }
  for (const opt of opts?.Options ?? []) {
    if (opt.length < 1 || opt.length > 2) throw new Error('invalid option array length')
    if (opt[0] !== 'exec' && opt[0] !== 'noexec') throw new Error(`invalid option: ${opt[0]}`)
    out.push(opt.length === 1 ? opt[0] : `${opt[0]}=${opt[1]}`)
  }
  return out
}

/** One HostConfig.Mounts entry (ParseMountSpec without the bind source existence check). */
export function parseMount(m: MountWire): MountRequest {
  const type = m.Type ?? ''
  const destination = validateTarget(type, m.Target)
  const readOnly = m.ReadOnly === true
  switch (type) {
    case 'bind': {
      if (!m.Source) throw mountConfigError(type, 'field Source must not be empty')
      const propagation = m.BindOptions?.Propagation ?? ''
      if (propagation !== '' && !PROPAGATION_MODES.has(propagation)) throw mountConfigError(type, `invalid propagation mode: ${propagation}`)
      if (m.VolumeOptions) throw mountConfigError(type, 'field VolumeOptions must not be specified')
      if (!m.Source.startsWith('/')) throw mountConfigError(type, `invalid mount path: '${m.Source}' mount path must be absolute`)
      return {
        type, source: cleanPath(m.Source), destination, rw: !readOnly, mode: '', propagation: propagation || DEFAULT_PROPAGATION,
        copyData: false, sourceMustExist: m.BindOptions?.CreateMountpoint !== true,
        ...(m.BindOptions?.NonRecursive ? { nonRecursive: true } : {}),
      }
    }
    case 'volume': {
      if (m.BindOptions) throw mountConfigError(type, 'field BindOptions must not be specified')
      const anonymous = !m.Source
      if (m.VolumeOptions?.Subpath) throw mountConfigError(type, 'volume subpaths are not supported')
      if (readOnly && anonymous) throw mountConfigError(type, 'must not set ReadOnly mode when using anonymous volumes')
      const driver = m.VolumeOptions?.DriverConfig?.Name
      const driverOpts = m.VolumeOptions?.DriverConfig?.Options
      const labels = m.VolumeOptions?.Labels
      return {
        type, source: m.Source ?? '', destination, rw: !readOnly, mode: '', propagation: '',
        copyData: m.VolumeOptions?.NoCopy !== true, sourceMustExist: false,
        ...(labels && Object.keys(labels).length > 0 ? { volumeLabels: { ...labels } } : {}),
        ...(driver ? { driver } : {}),
        ...(driverOpts && Object.keys(driverOpts).length > 0 ? { driverOpts: { ...driverOpts } } : {}),
      }
    }
    case 'tmpfs': {
      if (m.BindOptions) throw mountConfigError(type, 'field BindOptions must not be specified')
      if (m.Source) throw mountConfigError(type, 'field Source must not be specified')
      let tmpfsOptions: string[]
      try {
        tmpfsOptions = tmpfsOptionsFrom(m.TmpfsOptions, readOnly)
      } catch (err) {
        throw mountConfigError(type, (err as Error).message)
      }
      return { type, source: '', destination, rw: !readOnly, mode: '', propagation: '', copyData: false, sourceMustExist: false, tmpfsOptions }
    }
    default:
      throw mountConfigError(type, 'mount type unknown')
  }
}

/** HostConfig.Tmpfs: {"/run": "rw,size=64m"}. Options are passed to the kernel as given. */
export function parseTmpfs(tmpfs: Record<string, string>): MountRequest[] {
  return Object.entries(tmpfs).map(([target, data]) => {
    if (posix.normalize(target) === '/') throw invalid('INVALID_TMPFS', "invalid tmpfs mount destination: invalid specification: destination can't be '/'")
    if (!target.startsWith('/')) throw invalid('INVALID_TMPFS', `invalid tmpfs mount destination: invalid mount path: '${target}' mount path must be absolute`)
    const options = data === '' ? [] : data.split(',')
    return {
      type: 'tmpfs', source: '', destination: cleanPath(target), rw: !options.includes('ro'), mode: '', propagation: '',
      copyData: false, sourceMustExist: false, tmpfsOptions: options,
    }
  })
}

/** One HostConfig.VolumesFrom entry: "container[:ro|rw]". */
export function parseVolumesFrom(spec: string): { container: string; mode: string } {
  if (spec === '') throw invalid('INVALID_VOLUMES_FROM', 'volumes-from specification cannot be an empty string')
  const colon = spec.indexOf(':')
  const container = colon < 0 ? spec : spec.slice(0, colon)
  const mode = colon < 0 ? '' : spec.slice(colon + 1)
  if (mode === '') return { container, mode: 'rw' }
  const parts = modeParts(mode)
  if (!validMountMode(mode) || parts.some((p) => PROPAGATION_MODES.has(p) || COPY_MODES.has(p))) {
    throw invalid('INVALID_VOLUMES_FROM', `invalid mode: ${mode}`)
  }
  return { container, mode }
}

/** Options of a tmpfs mount in the OCI spec: Docker's defaults, then the user's ("exec" after "noexec" wins). */
export function tmpfsMountOptions(userOptions: readonly string[]): string[] {
  // dockerd's defaults first: a later "exec"/"suid"/"dev" from the user wins when the runtime applies them in order.
  return ['noexec', 'nosuid', 'nodev', 'rprivate', ...userOptions]
}

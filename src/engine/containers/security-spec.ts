/**
 * The security and namespace parts of a container's OCI config that Docker derives from HostConfig:
 * SecurityOpt (seccomp, no-new-privileges), PidMode/IpcMode/UTSMode/UsernsMode, Sysctls, Devices
 * and DeviceCgroupRules, GroupAdd and the Tmpfs map. Pure: host lookups (device nodes, other
 * containers' namespaces) are resolved by the caller and passed in.
 */
import { EngineError, type LinuxDevice, type LinuxDeviceCgroup, type Mount, type Spec } from '../../common/index.js'
import { parseGroup } from './process-spec.js'
import { DEFAULT_SECCOMP_PROFILE, seccompSpec, type SeccompProfile } from './seccomp/index.js'

const invalid = (message: string): EngineError => new EngineError('InvalidArgument', 'INVALID_HOST_CONFIG', message)

export interface SecurityOptions {
  /** 'default', 'unconfined' or a profile given inline (the docker CLI sends the file's content). */
  seccomp: 'default' | 'unconfined' | SeccompProfile
  noNewPrivileges: boolean
}

/** moby parseSecurityOpt: key=value or key:value; seccomp, no-new-privileges, apparmor, label, systempaths. */
export function parseSecurityOpts(opts: readonly string[] | undefined): SecurityOptions {
  const out: SecurityOptions = { seccomp: 'default', noNewPrivileges: false }
  for (const opt of opts ?? []) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true
      continue
    }
    const sep = opt.search(/[=:]/)
    if (sep < 0) throw invalid(`invalid --security-opt 1: "${opt}"`)
    const key = opt.slice(0, sep)
    const value = opt.slice(sep + 1)
    switch (key) {
      case 'seccomp':
        if (value === 'unconfined') out.seccomp = 'unconfined'
        else if (value === 'builtin' || value === '') out.seccomp = 'default'
        else {
          try {
            out.seccomp = JSON.parse(value) as SeccompProfile
          } catch (err) {
            throw invalid(`Decoding seccomp profile failed: ${err instanceof Error ? err.message : String(err)}`)
          }
        }
        break
      case 'no-new-privileges':
        if (value !== 'true' && value !== 'false') throw invalid(`invalid --security-opt 2: "${opt}"`)
        out.noNewPrivileges = value === 'true'
        break
      case 'apparmor':
      case 'label':
      case 'systempaths':
      case 'writable-cgroups':
      case 'mask':
      case 'unmask':
        break // no AppArmor/SELinux on berth's hosts; accepted as dockerd accepts them where unsupported
      default:
        throw invalid(`invalid --security-opt 2: "${opt}"`)
    }
  }
  return out
}

/** Namespaced sysctls (moby/runc): IPC ones need a private IPC namespace, net.* a private network one. */
export function validateSysctls(sysctls: Record<string, string> | undefined, modes: { ipc: string; network: string; uts: string }): void {
  const ipc = ['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']
  for (const key of Object.keys(sysctls ?? {})) {
    if (ipc.includes(key) || key.startsWith('fs.mqueue.')) {
      if (modes.ipc === 'host') throw invalid(`sysctl "${key}" not allowed in host IPC namespace`)
    } else if (key.startsWith('net.')) {
      if (modes.network === 'host') throw invalid(`sysctl "${key}" not allowed in host network namespace`)
    } else if (key === 'kernel.domainname' || key === 'kernel.hostname') {
      if (modes.uts === 'host') throw invalid(`sysctl "${key}" not allowed in host UTS namespace`)
    } else {
      throw invalid(`sysctl '${key}' is not allowed`)
    }
  }
}

/** Docker's HostConfig mode strings, validated at create (moby verifyContainerSettings). */
export function validateModes(raw: Record<string, unknown> | undefined): void {
  const check = (key: string, flag: string, ok: (v: string) => boolean): void => {
    const v = raw?.[key]
    if (typeof v === 'string' && v !== '' && !ok(v)) throw invalid(`invalid ${flag} mode: ${v}`)
  }
  check('PidMode', 'PID', (v) => v === 'host' || /^container:.+/.test(v))
  check('IpcMode', 'IPC', (v) => ['host', 'private', 'shareable', 'none'].includes(v) || /^container:.+/.test(v))
  check('UTSMode', 'UTS', (v) => v === 'host')
  check('UsernsMode', 'USER', (v) => v === 'host')
  const sysctls = raw?.['Sysctls'] as Record<string, string> | undefined
  validateSysctls(sysctls, {
    ipc: String(raw?.['IpcMode'] ?? ''), network: String(raw?.['NetworkMode'] ?? ''), uts: String(raw?.['UTSMode'] ?? ''),
  })
  parseSecurityOpts(raw?.['SecurityOpt'] as string[] | undefined)
  for (const rule of (raw?.['DeviceCgroupRules'] as string[] | undefined) ?? []) parseDeviceCgroupRule(rule)
}

/** "c 1:3 mr", "a *:* rwm" -> a device cgroup rule. */
export function parseDeviceCgroupRule(rule: string): LinuxDeviceCgroup {
  const m = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/.exec(rule.trim())
  if (!m) throw invalid(`invalid device cgroup format '${rule}'`)
  const out: LinuxDeviceCgroup = { allow: true, type: m[1] as 'a' | 'b' | 'c', access: m[4]! }
  if (m[2] !== '*') out.major = Number(m[2])
  if (m[3] !== '*') out.minor = Number(m[3])
  return out
}

/** A host device node as `--device` adds it (the caller stats the host path). */
export interface ResolvedDevice {
  device: LinuxDevice
  permissions: string
}

/** `--tmpfs` options after dockerd's defaults (noexec,nosuid,nodev), the user's last word winning. */
export function tmpfsMount(destination: string, options: string): Mount {
  const opposite: Record<string, string> = { exec: 'noexec', noexec: 'exec', suid: 'nosuid', nosuid: 'suid', dev: 'nodev', nodev: 'dev' }
  const opts = ['noexec', 'nosuid', 'nodev']
  for (const o of options.split(',').map((x) => x.trim()).filter(Boolean)) {
    const against = opposite[o]
    if (against) {
      const i = opts.indexOf(against)
      if (i >= 0) opts.splice(i, 1)
    }
    if (!opts.includes(o)) opts.push(o)
  }
  return { destination, type: 'tmpfs', source: 'tmpfs', options: opts }
}

/** Supplementary groups from --group-add: numbers as given, names looked up in the container's /etc/group. */
export function groupAddGids(groups: readonly string[] | undefined, groupFile: string | undefined): number[] {
  const entries = groupFile === undefined ? [] : parseGroup(groupFile)
  return (groups ?? []).map((g) => {
    if (/^\d+$/.test(g)) return Number(g)
    const entry = entries.find((e) => e.name === g)
    if (!entry) throw invalid(`Unable to find group ${g}: no matching entries in group file`)
    return entry.gid
  })
}

export interface SecurityContext {
  /** The container's bounding capabilities. */
  capabilities: readonly string[]
  arch: string
  kernel?: string
  /** Namespace paths of containers named by container:X modes, already resolved. */
  namespacePaths?: { pid?: string; ipc?: string }
  devices?: readonly ResolvedDevice[]
  extraGids?: readonly number[]
}

/**
 * Applies the HostConfig security/namespace fields to `spec` (built by ociSpec). Throws
 * InvalidArgument for invalid options or a bad seccomp profile.
 */
export function applySecurity(spec: Spec, raw: Record<string, unknown> | undefined, privileged: boolean, ctx: SecurityContext): void {
  const security = parseSecurityOpts(raw?.['SecurityOpt'] as string[] | undefined)
  const linux = (spec.linux ??= {})
  if (spec.process) spec.process.noNewPrivileges = security.noNewPrivileges
  // --privileged turns seccomp off, as in Docker.
  if (!privileged && security.seccomp !== 'unconfined') {
    const profile = security.seccomp === 'default' ? DEFAULT_SECCOMP_PROFILE : security.seccomp
    linux.seccomp = seccompSpec(profile, { capabilities: ctx.capabilities, arch: ctx.arch, kernel: ctx.kernel })
  }

  const mode = (key: string): string => (typeof raw?.[key] === 'string' ? (raw[key] as string) : '')
  const namespaces = linux.namespaces ?? []
  const setNamespace = (type: 'pid' | 'ipc' | 'uts', value: 'host' | 'private' | { path: string }): void => {
    const i = namespaces.findIndex((n) => n.type === type)
    if (i >= 0) namespaces.splice(i, 1)
    if (value === 'private') namespaces.push({ type })
    else if (value !== 'host') namespaces.push({ type, path: value.path })
  }
  const pidMode = mode('PidMode')
  if (pidMode === 'host') setNamespace('pid', 'host')
  else if (pidMode.startsWith('container:') && ctx.namespacePaths?.pid) setNamespace('pid', { path: ctx.namespacePaths.pid })
  const ipcMode = mode('IpcMode')
  if (ipcMode === 'host') setNamespace('ipc', 'host')
  else if (ipcMode.startsWith('container:') && ctx.namespacePaths?.ipc) setNamespace('ipc', { path: ctx.namespacePaths.ipc })
  if (ipcMode === 'host' || ipcMode === 'none' || ipcMode.startsWith('container:')) {
    // The host's or the other container's /dev/shm is not ours to mount a fresh tmpfs over; 'none' has none.
    spec.mounts = (spec.mounts ?? []).filter((m) => m.destination !== '/dev/shm')
    if (ipcMode === 'host') spec.mounts.push({ destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] })
  }
  if (mode('UTSMode') === 'host') {
    setNamespace('uts', 'host')
    delete spec.hostname
    delete spec.domainname
  }
  linux.namespaces = namespaces

  const resources = (linux.resources ??= {})
  if (!privileged) {
    for (const rule of (raw?.['DeviceCgroupRules'] as string[] | undefined) ?? []) (resources.devices ??= []).push(parseDeviceCgroupRule(rule))
  }
  for (const d of ctx.devices ?? []) {
    ;(linux.devices ??= []).push(d.device)
    if (!privileged) {
      (resources.devices ??= []).push({ allow: true, type: d.device.type as 'c' | 'b', major: d.device.major, minor: d.device.minor, access: d.permissions })
    }
  }

  // HostConfig.Tmpfs is mounted by the volume hook, which decides every user mount (destinations
  // resolved inside the rootfs); tmpfsMount() stays the option rules both follow.
  if (ctx.extraGids?.length && spec.process) {
    const gids = spec.process.user.additionalGids ?? []
    for (const g of ctx.extraGids) if (!gids.includes(g)) gids.push(g)
    spec.process.user.additionalGids = gids
  }
}

/**
 * Linux capabilities as Docker applies them (moby oci/caps): the default set, CapAdd/CapDrop with
 * "ALL", and names accepted with or without the CAP_ prefix in any case.
 */
import { EngineError } from '../../common/index.js'

/** Indexed by capability number (capability.h). */
export const ALL_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
]

/** Docker's default capability set, in moby's order. */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
]

/**
 * Names from a capability mask such as /proc/self/status "CapBnd: 000001fffeffffff".
 * Bits beyond the known list are ignored.
 */
export function capabilitiesFromMask(hexMask: string): string[] {
  const mask = BigInt('0x' + hexMask.trim())
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n)
}

function normalize(list: readonly string[] | undefined): { caps: string[]; all: boolean } {
  const caps: string[] = []
  let all = false
  for (const raw of list ?? []) {
    const upper = raw.trim().toUpperCase()
    if (upper === '') continue
    if (upper === 'ALL') {
      all = true
      continue
    }
    const name = upper.startsWith('CAP_') ? upper : `CAP_${upper}`
    if (!ALL_CAPABILITIES.includes(name)) {
      throw new EngineError('InvalidArgument', 'INVALID_CAPABILITY', `unknown capability: ${JSON.stringify(name)}`)
    }
    if (!caps.includes(name)) caps.push(name)
  }
  return { caps, all }
}

/** Throws InvalidArgument for an unknown capability name (checked at create time). */
export function validateCapabilities(capAdd: readonly string[] | undefined, capDrop: readonly string[] | undefined): void {
  normalize(capAdd)
  normalize(capDrop)
}

/**
 * The container's capability set (moby caps.TweakCapabilities). `available` is what the host can
 * grant (its bounding set); the result never contains anything outside it, so a missing
 * CAP_SYS_RESOURCE on the host does not make the runtime fail.
 */
export function tweakCapabilities(opts: {
  capAdd?: readonly string[]
  capDrop?: readonly string[]
  privileged?: boolean
  available?: readonly string[]
}): string[] {
  const all = ALL_CAPABILITIES.filter((c) => !opts.available || opts.available.includes(c))
  const allowed = (c: string): boolean => all.includes(c)
  if (opts.privileged) return all
  const drop = normalize(opts.capDrop)
  const add = normalize(opts.capAdd)
  let caps: string[]
  if (add.all) caps = all.filter((c) => !drop.caps.includes(c))
  else if (drop.all) caps = [...add.caps]
  else {
    caps = DEFAULT_CAPABILITIES.filter((c) => !drop.caps.includes(c))
    for (const c of add.caps) if (!caps.includes(c)) caps.push(c)
  }
  return caps.filter(allowed)
}

import { readFile } from 'node:fs/promises'

// Capability numbers from linux/capability.h, in order.
const capNames = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
]

/** "CAP_X" names of the bits set in a /proc/<pid>/status Cap* hex mask. */
export function capabilitiesFromMask(hex: string): string[] {
  const mask = BigInt(`0x${hex}`)
  return capNames.filter((_, bit) => (mask >> BigInt(bit)) & 1n).map((n) => `CAP_${n}`)
}

/** The capabilities this process may grant (its bounding set); on some hosts CAP_SYS_RESOURCE is missing. */
export async function boundingCapabilities(): Promise<string[]> {
  const status = await readFile('/proc/self/status', 'utf8')
  const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)
  return m?.[1] ? capabilitiesFromMask(m[1]) : capNames.map((n) => `CAP_${n}`)
}

/** Parses the "Max open files" hard limit out of /proc/<pid>/limits text. */
export function parseNofileHardLimit(limits: string): number | undefined {
  const m = /^Max open files\s+(\S+)\s+(\S+)/m.exec(limits)
  if (!m?.[2]) return undefined
  return m[2] === 'unlimited' ? Number.MAX_SAFE_INTEGER : Number(m[2])
}

/** The RLIMIT_NOFILE hard limit of this process: containers never ask for more. */
export async function hostNofileHardLimit(): Promise<number | undefined> {
  return parseNofileHardLimit(await readFile('/proc/self/limits', 'utf8'))
}

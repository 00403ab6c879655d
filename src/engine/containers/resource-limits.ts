/**
 * Docker's checks of HostConfig resource fields (moby daemon/daemon_unix.go
 * verifyPlatformContainerResources), shared by create and update: errors with Docker's wording,
 * warnings for limits the host cannot enforce (which are then dropped, as dockerd drops them).
 * Pure: the host facts come in as arguments.
 */
export const MIN_MEMORY = 6 * 1024 * 1024

export interface HostResourceFacts {
  ncpu: number
  blkioWeight: boolean
  swapLimit: boolean
}

/** Resource fields `POST /containers/{id}/update` may change (Docker's container.Resources). */
export const UPDATABLE_FIELDS: readonly string[] = [
  'CpuShares', 'Memory', 'NanoCpus', 'CgroupParent', 'BlkioWeight', 'BlkioWeightDevice', 'BlkioDeviceReadBps',
  'BlkioDeviceWriteBps', 'BlkioDeviceReadIOps', 'BlkioDeviceWriteIOps', 'CpuPeriod', 'CpuQuota', 'CpuRealtimePeriod',
  'CpuRealtimeRuntime', 'CpusetCpus', 'CpusetMems', 'Devices', 'DeviceCgroupRules', 'DeviceRequests', 'KernelMemory',
  'KernelMemoryTCP', 'MemoryReservation', 'MemorySwap', 'MemorySwappiness', 'OomKillDisable', 'PidsLimit', 'Ulimits',
  'CpuCount', 'CpuPercent', 'IOMaximumIOps', 'IOMaximumBandwidth',
]

function n(raw: Record<string, unknown>, key: string): number {
  const v = raw[key]
  return typeof v === 'number' && Number.isFinite(v) ? v : 0
}

/** Parses a cpuset list ("0-2,4"); undefined when malformed. */
export function parseCpuset(list: string): number[] | undefined {
  const out: number[] = []
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim())
    if (!m) return undefined
    const a = Number(m[1])
    const b = m[2] === undefined ? a : Number(m[2])
    if (b < a) return undefined
    for (let i = a; i <= b; i++) out.push(i)
  }
  return out
}

/**
 * Checks `raw` (the merged HostConfig for create, or the result of applying an update). Returns
 * the error message (Docker's words) or the warnings; `raw` is changed in place to drop what the
 * host cannot enforce.
 */
/** dockerd's create-time defaults (adaptContainerSettings): swap limit twice the memory limit. */
export function defaultResources(raw: Record<string, unknown>): void {
  const memory = n(raw, 'Memory')
  if (memory > 0 && n(raw, 'MemorySwap') === 0) raw['MemorySwap'] = memory * 2
}

export function checkResources(raw: Record<string, unknown>, host: HostResourceFacts, opts: { update?: boolean } = {}): { error?: string; warnings: string[] } {
  const warnings: string[] = []
  const memory = n(raw, 'Memory')
  const swap = n(raw, 'MemorySwap')
  const reservation = n(raw, 'MemoryReservation')
  if (memory !== 0 && memory < MIN_MEMORY) return { error: 'Minimum memory limit allowed is 6MB', warnings }
  if (memory > 0 && swap > 0 && swap < memory) {
    return { error: 'Minimum memoryswap limit should be larger than memory limit, see usage', warnings }
  }
  if (memory === 0 && swap > 0 && !opts.update) {
    return { error: 'You should always set the Memory limit when using Memoryswap limit, see usage', warnings }
  }
  if (swap !== 0 && !host.swapLimit) {
    warnings.push('Your kernel does not support swap limit capabilities or the cgroup is not mounted. Memory limited without swap.')
    raw['MemorySwap'] = -1
  }
  const swappiness = raw['MemorySwappiness']
  if (typeof swappiness === 'number' && swappiness !== -1 && (swappiness < 0 || swappiness > 100)) {
    return { error: `Invalid value: ${swappiness}, valid memory swappiness range is 0-100`, warnings }
  }
  if (reservation !== 0 && reservation < MIN_MEMORY) return { error: 'Minimum memory reservation allowed is 6MB', warnings }
  if (memory > 0 && reservation > 0 && memory < reservation) {
    return { error: 'Minimum memory limit can not be less than memory reservation limit, see usage', warnings }
  }
  if (raw['OomKillDisable'] === true && memory === 0) {
    warnings.push('OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.')
  }
  const nanoCpus = n(raw, 'NanoCpus')
  if (nanoCpus > 0 && n(raw, 'CpuPeriod') > 0) return { error: 'Conflicting options: Nano CPUs and CPU Period cannot both be set', warnings }
  if (nanoCpus > 0 && n(raw, 'CpuQuota') > 0) return { error: 'Conflicting options: Nano CPUs and CPU Quota cannot both be set', warnings }
  if (nanoCpus < 0 || nanoCpus > host.ncpu * 1e9) {
    return { error: `Range of CPUs is from 0.01 to ${host.ncpu}.00, as there are only ${host.ncpu} CPUs available`, warnings }
  }
  const period = n(raw, 'CpuPeriod')
  if (period !== 0 && (period < 1000 || period > 1000000)) {
    return { error: 'CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)', warnings }
  }
  const quota = n(raw, 'CpuQuota')
  if (quota > 0 && quota < 1000) return { error: 'CPU cfs quota can not be less than 1ms (i.e. 1000)', warnings }
  if (n(raw, 'CpuShares') < 0) return { error: `shares: invalid argument`, warnings }
  const cpuset = raw['CpusetCpus']
  if (typeof cpuset === 'string' && cpuset !== '') {
    const cpus = parseCpuset(cpuset)
    if (!cpus) return { error: `Invalid value ${cpuset} for cpuset cpus`, warnings }
    if (cpus.some((c) => c >= host.ncpu)) {
      return { error: `Requested CPUs are not available - requested ${cpuset}, available: 0-${host.ncpu - 1}`, warnings }
    }
  }
  const weight = n(raw, 'BlkioWeight')
  if (weight !== 0 && (weight < 10 || weight > 1000)) return { error: 'Range of blkio weight is from 10 to 1000', warnings }
  if (weight !== 0 && !host.blkioWeight) {
    warnings.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.')
    raw['BlkioWeight'] = 0
  }
  return { warnings }
}

/**
 * Applies an update body to the current HostConfig fields (moby container.UpdateContainer): only
 * non-zero values change a field, and a new memory limit above the current swap limit needs a new swap too.
 */
export function applyResourceUpdate(current: Record<string, unknown>, update: Record<string, unknown>): { raw: Record<string, unknown>; error?: string } {
  const raw = { ...current }
  for (const key of UPDATABLE_FIELDS) {
    const v = update[key]
    if (v === undefined || v === null || v === 0 || v === '') continue
    if (Array.isArray(v) && v.length === 0) continue
    raw[key] = v
  }
  const memory = n(update, 'Memory')
  const swap = n(update, 'MemorySwap')
  const currentSwap = n(current, 'MemorySwap')
  if (memory > 0 && swap === 0 && currentSwap > 0 && memory > currentSwap) {
    return { raw, error: 'Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time' }
  }
  // --cpus replaces a CFS period/quota given earlier, and the other way round.
  if (n(update, 'NanoCpus') > 0) {
    raw['CpuPeriod'] = 0
    raw['CpuQuota'] = 0
  } else if (n(update, 'CpuPeriod') > 0 || n(update, 'CpuQuota') > 0) {
    raw['NanoCpus'] = 0
  }
  return { raw }
}

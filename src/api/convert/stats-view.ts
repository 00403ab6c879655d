import { isoTime, type BlkioEntry, type CgroupStats } from '../../common/index.js'
import type { ContainerStatsSample } from '../../engine/containers/index.js'

const ZERO_TIME = '0001-01-01T00:00:00Z'

type Json = Record<string, unknown>

function cpuStats(usage: CgroupStats | undefined): Json {
  if (!usage) {
    return { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } }
  }
  const c = usage.cpu
  const cpuUsage: Json = { total_usage: c.totalNs }
  if (c.perCpuNs.length > 0) cpuUsage.percpu_usage = c.perCpuNs
  cpuUsage.usage_in_kernelmode = c.systemNs
  cpuUsage.usage_in_usermode = c.userNs
  return {
    cpu_usage: cpuUsage,
    system_cpu_usage: usage.systemCpuNs,
    online_cpus: usage.onlineCpus,
    throttling_data: { periods: c.periods, throttled_periods: c.throttledPeriods, throttled_time: c.throttledTimeNs },
  }
}

function blkio(entries: BlkioEntry[] | undefined): Json[] | null {
  if (!entries || entries.length === 0) return null
  return entries.map((e) => ({ major: e.major, minor: e.minor, op: e.op, value: e.value }))
}

/**
 * Docker's stats JSON (types/container.StatsResponse) for `sample`, with `previous` as precpu/preread.
 * Networks are added by the caller once networking reports interface counters.
 */
export function statsResponse(sample: ContainerStatsSample, previous: ContainerStatsSample | undefined): Json {
  const u = sample.usage
  const memory: Json = {}
  if (u) {
    memory.usage = u.memory.usage
    if (u.memory.maxUsage !== undefined) memory.max_usage = u.memory.maxUsage
    memory.stats = u.memory.stats
    if (u.memory.failcnt !== undefined) memory.failcnt = u.memory.failcnt
    memory.limit = u.memory.limit ?? 0
  }
  const pids: Json = {}
  if (u) {
    pids.current = u.pids.current
    if (u.pids.limit !== undefined) pids.limit = u.pids.limit
  }
  return {
    name: '/' + sample.name,
    id: sample.id,
    read: u ? isoTime(sample.read) : ZERO_TIME,
    preread: previous?.usage ? isoTime(previous.read) : ZERO_TIME,
    pids_stats: pids,
    blkio_stats: {
      io_service_bytes_recursive: blkio(u?.blkio.serviceBytes),
      io_serviced_recursive: blkio(u?.blkio.serviced),
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(u),
    precpu_stats: cpuStats(previous?.usage),
    memory_stats: memory,
    // TODO(networking): "networks": { eth0: { rx_bytes, rx_packets, rx_errors, rx_dropped, tx_... } } from the
    // container's network namespace once network endpoints exist.
  }
}

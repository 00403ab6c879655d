/** Resource usage of one cgroup, read from cgroup v1 or v2 files (sys/cgroup-stats.ts fills it in). */
export interface BlkioEntry {
  major: number
  minor: number
  /** "Read", "Write", "Sync", "Async", "Discard", "Total" on v1; "read"/"write" on v2 (as Docker reports them). */
  op: string
  value: number
}

export interface CgroupStats {
  /** The hierarchy the memory controller was read from. */
  version: 1 | 2
  cpu: {
    totalNs: number
    /** Per-CPU usage (v1 only; empty on v2). */
    perCpuNs: number[]
    userNs: number
    systemNs: number
    periods: number
    throttledPeriods: number
    throttledTimeNs: number
  }
  memory: {
    usage: number
    /** v1 only. */
    maxUsage?: number
    /** undefined when unlimited. */
    limit?: number
    failcnt?: number
    stats: Record<string, number>
  }
  pids: { current: number; limit?: number }
  blkio: { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] }
  /** Host CPU time (all CPUs, ns) at the time of the read, as Docker's system_cpu_usage. */
  systemCpuNs: number
  onlineCpus: number
}

import { readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { join } from 'node:path'
import type { BlkioEntry, CgroupStats } from '../common/index.js'
import { detectCgroups, type CgroupInfo } from './cgroups.js'

/** USER_HZ: cpuacct.stat and /proc/stat count in these ticks on every Linux architecture berth runs on. */
const CLOCK_TICKS = 100
const NS_PER_TICK = 1e9 / CLOCK_TICKS
/** v1 memory.limit_in_bytes for "no limit" is a page-rounded LONG_MAX; anything this large is unlimited. */
const V1_UNLIMITED = 2 ** 62

async function text(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch {
    return undefined
  }
}

async function int(path: string): Promise<number | undefined> {
  const t = (await text(path))?.trim()
  if (t === undefined || t === '' || t === 'max') return undefined
  const n = Number(t)
  return Number.isFinite(n) ? n : undefined
}

/** "key value" lines (memory.stat, cpu.stat, cpuacct.stat). */
export function parseKeyValueLines(body: string | undefined): Record<string, number> {
  const out: Record<string, number> = {}
  for (const line of (body ?? '').split('\n')) {
    const [k, v] = line.trim().split(/\s+/)
    if (k && v !== undefined && Number.isFinite(Number(v))) out[k] = Number(v)
  }
  return out
}

/** v1 blkio.throttle.io_service_bytes lines: "8:0 Read 4096"; the trailing "Total N" line is skipped. */
export function parseBlkioV1(body: string | undefined): BlkioEntry[] {
  const out: BlkioEntry[] = []
  for (const line of (body ?? '').split('\n')) {
    const m = /^(\d+):(\d+) (\w+) (\d+)$/.exec(line.trim())
    if (m) out.push({ major: Number(m[1]), minor: Number(m[2]), op: m[3]!, value: Number(m[4]) })
  }
  return out
}

/** v2 io.stat lines: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 ..." -> Docker's read/write entries. */
export function parseIoStatV2(body: string | undefined): { serviceBytes: BlkioEntry[]; serviced: BlkioEntry[] } {
  const serviceBytes: BlkioEntry[] = []
  const serviced: BlkioEntry[] = []
  for (const line of (body ?? '').split('\n')) {
    const [dev, ...fields] = line.trim().split(/\s+/)
    const m = /^(\d+):(\d+)$/.exec(dev ?? '')
    if (!m) continue
    const kv = Object.fromEntries(fields.map((f) => f.split('=')).map(([k, v]) => [k, Number(v)]))
    const major = Number(m[1])
    const minor = Number(m[2])
    serviceBytes.push({ major, minor, op: 'read', value: kv['rbytes'] ?? 0 }, { major, minor, op: 'write', value: kv['wbytes'] ?? 0 })
    serviced.push({ major, minor, op: 'read', value: kv['rios'] ?? 0 }, { major, minor, op: 'write', value: kv['wios'] ?? 0 })
  }
  return { serviceBytes, serviced }
}

/** /proc/stat's first line, summed, in ns (Docker's system_cpu_usage). */
export function parseProcStatCpu(body: string): number {
  const first = body.split('\n', 1)[0] ?? ''
  const ticks = first.trim().split(/\s+/).slice(1, 8).map(Number).reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0)
  return ticks * NS_PER_TICK
}

/**
 * Reads the usage of cgroup `cgroupPath` (e.g. "/berth/<id>") straight from the cgroup filesystem:
 * each controller from its v1 hierarchy when one is mounted (v1 and hybrid hosts), else from the
 * unified (v2) hierarchy. Missing files read as zero.
 */
export async function readCgroupStats(cgroupPath: string, info?: CgroupInfo): Promise<CgroupStats> {
  const layout = info ?? (await detectCgroups())
  const rel = cgroupPath.replace(/^\/+/, '')
  const v1 = (controller: string): string | undefined => {
    const h = layout.hierarchies.find((x) => x.fsType === 'cgroup' && x.controllers.includes(controller))
    return h && join(h.mountPoint, rel)
  }
  const unified = layout.hierarchies.find((x) => x.fsType === 'cgroup2')
  const v2 = unified ? join(unified.mountPoint, rel) : undefined
  const procStat = await text('/proc/stat')
  const onlineCpus = availableParallelism()

  const stats: CgroupStats = {
    version: v1('memory') ? 1 : 2,
    cpu: { totalNs: 0, perCpuNs: [], userNs: 0, systemNs: 0, periods: 0, throttledPeriods: 0, throttledTimeNs: 0 },
    memory: { usage: 0, stats: {} },
    pids: { current: 0 },
    blkio: { serviceBytes: [], serviced: [] },
    systemCpuNs: procStat ? parseProcStatCpu(procStat) : 0,
    onlineCpus,
  }

  const cpuacct = v1('cpuacct')
  const cpuDir = v1('cpu')
  if (cpuacct) {
    stats.cpu.totalNs = (await int(join(cpuacct, 'cpuacct.usage'))) ?? 0
    stats.cpu.perCpuNs = ((await text(join(cpuacct, 'cpuacct.usage_percpu'))) ?? '').trim().split(/\s+/).filter(Boolean).map(Number)
    const st = parseKeyValueLines(await text(join(cpuacct, 'cpuacct.stat')))
    stats.cpu.userNs = (st['user'] ?? 0) * NS_PER_TICK
    stats.cpu.systemNs = (st['system'] ?? 0) * NS_PER_TICK
  } else if (v2) {
    const st = parseKeyValueLines(await text(join(v2, 'cpu.stat')))
    stats.cpu.totalNs = (st['usage_usec'] ?? 0) * 1000
    stats.cpu.userNs = (st['user_usec'] ?? 0) * 1000
    stats.cpu.systemNs = (st['system_usec'] ?? 0) * 1000
    stats.cpu.periods = st['nr_periods'] ?? 0
    stats.cpu.throttledPeriods = st['nr_throttled'] ?? 0
    stats.cpu.throttledTimeNs = (st['throttled_usec'] ?? 0) * 1000
  }
  if (cpuDir) {
    const st = parseKeyValueLines(await text(join(cpuDir, 'cpu.stat')))
    stats.cpu.periods = st['nr_periods'] ?? 0
    stats.cpu.throttledPeriods = st['nr_throttled'] ?? 0
    stats.cpu.throttledTimeNs = st['throttled_time'] ?? 0
  }

  const mem = v1('memory')
  if (mem) {
    stats.memory.usage = (await int(join(mem, 'memory.usage_in_bytes'))) ?? 0
    stats.memory.maxUsage = (await int(join(mem, 'memory.max_usage_in_bytes'))) ?? 0
    stats.memory.failcnt = (await int(join(mem, 'memory.failcnt'))) ?? 0
    const limit = await int(join(mem, 'memory.limit_in_bytes'))
    if (limit !== undefined && limit < V1_UNLIMITED) stats.memory.limit = limit
    stats.memory.stats = parseKeyValueLines(await text(join(mem, 'memory.stat')))
  } else if (v2) {
    stats.memory.usage = (await int(join(v2, 'memory.current'))) ?? 0
    stats.memory.limit = await int(join(v2, 'memory.max'))
    stats.memory.stats = parseKeyValueLines(await text(join(v2, 'memory.stat')))
  }

  const pids = v1('pids') ?? v2
  if (pids) {
    stats.pids.current = (await int(join(pids, 'pids.current'))) ?? 0
    stats.pids.limit = await int(join(pids, 'pids.max'))
  }

  const blkio = v1('blkio')
  if (blkio) {
    stats.blkio.serviceBytes = parseBlkioV1(await text(join(blkio, 'blkio.throttle.io_service_bytes_recursive')) ?? await text(join(blkio, 'blkio.throttle.io_service_bytes')))
    stats.blkio.serviced = parseBlkioV1(await text(join(blkio, 'blkio.throttle.io_serviced_recursive')) ?? await text(join(blkio, 'blkio.throttle.io_serviced')))
  } else if (v2) {
    stats.blkio = parseIoStatV2(await text(join(v2, 'io.stat')))
  }
  return stats
}

/** Host support for limits Docker drops with a warning when the kernel lacks them. */
export interface CgroupFeatures {
  blkioWeight: boolean
  swapLimit: boolean
}

/** Which optional limits the host's cgroups support (checked on the hierarchy roots). */
export async function detectCgroupFeatures(info?: CgroupInfo): Promise<CgroupFeatures> {
  const layout = info ?? (await detectCgroups())
  const root = (controller: string): string | undefined =>
    layout.hierarchies.find((x) => x.fsType === 'cgroup' && x.controllers.includes(controller))?.mountPoint
  const exists = async (p: string): Promise<boolean> => (await text(p)) !== undefined
  const blkio = root('blkio')
  const mem = root('memory')
  if (blkio || mem) {
    return {
      blkioWeight: blkio ? (await exists(join(blkio, 'blkio.weight'))) || (await exists(join(blkio, 'blkio.bfq.weight'))) : false,
      swapLimit: mem ? await exists(join(mem, 'memory.memsw.limit_in_bytes')) : false,
    }
  }
  // cgroup v2: the controllers are enabled at the root when the files exist in child cgroups; assume so.
  return { blkioWeight: true, swapLimit: true }
}

import { templateObject, type TemplateObject, bytesSize, humanSize, truncateId } from '../../format/index.js'

export const DEFAULT_STATS_TABLE = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}'

export const STATS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID',
  Container: 'CONTAINER',
  Name: 'NAME',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
}


type Json = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** What docker's stats command computes from one stats JSON (cli/command/container/stats_helpers.go). */
export interface StatsEntry {
  container: string
  name: string
  id: string
  cpuPercent: number
  memory: number
  memoryLimit: number
  memoryPercent: number
  netRx: number
  netTx: number
  blockRead: number
  blockWrite: number
  pids: number
}

/** Memory as docker shows it: usage less the inactive page cache (v1 total_inactive_file, v2 inactive_file). */
function memoryUsage(mem: Json): number {
  const usage = Number(mem['usage'] ?? 0)
  const stats = (mem['stats'] ?? {}) as Record<string, number>
  const inactive = stats['total_inactive_file'] ?? stats['inactive_file']
  return inactive !== undefined && inactive < usage ? usage - inactive : usage
}

export function statsEntry(container: string, s: Json): StatsEntry {
  const cpu = (s['cpu_stats'] ?? {}) as Json
  const pre = (s['precpu_stats'] ?? {}) as Json
  const cpuDelta = Number(cpu['cpu_usage']?.['total_usage'] ?? 0) - Number(pre['cpu_usage']?.['total_usage'] ?? 0)
  const systemDelta = Number(cpu['system_cpu_usage'] ?? 0) - Number(pre['system_cpu_usage'] ?? 0)
  const online = Number(cpu['online_cpus'] ?? 0) || (cpu['cpu_usage']?.['percpu_usage']?.length ?? 0)
  const cpuPercent = systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * online * 100 : 0
  const mem = (s['memory_stats'] ?? {}) as Json
  const memory = memoryUsage(mem)
  const memoryLimit = Number(mem['limit'] ?? 0)
  let blockRead = 0
  let blockWrite = 0
  for (const e of (s['blkio_stats']?.['io_service_bytes_recursive'] ?? []) as Json[]) {
    const op = String(e['op'] ?? '').toLowerCase()
    if (op === 'read') blockRead += Number(e['value'] ?? 0)
    if (op === 'write') blockWrite += Number(e['value'] ?? 0)
  }
  let netRx = 0
  let netTx = 0
  for (const n of Object.values((s['networks'] ?? {}) as Record<string, Json>)) {
    netRx += Number(n['rx_bytes'] ?? 0)
    netTx += Number(n['tx_bytes'] ?? 0)
  }
  return {
    container,
    name: String(s['name'] ?? '').replace(/^\//, ''),
    id: String(s['id'] ?? ''),
    cpuPercent,
    memory,
    memoryLimit,
    memoryPercent: memoryLimit > 0 ? (memory / memoryLimit) * 100 : 0,
    netRx,
    netTx,
    blockRead,
    blockWrite,
    pids: Number(s['pids_stats']?.['current'] ?? 0),
  }
}

/** docker's statsContext for one row. */
export function statsContext(e: StatsEntry, trunc: boolean): TemplateObject {
  const fields = {
    Container: e.container,
    Name: e.name || '--',
    ID: trunc ? truncateId(e.id) : e.id,
    CPUPerc: `${e.cpuPercent.toFixed(2)}%`,
    MemUsage: `${bytesSize(e.memory)} / ${bytesSize(e.memoryLimit)}`,
    MemPerc: `${e.memoryPercent.toFixed(2)}%`,
    NetIO: `${humanSize(e.netRx)} / ${humanSize(e.netTx)}`,
    BlockIO: `${humanSize(e.blockRead)} / ${humanSize(e.blockWrite)}`,
    PIDs: String(e.pids),
  }
  return templateObject('*formatter.statsContext', { ...fields, toJSON: () => fields })
}

/** Disk use of containers (the writable layer) and Docker's container prune selection. */
import { lstat, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError } from '../../common/index.js'
import type { ContainerRecord } from './types.js'

/** Bytes of the regular files under `dir` (hard links counted once), 0 when it does not exist. */
export async function directorySize(dir: string): Promise<number> {
  const seen = new Set<string>()
  let total = 0
  const walk = async (path: string): Promise<void> => {
    let entries
    try {
      entries = await readdir(path, { withFileTypes: true })
    } catch {
      return
    }
    for (const e of entries) {
      const p = join(path, e.name)
      if (e.isDirectory()) {
        await walk(p)
        continue
      }
      const st = await lstat(p).catch(() => undefined)
      if (!st) continue
      const key = `${st.dev}:${st.ino}`
      if (st.nlink > 1) {
        if (seen.has(key)) continue
        seen.add(key)
      }
      total += st.size
    }
  }
  await walk(dir)
  return total
}

/** The writable layer of a container (its overlay upper dir). */
export function upperDir(record: ContainerRecord): string {
  return join(record.bundleDir, 'upper')
}

function parseUntil(value: string, now: Date): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000
  const m = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)$/.exec(value)
  if (m) {
    const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 }
    return now.getTime() - Number(m[1]) * unit[m[2]!]!
  }
  const t = Date.parse(value)
  if (Number.isNaN(t)) throw new EngineError('InvalidArgument', 'INVALID_FILTER', `failed to parse value as time or duration: "${value}"`)
  return t
}

function labelMatches(labels: Record<string, string>, filter: string): boolean {
  const eq = filter.indexOf('=')
  return eq < 0 ? Object.hasOwn(labels, filter) : labels[filter.slice(0, eq)] === filter.slice(eq + 1)
}

/**
 * moby ContainersPrune: stopped containers (not running, paused or restarting) created before
 * `until`, with every `label` and none of the `label!` filters. InvalidArgument for other filters.
 */
export function pruneCandidates(records: readonly ContainerRecord[], filters: Record<string, string[]> | undefined, now: Date): ContainerRecord[] {
  const f = filters ?? {}
  for (const key of Object.keys(f)) {
    if (!['until', 'label', 'label!'].includes(key)) throw new EngineError('InvalidArgument', 'INVALID_FILTER', `invalid filter '${key}'`)
  }
  const until = (f['until'] ?? []).map((v) => parseUntil(v, now))
  return records.filter((r) => {
    if (r.state.running || r.state.paused || r.state.restarting || r.state.status === 'removing') return false
    if (until.some((t) => Date.parse(r.created) >= t)) return false
    const labels = r.spec.labels ?? {}
    if (!(f['label'] ?? []).every((l) => labelMatches(labels, l))) return false
    if ((f['label!'] ?? []).some((l) => labelMatches(labels, l))) return false
    return true
  })
}

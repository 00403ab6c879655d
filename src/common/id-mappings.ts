/**
 * User-namespace id mappings (dockerd's --userns-remap): subordinate id ranges read from
 * /etc/subuid and /etc/subgid, turned into OCI uid/gid mappings, and the translation of ids
 * between the container's view and the host's.
 */

/** One line of an OCI mapping: container ids [containerId, containerId+size) are host ids [hostId, ...). */
export interface IdMapping {
  containerId: number
  hostId: number
  size: number
}

/** The uid and gid mappings of a remapped daemon; both start at container id 0. */
export interface IdMappings {
  uids: IdMapping[]
  gids: IdMapping[]
}

/** A subordinate id range: "name:start:count". */
export interface SubIdRange {
  start: number
  count: number
}

/**
 * The ranges of /etc/subuid or /etc/subgid text that belong to `name` (or to its numeric id, which
 * shadow's tools also accept), in file order. Comments, blank and malformed lines are skipped.
 */
export function parseSubIds(text: string, name: string, numericId?: number): SubIdRange[] {
  const out: SubIdRange[] = []
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const parts = line.split(':')
    if (parts.length !== 3) continue
    const [owner, start, count] = parts as [string, string, string]
    if (!/^\d+$/.test(start) || !/^\d+$/.test(count) || Number(count) === 0) continue
    if (owner === name || (numericId !== undefined && owner === String(numericId))) out.push({ start: Number(start), count: Number(count) })
  }
  return out
}

/** Ranges laid end to end from container id 0, as dockerd's createIDMap does (sorted by host start). */
export function mappingsFromRanges(ranges: readonly SubIdRange[]): IdMapping[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start)
  let next = 0
  return sorted.map((r) => {
    const m = { containerId: next, hostId: r.start, size: r.count }
    next += r.count
    return m
  })
}

/** The host id a container id maps to; undefined when it is outside every mapping. */
export function toHostId(mappings: readonly IdMapping[], containerId: number): number | undefined {
  for (const m of mappings) {
    if (containerId >= m.containerId && containerId < m.containerId + m.size) return m.hostId + (containerId - m.containerId)
  }
  return undefined
}

/** The container id a host id appears as; undefined when it is outside every mapping. */
export function toContainerId(mappings: readonly IdMapping[], hostId: number): number | undefined {
  for (const m of mappings) {
    if (hostId >= m.hostId && hostId < m.hostId + m.size) return m.containerId + (hostId - m.hostId)
  }
  return undefined
}

/** The host uid/gid of the container's root (what files root creates are owned by on the host). */
export function remappedRoot(mappings: IdMappings): { uid: number; gid: number } {
  const uid = toHostId(mappings.uids, 0)
  const gid = toHostId(mappings.gids, 0)
  if (uid === undefined || gid === undefined) throw new Error('the id mappings do not map container root (id 0)')
  return { uid, gid }
}

/**
 * Shifts a file owner as stored in an image into the host ids the remapped container sees as that
 * owner. Ids outside the mappings cannot be represented and become the remapped root, as dockerd's
 * archive unpacking refuses them (it fails the unpack; berth keeps the file usable instead).
 */
export function shiftOwner(mappings: IdMappings, uid: number, gid: number): { uid: number; gid: number } {
  const root = remappedRoot(mappings)
  return { uid: toHostId(mappings.uids, uid) ?? root.uid, gid: toHostId(mappings.gids, gid) ?? root.gid }
}

/** The first free start at or above `min` that no existing range overlaps, for a new range of `count` ids. */
export function freeSubIdStart(existing: readonly SubIdRange[], count: number, min = 100000): number {
  let start = min
  for (const r of [...existing].sort((a, b) => a.start - b.start)) {
    if (start + count <= r.start) break
    start = Math.max(start, r.start + r.count)
  }
  return start
}

/** Every range in a subuid/subgid file, whoever owns it (to find a free one). */
export function allSubIdRanges(text: string): SubIdRange[] {
  const out: SubIdRange[] = []
  for (const line of text.split('\n')) {
    const m = /^\s*[^#:\s][^:]*:(\d+):(\d+)\s*$/.exec(line)
    if (m) out.push({ start: Number(m[1]), count: Number(m[2]) })
  }
  return out
}

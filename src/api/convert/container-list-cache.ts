import type { ContainerRecord, ContainerState } from '../../engine/containers/index.js'
import type { ContainerNetworkView } from '../../engine/networks/index.js'
import type { ContainerSummary } from '../types/index.js'
import { containerSummary } from './container-view.js'
import { containerStatusText } from './human-duration.js'

/** What a list needs from the engine besides the records: revisions (optional: no caching without them) and views. */
export interface ContainerListSources {
  /** ContainerService.revision: grows at every save, rename and removal of the record. */
  revision?(containerId: string): number
  /** NetworkService.viewRevision: grows whenever the container's network view may have changed. */
  viewRevision?(containerId: string): number
  /** The network views of `records`, in their order (undefined entries without a network service). */
  views(records: readonly ContainerRecord[]): Promise<ReadonlyArray<ContainerNetworkView | undefined>>
}

/** Docker's SizeRw / SizeRootFs of a list item (size=1). */
export interface ContainerListSize {
  sizeRw: number
  sizeRootFs: number
}

interface Entry {
  revision: number
  viewRevision: number
  name: string
  state: ContainerState
  /** The item's JSON (UTF-8) up to `"Status":`. */
  head: Buffer
  /** The item's JSON (UTF-8) from the comma before HostConfig on, with the closing brace. */
  tail: Buffer
  /** The item as JSON.parse returns it (Status ""), made when summaries() first needs it. */
  parsed?: ContainerSummary
}

/**
 * GET /containers/json from per-container JSON text kept between requests: a list of n containers is n
 * Status texts and one join, instead of n summaries, n network views and a JSON.stringify of the whole
 * (about 700 kB for 1000 containers).
 *
 * An entry is used only while the container's record revision, its network view revision, its name and
 * its state object are the ones it was made from: the engine bumps the revisions at every save of the
 * record, of any network and of the container's sandbox, and replaces the state object at every state
 * change (so a change is seen even before it is saved). Entries are keyed by the record object, so a
 * removed container's entry goes with its record. Status depends on the time: made at every request.
 */
export class ContainerListCache {
  private readonly cache = new WeakMap<ContainerRecord, Entry>()

  /** The response body (a JSON array and "\n", as sendJson writes it), items in the order of `records`. */
  async render(records: readonly ContainerRecord[], now: Date, sources: ContainerListSources, sizes?: ReadonlyArray<ContainerListSize | undefined>): Promise<Buffer> {
    const entries = await this.entries(records, now, sources)
    // Buffers joined once: a string join and its UTF-8 encoding cost more than the rest of the list.
    const parts: Buffer[] = [OPEN]
    const statuses = new Map<string, Buffer>()
    for (let i = 0; i < records.length; i++) {
      const e = entries[i]!
      const size = sizes?.[i]
      if (i > 0) parts.push(COMMA)
      const status = containerStatusText(records[i]!.state, now)
      let statusJson = statuses.get(status)
      if (!statusJson) statuses.set(status, statusJson = Buffer.from(JSON.stringify(status)))
      parts.push(e.head, statusJson)
      // As moby's omitempty: zero sizes are left out.
      if (size && (size.sizeRw !== 0 || size.sizeRootFs !== 0)) {
        const fields = (size.sizeRw !== 0 ? `,"SizeRw":${size.sizeRw}` : '') + (size.sizeRootFs !== 0 ? `,"SizeRootFs":${size.sizeRootFs}` : '')
        parts.push(e.tail.subarray(0, -1), Buffer.from(fields + '}'))
      } else {
        parts.push(e.tail)
      }
    }
    parts.push(CLOSE)
    return Buffer.concat(parts)
  }

  /**
   * The items render() would send, as JSON.parse would return them from its body (GET /berth/cli/ps
   * renders them): each entry's item is parsed once and kept, then copied with this request's Status
   * (and sizes), instead of a parse of the whole list at every request. The copies are shallow: their
   * arrays and objects are the cache's, for the caller to read, not to change.
   */
  async summaries(records: readonly ContainerRecord[], now: Date, sources: ContainerListSources, sizes?: ReadonlyArray<ContainerListSize | undefined>): Promise<ContainerSummary[]> {
    const entries = await this.entries(records, now, sources)
    const out = new Array<ContainerSummary>(records.length)
    for (let i = 0; i < records.length; i++) {
      const e = entries[i]!
      e.parsed ??= JSON.parse(`${e.head.toString()}""${e.tail.toString()}`) as ContainerSummary
      const item: ContainerSummary = { ...e.parsed, Status: containerStatusText(records[i]!.state, now) }
      const size = sizes?.[i]
      if (size && size.sizeRw !== 0) item.SizeRw = size.sizeRw
      if (size && size.sizeRootFs !== 0) item.SizeRootFs = size.sizeRootFs
      out[i] = item
    }
    return out
  }

  /** Each record's entry: kept ones while current, new ones made (and kept) for the rest. */
  private async entries(records: readonly ContainerRecord[], now: Date, sources: ContainerListSources): Promise<Entry[]> {
    const cacheable = sources.revision !== undefined && sources.viewRevision !== undefined
    const entries: Array<Entry | undefined> = new Array(records.length)
    const stale: number[] = []
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!
      const e = cacheable ? this.cache.get(r) : undefined
      if (e && e.state === r.state && e.name === r.name && e.revision === sources.revision!(r.id) && e.viewRevision === sources.viewRevision!(r.id)) {
        entries[i] = e
      } else {
        stale.push(i)
      }
    }
    if (stale.length > 0) {
      // Revisions read before the views are made: a change while they are made leaves the entry stale.
      const revisions = stale.map((i) => (cacheable ? [sources.revision!(records[i]!.id), sources.viewRevision!(records[i]!.id)] : [0, 0]))
      const views = await sources.views(stale.map((i) => records[i]!))
      stale.forEach((i, k) => {
        const r = records[i]!
        const e = makeEntry(r, now, views[k], revisions[k]![0]!, revisions[k]![1]!)
        if (cacheable) this.cache.set(r, e)
        entries[i] = e
      })
    }
    return entries as Entry[]
  }
}

const OPEN = Buffer.from('[')
const COMMA = Buffer.from(',')
const CLOSE = Buffer.from(']\n')

function makeEntry(record: ContainerRecord, now: Date, view: ContainerNetworkView | undefined, revision: number, viewRevision: number): Entry {
  const { Status: _status, HostConfig, NetworkSettings, Mounts, ...head } = containerSummary(record, now, view)
  return {
    revision, viewRevision, name: record.name, state: record.state,
    head: Buffer.from(JSON.stringify(head).slice(0, -1) + ',"Status":'),
    tail: Buffer.from(',' + JSON.stringify({ HostConfig, NetworkSettings, Mounts }).slice(1)),
  }
}

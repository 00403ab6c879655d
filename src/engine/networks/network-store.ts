/**
 * NetworkStore: network records (<data>/networks/<id>.json, written atomically) and the per-run
 * sandbox state of running containers (<exec>/networks/<containerId>.json), so a restarted
 * berthd finds the namespaces, veths and published ports it made.
 */
import { mkdir, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError, readJsonIfExists, writeJsonAtomic, type Logger } from '../../common/index.js'
import type { NetworkRecord, PortMapping } from './types.js'

/** What a running container's networking consists of on the host. */
export interface SandboxState {
  containerId: string
  /** The namespace file berth made for the container ("" when it joined another's or the host's). */
  netnsPath: string
  /** The namespace the container joined (own file, another container's, or "" for the host's). */
  joinedPath: string
  /** Per network id: interface in the namespace and host end of the veth. */
  interfaces: Record<string, { ifName: string; hostVeth: string }>
  /** Published ports with the address they are forwarded to. */
  ports: Array<PortMapping & { containerIp: string }>
  /** --dns servers: where the embedded DNS forwards this container's other queries (host's when absent). */
  dns?: string[]
}

export function networkNotFound(nameOrId: string): EngineError {
  return new EngineError('NotFound', 'NETWORK_NOT_FOUND', `network ${nameOrId} not found`)
}

export class NetworkStore {
  private readonly byId = new Map<string, NetworkRecord>()
  readonly sandboxes = new Map<string, SandboxState>()
  private changes = 0
  /** Value of `changes` at the last save or removal of any network (endpoints live in the network records). */
  private networksChanged = 0
  /** containerId -> value of `changes` at the last save or removal of its sandbox. */
  private readonly sandboxChanged = new Map<string, number>()

  constructor(private readonly networksDir: string, private readonly sandboxDir: string, private readonly logger: Logger) {}

  async load(): Promise<void> {
    await mkdir(this.networksDir, { recursive: true })
    await mkdir(this.sandboxDir, { recursive: true })
    for (const file of await readdir(this.networksDir)) {
      if (!file.endsWith('.json')) continue
      try {
        const r = await readJsonIfExists<NetworkRecord>(join(this.networksDir, file))
        if (r) this.byId.set(r.id, r)
      } catch (err) {
        this.logger.warn('skipping unreadable network record', { file, error: err })
      }
    }
    for (const file of await readdir(this.sandboxDir)) {
      if (!file.endsWith('.json')) continue
      try {
        const s = await readJsonIfExists<SandboxState>(join(this.sandboxDir, file))
        if (s) this.sandboxes.set(s.containerId, s)
      } catch (err) {
        this.logger.warn('skipping unreadable sandbox state', { file, error: err })
      }
    }
  }

  /**
   * Grows whenever anything a container's network view is made of changes: any network record (its
   * endpoints included) or the container's sandbox. List caches compare it to know they are current.
   */
  viewRevision(containerId: string): number {
    return Math.max(this.networksChanged, this.sandboxChanged.get(containerId) ?? 0)
  }

  all(): NetworkRecord[] {
    return [...this.byId.values()].sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.name < b.name ? -1 : 1))
  }

  get(id: string): NetworkRecord | undefined {
    return this.byId.get(id)
  }

  byName(name: string): NetworkRecord | undefined {
    return this.all().find((n) => n.name === name)
  }

  /** Docker's lookup order: full id, exact name, then unique id prefix. */
  resolve(nameOrId: string): NetworkRecord {
    const exact = this.byId.get(nameOrId) ?? this.byName(nameOrId)
    if (exact) return exact
    const matches = nameOrId.length > 0 ? this.all().filter((n) => n.id.startsWith(nameOrId)) : []
    if (matches.length === 1) return matches[0]!
    if (matches.length > 1) {
      throw new EngineError('InvalidArgument', 'AMBIGUOUS_NETWORK', `network ${nameOrId} is ambiguous (${matches.length} matches found based on ID prefix)`)
    }
    throw networkNotFound(nameOrId)
  }

  async save(record: NetworkRecord, opts: { durable?: boolean } = {}): Promise<void> {
    this.byId.set(record.id, record)
    this.networksChanged = ++this.changes
    await writeJsonAtomic(join(this.networksDir, `${record.id}.json`), record, opts)
  }

  async delete(id: string): Promise<void> {
    this.byId.delete(id)
    this.networksChanged = ++this.changes
    await rm(join(this.networksDir, `${id}.json`), { force: true })
  }

  /**
   * Records a change to one container's endpoint in `record` (its addresses): only that container's view
   * revision grows, so list caches of the other containers stay current. Not fsynced; with `write: false`
   * kept in memory only (for changes a crash may lose: see ContainerNetworking.cleanupStale).
   */
  async saveEndpointChange(record: NetworkRecord, containerId: string, opts: { write: boolean }): Promise<void> {
    this.byId.set(record.id, record)
    this.sandboxChanged.set(containerId, ++this.changes)
    if (opts.write) await writeJsonAtomic(join(this.networksDir, `${record.id}.json`), record, { durable: false })
  }

  async saveSandbox(state: SandboxState): Promise<void> {
    this.sandboxes.set(state.containerId, state)
    this.sandboxChanged.set(state.containerId, ++this.changes)
    // Sandboxes describe namespaces and links that die with the host: no fsync.
    await writeJsonAtomic(join(this.sandboxDir, `${state.containerId}.json`), state, { durable: false })
  }

  async deleteSandbox(containerId: string): Promise<void> {
    this.sandboxes.delete(containerId)
    this.sandboxChanged.set(containerId, ++this.changes)
    if (this.sandboxChanged.size > 2 * this.sandboxes.size + 1024) {
      // Forget containers without a sandbox (most are gone); the fresh networksChanged keeps every
      // revision handed out before different from every one handed out after.
      for (const id of this.sandboxChanged.keys()) if (!this.sandboxes.has(id)) this.sandboxChanged.delete(id)
      this.networksChanged = ++this.changes
    }
    await rm(join(this.sandboxDir, `${containerId}.json`), { force: true })
  }
}

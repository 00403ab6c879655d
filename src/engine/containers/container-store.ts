/**
 * ContainerStore: the container records on disk (<data>/containers/<id>/container.json, written
 * atomically) and their in-memory index by id and name. Owns <data>/containers. Names are unique;
 * a name is reserved before the record is first saved so concurrent creates cannot both take it.
 */
import { mkdir, readdir, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError, generateName, readJsonIfExists, writeJsonAtomic, type Logger } from '../../common/index.js'
import type { ContainerRecord } from './types.js'

const NAME_RE = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/
/** Directories of removed containers still being deleted: <root>/.removed-<id>. */
const ASIDE_PREFIX = '.removed-'

/** InvalidArgument unless `name` matches Docker's container name pattern (a leading "/" is allowed). */
export function validateContainerName(name: string): string {
  if (!NAME_RE.test(name)) {
    throw new EngineError('InvalidArgument', 'INVALID_NAME', `Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`)
  }
  return name.startsWith('/') ? name.slice(1) : name
}

export function noSuchContainer(nameOrId: string): EngineError {
  return new EngineError('NotFound', 'CONTAINER_NOT_FOUND', `No such container: ${nameOrId}`)
}

export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>()
  /** name -> id, including names reserved for containers being created. */
  private readonly names = new Map<string, string>()
  private readonly saving = new Map<string, Promise<void>>()
  /** id -> value of `changes` at the record's last save, rename or removal (see revision()). */
  private readonly revisions = new Map<string, number>()
  private changes = 0

  /**
   * `removeTree` deletes a directory tree (default: fs.rm); the daemon passes `rm -rf` run outside
   * berthd, which costs berthd far less than node's file-by-file removal.
   */
  constructor(readonly root: string, private readonly logger?: Logger, private readonly removeTree: (path: string) => Promise<void> = defaultRemoveTree) {}

  dir(id: string): string {
    return join(this.root, id)
  }

  /** Reads every container.json under root; unreadable records are logged and skipped. */
  async load(): Promise<void> {
    await mkdir(this.root, { recursive: true })
    const records: ContainerRecord[] = []
    for (const entry of await readdir(this.root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue
      if (entry.name.startsWith(ASIDE_PREFIX)) {
        // A removal the previous berthd had not finished deleting.
        await this.removeTree(join(this.root, entry.name))
        continue
      }
      try {
        const record = await readJsonIfExists<ContainerRecord>(join(this.root, entry.name, 'container.json'))
        if (record && record.id === entry.name) records.push(record)
      } catch (err) {
        this.logger?.warn('skipping unreadable container record', { id: entry.name, error: err })
      }
    }
    records.sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : a.id < b.id ? -1 : 1))
    for (const r of records) {
      this.byId.set(r.id, r)
      this.names.set(r.name, r.id)
    }
  }

  get(id: string): ContainerRecord | undefined {
    return this.byId.get(id)
  }

  /**
   * A number that grows at every save, rename and removal of the container (0 for one never saved
   * since load): caches of anything derived from the record compare it to know they are current.
   */
  revision(id: string): number {
    return this.revisions.get(id) ?? 0
  }

  private changed(id: string): void {
    this.revisions.set(id, ++this.changes)
  }

  /** All records, oldest first. */
  all(): ContainerRecord[] {
    return [...this.byId.values()]
  }

  /**
   * Docker's lookup order: full id, then name (with or without "/"), then unique id prefix.
   * NotFound "No such container: x"; InvalidArgument for an ambiguous prefix.
   */
  resolve(nameOrId: string): ContainerRecord {
    const exact = this.byId.get(nameOrId)
    if (exact) return exact
    const name = nameOrId.startsWith('/') ? nameOrId.slice(1) : nameOrId
    const byName = this.names.get(name)
    const named = byName === undefined ? undefined : this.byId.get(byName)
    if (named) return named
    if (nameOrId !== '' && /^[0-9a-f]+$/.test(nameOrId)) {
      const matches = [...this.byId.keys()].filter((id) => id.startsWith(nameOrId))
      if (matches.length > 1) {
        throw new EngineError('InvalidArgument', 'AMBIGUOUS_PREFIX', `multiple IDs found with provided prefix: ${nameOrId}`)
      }
      const only = matches[0] === undefined ? undefined : this.byId.get(matches[0])
      if (only) return only
    }
    throw noSuchContainer(nameOrId)
  }

  /** Reserves `name` (already validated, no "/") for `id`. Conflict when another container has it. */
  reserveName(name: string, id: string): void {
    const owner = this.names.get(name)
    if (owner !== undefined && owner !== id) {
      throw new EngineError(
        'Conflict',
        'NAME_IN_USE',
        `Conflict. The container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`,
      )
    }
    this.names.set(name, id)
  }

  releaseName(name: string, id: string): void {
    if (this.names.get(name) === id) this.names.delete(name)
  }

  /** Reserves a free generated name ("focused_turing", then with a digit on collisions). */
  reserveGeneratedName(id: string, random?: () => number): string {
    for (let retry = 0; retry < 100; retry++) {
      const name = generateName(retry, random)
      if (!this.names.has(name)) {
        this.names.set(name, id)
        return name
      }
    }
    throw new EngineError('Internal', 'NAME_GENERATION_FAILED', 'Cannot generate a unique container name')
  }

  /**
   * Persists the record as it is now and indexes it. Writes for one id are serialized so an older
   * state never overwrites a newer one. `durable: false` skips the fsync: for run-state changes
   * (running, exited, removing) that a daemon restart reconciles with the runtime anyway.
   */
  save(record: ContainerRecord, opts: { durable?: boolean } = {}): Promise<void> {
    this.byId.set(record.id, record)
    this.names.set(record.name, record.id)
    this.changed(record.id)
    const json = structuredClone(record)
    const previous = this.saving.get(record.id) ?? Promise.resolve()
    const next = previous.catch(() => undefined).then(() => writeJsonAtomic(join(this.dir(record.id), 'container.json'), json, opts))
    this.saving.set(record.id, next)
    void next.finally(() => {
      if (this.saving.get(record.id) === next) this.saving.delete(record.id)
    }).catch(() => undefined)
    return next
  }

  /** Moves the record to a new (validated) name; Conflict when taken. */
  async rename(record: ContainerRecord, newName: string): Promise<void> {
    this.reserveName(newName, record.id)
    const oldName = record.name
    record.name = newName
    this.changed(record.id)
    this.releaseName(oldName, record.id)
    try {
      await this.save(record)
    } catch (err) {
      record.name = oldName
      this.changed(record.id)
      this.names.set(oldName, record.id)
      this.releaseName(newName, record.id)
      throw err
    }
  }

  /** Forgets the record and deletes its directory. */
  async delete(id: string): Promise<void> {
    const aside = await this.moveAside(id)
    if (aside) await this.deleteAside(aside)
  }

  /** Deletes a directory moveAside() returned. */
  async deleteAside(aside: string): Promise<void> {
    await this.removeTree(aside)
  }

  /**
   * Forgets the record and renames its directory out of the way: for clients and a restarted berthd
   * (whose load() deletes such leftovers) the container is gone. The caller deletes the returned
   * path (undefined when there was no directory), which may take long for a big writable layer.
   */
  async moveAside(id: string): Promise<string | undefined> {
    const record = this.byId.get(id)
    await this.saving.get(id)?.catch(() => undefined)
    this.byId.delete(id)
    this.revisions.delete(id)
    if (record) this.releaseName(record.name, id)
    const aside = join(this.root, `${ASIDE_PREFIX}${id}`)
    try {
      await rename(this.dir(id), aside)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw err
    }
    return aside
  }
}

function defaultRemoveTree(path: string): Promise<void> {
  return rm(path, { recursive: true, force: true })
}

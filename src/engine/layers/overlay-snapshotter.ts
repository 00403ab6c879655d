import { randomBytes } from 'node:crypto'
import { chmod, chown, mkdir, rename, rm, rmdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import {
  conflict,
  digestHex,
  invalid,
  isDigest,
  notFound,
  remappedRoot,
  type IdMappings,
  readJsonIfExists,
  writeJsonAtomic,
} from '../../common/index.js'
import { chainIdOf } from './chain-id.js'
import type { Mounter } from './mounter.js'
import { isLayerFile, type AppliedLayer, type ApplyLayerOptions, type LayerInfo, type LayerSource, type Snapshotter } from './snapshotter.js'
import { inProcessUnpacker, type LayerUnpacker } from './unpack-layer.js'

export interface OverlaySnapshotterDeps {
  /** <data>/layers: layers/<chain-hex>/{diff,layer.json}. */
  layersRoot: string
  /** <data>/containers: <key>/{upper,work,snapshot.json}; the key dir may hold other files. */
  snapshotsRoot: string
  mounter: Mounter
  /**
   * A remapped daemon's id mappings (--userns-remap): layers are unpacked with their owners shifted
   * into the mapped host ids and snapshots belong to the mapped root, as dockerd's remapped layer store.
   */
  idMappings?: IdMappings
  /** How a layer tar becomes a directory; default: unpacked in this process (inProcessUnpacker). */
  unpacker?: LayerUnpacker
}

/** layers/<chain-hex>/layer.json */
interface LayerJson {
  chainId: string
  diffId: string
  parent: string | null
  size: number
}

/** <key>/snapshot.json */
interface SnapshotJson {
  parent: string | null
}

const keyRe = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/

/**
 * Snapshotter on overlayfs. A layer exists once its layer.json is written (after its diff dir was
 * renamed into place), so a crash mid-unpack leaves only a stray diff.tmp-* dir, never a half layer.
 */
export class OverlaySnapshotter implements Snapshotter {
  private readonly layersRoot: string
  private readonly snapshotsRoot: string
  private readonly mounter: Mounter
  private readonly idMappings: IdMappings | undefined
  private readonly unpack: LayerUnpacker
  /** Layer records never change once written. */
  private readonly infos = new Map<string, LayerInfo>()
  /** Chains being registered right now (see exclusive()). */
  private readonly publishing = new Map<string, Promise<void>>()

  constructor(deps: OverlaySnapshotterDeps) {
    this.layersRoot = deps.layersRoot
    this.snapshotsRoot = deps.snapshotsRoot
    this.mounter = deps.mounter
    this.idMappings = deps.idMappings
    this.unpack = deps.unpacker ?? inProcessUnpacker((root, files) => this.mounter.makeSpecialFiles(root, files))
  }

  async applyLayer(parentChainId: string | undefined, diffId: string, tar: LayerSource, opts: ApplyLayerOptions = {}): Promise<AppliedLayer> {
    if (!isDigest(diffId)) throw invalid('INVALID_DIGEST', `invalid diff id "${diffId}"`)
    if (parentChainId !== undefined && !opts.parentReady) await this.layerInfo(parentChainId)
    const chainId = chainIdOf(parentChainId, diffId)
    if (await this.hasLayer(chainId)) {
      if (!isLayerFile(tar)) tar.resume()
      await opts.parentReady
      return this.layerInfo(chainId)
    }
    const dir = this.layerDir(chainId)
    const tmp = join(dir, `diff.tmp-${randomBytes(4).toString('hex')}`)
    await mkdir(tmp, { recursive: true })
    try {
      const result = await this.unpack(tar, tmp, { idMappings: this.idMappings })
      if (result.diffId !== diffId) {
        throw invalid('DIGEST_MISMATCH', `Cannot apply layer: diff id mismatch: expected ${diffId}, got ${result.diffId}`)
      }
      if (opts.parentReady) {
        await opts.parentReady
        if (parentChainId !== undefined) await this.layerInfo(parentChainId)
      }
      return await this.exclusive(chainId, async () => {
        if (await this.hasLayer(chainId)) return this.layerInfo(chainId) // a concurrent apply won
        const diff = join(dir, 'diff')
        await rm(diff, { recursive: true, force: true }) // left by a crash before layer.json
        await rename(tmp, diff)
        return { ...(await this.register(chainId, diffId, parentChainId, result.size)), tarSize: result.tarSize }
      })
    } catch (err) {
      await rm(tmp, { recursive: true, force: true })
      await rmdir(dir).catch(() => undefined) // only if nothing else is in it
      throw err
    } finally {
      await rm(tmp, { recursive: true, force: true })
    }
  }

  async commitUpperDir(parentChainId: string | undefined, diffId: string, upperDir: string, size: number): Promise<LayerInfo> {
    if (!isDigest(diffId)) throw invalid('INVALID_DIGEST', `invalid diff id "${diffId}"`)
    if (parentChainId !== undefined) await this.layerInfo(parentChainId)
    const chainId = chainIdOf(parentChainId, diffId)
    return this.exclusive(chainId, async () => {
      if (await this.hasLayer(chainId)) return this.layerInfo(chainId)
      const dir = this.layerDir(chainId)
      const diff = join(dir, 'diff')
      await mkdir(dir, { recursive: true })
      await rm(diff, { recursive: true, force: true }) // left by a crash before layer.json
      try {
        await this.resetLayerRoot(upperDir)
        await rename(upperDir, diff)
      } catch (err) {
        await rmdir(dir).catch(() => undefined) // only if nothing else is in it
        throw err
      }
      try {
        return await this.register(chainId, diffId, parentChainId, size)
      } catch (err) {
        // Not a layer: the dir goes back, so the caller can still remove its snapshot (or unpack the tar).
        await rename(diff, upperDir).catch(() => rm(diff, { recursive: true, force: true }))
        await rmdir(dir).catch(() => undefined)
        throw err
      }
    })
  }

  /**
   * An unpacked layer's root dir is 0755 and belongs to (the containers') root whatever the tar says
   * (tar(1)'s "./" entry is not part of a layer); a committed upper dir's root is made the same.
   */
  private async resetLayerRoot(path: string): Promise<void> {
    const owner = this.idMappings ? remappedRoot(this.idMappings) : { uid: 0, gid: 0 }
    const st = await stat(path)
    if (st.uid !== owner.uid || st.gid !== owner.gid) await chown(path, owner.uid, owner.gid)
    if ((st.mode & 0o7777) !== 0o755) await chmod(path, 0o755)
  }

  /** The layer exists from here on: its record is written once its diff dir is in place. */
  private async register(chainId: string, diffId: string, parentChainId: string | undefined, size: number): Promise<LayerInfo> {
    const record: LayerJson = { chainId, diffId, parent: parentChainId ?? null, size }
    await writeJsonAtomic(join(this.layerDir(chainId), 'layer.json'), record)
    const info: LayerInfo = { chainId, diffId, parentChainId, size }
    this.infos.set(chainId, info)
    return info
  }

  /**
   * Runs `fn` alone for its chain (in this snapshotter): two commits of the same layer, by applyLayer
   * or commitUpperDir, never replace each other's diff dir between the existence check and layer.json.
   */
  private async exclusive<T>(chainId: string, fn: () => Promise<T>): Promise<T> {
    const before = this.publishing.get(chainId) ?? Promise.resolve()
    const run = before.then(fn)
    const done = run.then(() => undefined, () => undefined)
    this.publishing.set(chainId, done)
    try {
      return await run
    } finally {
      if (this.publishing.get(chainId) === done) this.publishing.delete(chainId)
    }
  }

  async hasLayer(chainId: string): Promise<boolean> {
    if (this.infos.has(chainId)) return true
    if (!isDigest(chainId)) return false
    return exists(join(this.layerDir(chainId), 'layer.json'))
  }

  async layerInfo(chainId: string): Promise<LayerInfo> {
    const cached = this.infos.get(chainId)
    if (cached) return cached
    const record = isDigest(chainId) ? await readJsonIfExists<LayerJson>(join(this.layerDir(chainId), 'layer.json')) : undefined
    if (!record) throw notFound('LAYER_NOT_FOUND', `layer ${chainId} does not exist`)
    const info: LayerInfo = { chainId: record.chainId, diffId: record.diffId, parentChainId: record.parent ?? undefined, size: record.size }
    this.infos.set(chainId, info)
    return info
  }

  async removeLayer(chainId: string): Promise<void> {
    const dir = isDigest(chainId) ? this.layerDir(chainId) : undefined
    if (!dir || !(await exists(dir))) throw notFound('LAYER_NOT_FOUND', `layer ${chainId} does not exist`)
    this.infos.delete(chainId)
    await rm(join(dir, 'layer.json'), { force: true })
    await rm(dir, { recursive: true, force: true })
  }

  async prepare(key: string, parentChainId: string | undefined, opts: { volatile?: boolean } = {}): Promise<void> {
    const dir = this.snapshotDir(key)
    if (parentChainId !== undefined) await this.layerInfo(parentChainId)
    if (await exists(join(dir, 'snapshot.json'))) throw conflict('SNAPSHOT_EXISTS', `snapshot ${key} already exists`)
    await mkdir(join(dir, 'upper'), { recursive: true, mode: 0o755 })
    await mkdir(join(dir, 'work'), { recursive: true, mode: 0o700 })
    await this.chownToRoot(join(dir, 'upper'), join(dir, 'work'))
    const record: SnapshotJson = { parent: parentChainId ?? null }
    await writeJsonAtomic(join(dir, 'snapshot.json'), record, { durable: opts.volatile !== true })
  }

  /** Mounts the snapshot; a target that is already a mount point is assumed to be this snapshot. */
  async mount(key: string, target: string, opts: { readonly?: boolean; volatile?: boolean } = {}): Promise<string> {
    const dir = this.snapshotDir(key)
    const snap = await readJsonIfExists<SnapshotJson>(join(dir, 'snapshot.json'))
    if (!snap) throw notFound('SNAPSHOT_NOT_FOUND', `snapshot ${key} does not exist`)
    await mkdir(target, { recursive: true })
    if (await this.mounter.isMountpoint(target)) return target
    const lowerdirs = snap.parent ? await this.lowerDirs(snap.parent) : [await this.emptyDir()]
    // A volatile mount leaves work/work/incompat/volatile behind, and overlay refuses to mount over it
    // again (volatile or not) until it is removed: the upper is as consistent as the page cache left it.
    await rm(join(dir, 'work', 'work', 'incompat', 'volatile'), { recursive: true, force: true })
    await this.mounter.mountOverlay({
      lowerdirs,
      upperdir: join(dir, 'upper'),
      workdir: join(dir, 'work'),
      target,
      readonly: opts.readonly ?? false,
      ...(opts.volatile ? { volatile: true } : {}),
    })
    return target
  }

  async unmount(target: string): Promise<void> {
    await this.mounter.unmount(target)
  }

  upperDir(key: string): string {
    return join(this.snapshotDir(key), 'upper')
  }

  /** Deletes upper, work and the record; precondition: not mounted. The key dir goes if empty. */
  async removeSnapshot(key: string): Promise<void> {
    const dir = this.snapshotDir(key)
    await rm(join(dir, 'snapshot.json'), { force: true })
    await rm(join(dir, 'upper'), { recursive: true, force: true })
    await rm(join(dir, 'work'), { recursive: true, force: true })
    await rmdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'ENOENT' && err.code !== 'EEXIST') throw err
    })
  }

  /** Diff dirs of a chain, top layer first (overlay's lowerdir order). */
  async lowerDirs(chainId: string): Promise<string[]> {
    const dirs: string[] = []
    for (let c: string | undefined = chainId; c !== undefined; c = (await this.layerInfo(c)).parentChainId) {
      dirs.push(join(this.layerDir(c), 'diff'))
    }
    return dirs
  }

  private layerDir(chainId: string): string {
    return join(this.layersRoot, digestHex(chainId))
  }

  private snapshotDir(key: string): string {
    if (!keyRe.test(key)) throw invalid('INVALID_SNAPSHOT_KEY', `invalid snapshot key "${key}"`)
    return join(this.snapshotsRoot, key)
  }

  /** The lower of a snapshot with no parent (FROM scratch): overlay needs at least one lowerdir. */
  private async emptyDir(): Promise<string> {
    const dir = join(this.layersRoot, 'empty')
    await mkdir(dir, { recursive: true, mode: 0o755 })
    await this.chownToRoot(dir)
    return dir
  }

  /** A remapped daemon's snapshot dirs belong to the containers' root (host ids of container 0:0). */
  private async chownToRoot(...paths: string[]): Promise<void> {
    if (!this.idMappings) return
    const root = remappedRoot(this.idMappings)
    for (const p of paths) await chown(p, root.uid, root.gid)
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path)
    return true
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw err
  }
}

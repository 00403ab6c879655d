/**
 * Recording fake of Snapshotter for container tests: mount() makes the target a directory holding
 * `rootfsFiles` (e.g. etc/passwd) instead of an overlay mount.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { EngineError } from '../../../common/index.js'
import type { LayerInfo, Snapshotter } from '../../layers/index.js'

export class FakeSnapshotter implements Snapshotter {
  readonly calls: Array<{ op: string; key: string; arg?: unknown }> = []
  readonly snapshots = new Map<string, string | undefined>()
  readonly mounts = new Set<string>()
  rootfsFiles: Record<string, string> = { 'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n', 'etc/group': 'root:x:0:\n' }

  async applyLayer(): Promise<LayerInfo> {
    throw new EngineError('NotImplemented', 'FAKE', 'applyLayer is not faked')
  }
  async commitUpperDir(): Promise<LayerInfo> {
    throw new EngineError('NotImplemented', 'FAKE', 'commitUpperDir is not faked')
  }
  async hasLayer(): Promise<boolean> {
    return true
  }
  async layerInfo(chainId: string): Promise<LayerInfo> {
    return { chainId, diffId: chainId, parentChainId: undefined, size: 0 }
  }
  async removeLayer(): Promise<void> {}

  /** Options of each prepare() call, in order. */
  readonly prepareOptions: Array<{ volatile?: boolean }> = []

  async prepare(key: string, parentChainId: string | undefined, opts: { volatile?: boolean } = {}): Promise<void> {
    this.calls.push({ op: 'prepare', key, arg: parentChainId })
    this.prepareOptions.push(opts)
    this.snapshots.set(key, parentChainId)
  }

  /** Mount options of each mount() call, in order. */
  readonly mountOptions: Array<{ readonly?: boolean; volatile?: boolean }> = []

  async mount(key: string, target: string, opts: { readonly?: boolean; volatile?: boolean } = {}): Promise<string> {
    this.calls.push({ op: 'mount', key, arg: target })
    this.mountOptions.push(opts)
    if (!this.snapshots.has(key)) throw new EngineError('NotFound', 'SNAPSHOT_NOT_FOUND', `no snapshot ${key}`)
    for (const [path, content] of Object.entries(this.rootfsFiles)) {
      await mkdir(dirname(join(target, path)), { recursive: true })
      await writeFile(join(target, path), content)
    }
    this.mounts.add(target)
    return target
  }

  async unmount(target: string): Promise<void> {
    this.calls.push({ op: 'unmount', key: target })
    if (!this.mounts.delete(target)) throw new EngineError('InvalidArgument', 'NOT_MOUNTED', `${target} is not mounted`)
  }

  upperDir(key: string): string {
    return `/fake/${key}/upper`
  }

  async removeSnapshot(key: string): Promise<void> {
    this.calls.push({ op: 'removeSnapshot', key })
    this.snapshots.delete(key)
  }
}

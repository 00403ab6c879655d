import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { join } from 'node:path'
import tarStream from 'tar-stream'
import { conflict, invalid, isDigest, notFound } from '../../common/index.js'
import { chainIdOf } from './chain-id.js'
import { isLayerFile, type AppliedLayer, type ApplyLayerOptions, type LayerInfo, type LayerSource, type Snapshotter } from './snapshotter.js'

/**
 * In-memory Snapshotter for engine tests that need no files: layers are hashed and sized but not
 * unpacked, mounts are only recorded. upperDir() names a path under `root` that is never created.
 */
export class FakeSnapshotter implements Snapshotter {
  readonly layers = new Map<string, LayerInfo>()
  readonly snapshots = new Map<string, { parentChainId: string | undefined }>()
  /** target -> { key, readonly, volatile } */
  readonly mounts = new Map<string, { key: string; readonly: boolean; volatile: boolean }>()
  /** chain id -> the upper dir commitUpperDir made that layer from */
  readonly committedDirs = new Map<string, string>()

  constructor(private readonly root = '/fake-snapshots') {}

  async applyLayer(parentChainId: string | undefined, diffId: string, tar: LayerSource, opts: ApplyLayerOptions = {}): Promise<AppliedLayer> {
    if (!isDigest(diffId)) throw invalid('INVALID_DIGEST', `invalid diff id "${diffId}"`)
    if (parentChainId !== undefined && !opts.parentReady) await this.layerInfo(parentChainId)
    const { digest, size, tarSize } = await measureTar(isLayerFile(tar) ? createReadStream(tar.path) : tar)
    if (digest !== diffId) throw invalid('DIGEST_MISMATCH', `Cannot apply layer: diff id mismatch: expected ${diffId}, got ${digest}`)
    await opts.parentReady
    if (parentChainId !== undefined) await this.layerInfo(parentChainId)
    const chainId = chainIdOf(parentChainId, diffId)
    const existing = this.layers.get(chainId)
    if (existing) return existing
    const info: LayerInfo = { chainId, diffId, parentChainId, size }
    this.layers.set(chainId, info)
    return { ...info, tarSize }
  }

  /** Records the layer; `upperDir` is only remembered (in `committedDirs`), never read. */
  async commitUpperDir(parentChainId: string | undefined, diffId: string, upperDir: string, size: number): Promise<LayerInfo> {
    if (!isDigest(diffId)) throw invalid('INVALID_DIGEST', `invalid diff id "${diffId}"`)
    if (parentChainId !== undefined) await this.layerInfo(parentChainId)
    const chainId = chainIdOf(parentChainId, diffId)
    const existing = this.layers.get(chainId)
    if (existing) return existing
    const info: LayerInfo = { chainId, diffId, parentChainId, size }
    this.layers.set(chainId, info)
    this.committedDirs.set(chainId, upperDir)
    return info
  }

  async hasLayer(chainId: string): Promise<boolean> {
    return this.layers.has(chainId)
  }

  async layerInfo(chainId: string): Promise<LayerInfo> {
    const info = this.layers.get(chainId)
    if (!info) throw notFound('LAYER_NOT_FOUND', `layer ${chainId} does not exist`)
    return info
  }

  async removeLayer(chainId: string): Promise<void> {
    if (!this.layers.delete(chainId)) throw notFound('LAYER_NOT_FOUND', `layer ${chainId} does not exist`)
  }

  async prepare(key: string, parentChainId: string | undefined): Promise<void> {
    if (parentChainId !== undefined) await this.layerInfo(parentChainId)
    if (this.snapshots.has(key)) throw conflict('SNAPSHOT_EXISTS', `snapshot ${key} already exists`)
    this.snapshots.set(key, { parentChainId })
  }

  async mount(key: string, target: string, opts: { readonly?: boolean; volatile?: boolean } = {}): Promise<string> {
    if (!this.snapshots.has(key)) throw notFound('SNAPSHOT_NOT_FOUND', `snapshot ${key} does not exist`)
    this.mounts.set(target, { key, readonly: opts.readonly ?? false, volatile: opts.volatile ?? false })
    return target
  }

  async unmount(target: string): Promise<void> {
    this.mounts.delete(target)
  }

  upperDir(key: string): string {
    return join(this.root, key, 'upper')
  }

  async removeSnapshot(key: string): Promise<void> {
    this.snapshots.delete(key)
  }
}

/** sha256 of the stream, and the size unpackLayer would report (file bytes + symlink targets). */
async function measureTar(tar: NodeJS.ReadableStream): Promise<{ digest: string; size: number; tarSize: number }> {
  const hash = createHash('sha256')
  const extract = tarStream.extract()
  let size = 0
  let tarSize = 0
  const feeding = (async () => {
    for await (const chunk of tar) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
      hash.update(buf)
      tarSize += buf.length
      if (!extract.write(buf)) await new Promise<void>((r) => extract.once('drain', () => r()))
    }
    extract.end(undefined) // streamx types want an argument; undefined ends without writing
  })()
  for await (const entry of extract) {
    const h = entry.header
    if (h.type === 'file' || h.type === 'contiguous-file') size += h.size
    if (h.type === 'symlink') size += Buffer.byteLength(h.linkname ?? '')
    entry.resume()
  }
  await feeding
  return { digest: `sha256:${hash.digest('hex')}`, size, tarSize }
}

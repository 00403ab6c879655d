import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { notFound, sha256, type Digest } from '../../common/index.js'
import { EventBus } from '../events/index.js'
import { FakeSnapshotter, chainIds, packTar } from '../layers/index.js'
import type { ProgressEvent, RegistryClient, RegistryRepository } from './distribution-types.js'
import { ImageDistribution } from './distribution.js'
import { ImageStore } from './image-store.js'
import { MediaTypes } from './manifest.js'

/** An in-memory registry: what it stores, and the uploads and mounts it saw. */
class MemoryRegistry implements RegistryClient {
  readonly blobs = new Map<string, Buffer>()
  readonly repos = new Map<string, { blobs: Set<string>; manifests: Map<string, { mediaType: string; bytes: Buffer }> }>()
  readonly uploads: string[] = []
  readonly mounts: string[] = []
  /** Bytes served instead of the real ones, by digest. */
  readonly corrupt = new Map<string, Buffer>()
  /** A blob's bytes are served once its gate resolves. */
  readonly gates = new Map<string, Promise<void>>()

  repo(path: string): { blobs: Set<string>; manifests: Map<string, { mediaType: string; bytes: Buffer }> } {
    let r = this.repos.get(path)
    if (!r) this.repos.set(path, (r = { blobs: new Set(), manifests: new Map() }))
    return r
  }

  put(path: string, bytes: Buffer): Digest {
    const d = sha256(bytes)
    this.blobs.set(d, bytes)
    this.repo(path).blobs.add(d)
    return d
  }

  repository(domain: string, path: string): RegistryRepository {
    const reg = this
    const r = this.repo(path)
    return {
      domain,
      path,
      async getManifest(reference) {
        const m = r.manifests.get(reference)
        if (!m) throw notFound('MANIFEST_UNKNOWN', 'manifest unknown')
        return { mediaType: m.mediaType, bytes: m.bytes, digest: sha256(m.bytes) }
      },
      async openBlob(digest, offset) {
        const b = reg.corrupt.get(digest) ?? reg.blobs.get(digest)
        if (!b || !r.blobs.has(digest)) throw notFound('BLOB_UNKNOWN', 'blob unknown')
        const gate = reg.gates.get(digest)
        return { stream: (async function* () {
          await gate
          yield b.subarray(offset)
        })(), offset }
      },
      async statBlob(digest) {
        return r.blobs.has(digest) ? reg.blobs.get(digest)?.length : undefined
      },
      async mountBlob(digest, from) {
        if (!reg.repo(from).blobs.has(digest)) return false
        reg.mounts.push(digest)
        r.blobs.add(digest)
        return true
      },
      async uploadBlob(digest, _size, open) {
        const chunks: Buffer[] = []
        for await (const c of await open()) chunks.push(c)
        const bytes = Buffer.concat(chunks)
        assert.equal(sha256(bytes), digest)
        reg.uploads.push(digest)
        reg.blobs.set(digest, bytes)
        r.blobs.add(digest)
      },
      async putManifest(reference, mediaType, bytes) {
        r.manifests.set(reference, { mediaType, bytes })
        r.manifests.set(sha256(bytes), { mediaType, bytes })
        return sha256(bytes)
      },
    }
  }

  async login(): Promise<{ identityToken?: string }> {
    return {}
  }

  async catalog(): Promise<string[]> {
    return [...this.repos.keys()].sort()
  }
}

async function setup(t: TestContext): Promise<{ store: ImageStore; registry: MemoryRegistry; dist: ImageDistribution; dataRoot: string }> {
  const dataRoot = await mkdtemp('/tmp/berth-distribution-test-')
  t.after(() => rm(dataRoot, { recursive: true, force: true }))
  const store = new ImageStore({ dataRoot, snapshotter: new FakeSnapshotter(), events: new EventBus() })
  const registry = new MemoryRegistry()
  return { store, registry, dist: new ImageDistribution({ store, dataRoot, registry }), dataRoot }
}

/** Publishes a gzip-layered image (as a multi-arch index when `index`) under path:tag. */
async function publish(registry: MemoryRegistry, path: string, tag: string, files: string[], index = false): Promise<{ manifestDigest: Digest }> {
  const layers = await Promise.all(files.map((f) => packTar([{ header: { name: f, mtime: new Date(0) }, data: f }])))
  const gz = layers.map((l) => gzipSync(l))
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: layers.map((l) => sha256(l)) } }))
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.dockerManifest,
    config: { mediaType: MediaTypes.dockerConfig, digest: registry.put(path, config), size: config.length },
    layers: gz.map((g) => ({ mediaType: MediaTypes.dockerLayerGzip, digest: registry.put(path, g), size: g.length })),
  }))
  const repo = registry.repo(path)
  repo.manifests.set(sha256(manifest), { mediaType: MediaTypes.dockerManifest, bytes: manifest })
  if (!index) {
    repo.manifests.set(tag, { mediaType: MediaTypes.dockerManifest, bytes: manifest })
    return { manifestDigest: sha256(manifest) }
  }
  const other = Buffer.from('{"schemaVersion":2,"config":{"mediaType":"x","digest":"sha256:' + 'a'.repeat(64) + '","size":1},"layers":[]}')
  const list = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociIndex,
    manifests: [
      { mediaType: MediaTypes.ociManifest, digest: sha256(other), size: other.length, platform: { os: 'linux', architecture: 'arm64' } },
      { mediaType: MediaTypes.dockerManifest, digest: sha256(manifest), size: manifest.length, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  }))
  repo.manifests.set(tag, { mediaType: MediaTypes.ociIndex, bytes: list })
  return { manifestDigest: sha256(list) }
}

test('ImageDistribution.pull() picks linux/amd64 from an index, reports Docker progress and records the RepoDigest', async (t) => {
  const { registry, dist } = await setup(t)
  const { manifestDigest } = await publish(registry, 'lib/app', '1', ['a', 'b'], true)
  const events: ProgressEvent[] = []
  const image = await dist.pull('127.0.0.1:5000/lib/app:1', { onProgress: (e) => events.push(e), platform: 'linux/amd64' })
  assert.deepEqual(image.repoTags, ['127.0.0.1:5000/lib/app:1'])
  assert.deepEqual(image.repoDigests, [`127.0.0.1:5000/lib/app@${manifestDigest}`])
  assert.equal(events[0]?.status, 'Pulling from lib/app')
  assert.equal(events.filter((e) => e.status === 'Pull complete').length, 2)
  assert.deepEqual(events.slice(-2).map((e) => e.status), [`Digest: ${manifestDigest}`, 'Status: Downloaded newer image for 127.0.0.1:5000/lib/app:1'])
  const again: ProgressEvent[] = []
  await dist.pull('127.0.0.1:5000/lib/app:1', { onProgress: (e) => again.push(e) })
  assert.equal(again.filter((e) => e.status === 'Already exists').length, 2)
  assert.equal(again.at(-1)?.status, 'Status: Image is up to date for 127.0.0.1:5000/lib/app:1')
})

test('ImageDistribution.pull() of a blob with the wrong bytes fails and stores no blob and no image', async (t) => {
  const { registry, dist, store, dataRoot } = await setup(t)
  await publish(registry, 'lib/bad', '1', ['x'])
  const layerDigest = [...registry.repo('lib/bad').blobs].find((d) => (registry.blobs.get(d)?.[0] ?? 0) === 0x1f) as string
  registry.corrupt.set(layerDigest, gzipSync(Buffer.from('not the layer')))
  await assert.rejects(dist.pull('127.0.0.1:5000/lib/bad:1'), { message: `filesystem layer verification failed for digest ${layerDigest}` })
  const blobs = await readdir(join(dataRoot, 'blobs', 'sha256')).catch(() => [])
  assert.deepEqual(blobs, [])
  assert.deepEqual(await store.list(), [])
})

test('ImageDistribution.push() uploads only missing layers, mounts across repositories and reuses the compressed blob', async (t) => {
  const { registry, dist, store } = await setup(t)
  await publish(registry, 'lib/base', '1', ['base'])
  await dist.pull('127.0.0.1:5000/lib/base:1')
  await store.tag('127.0.0.1:5000/lib/base:1', '127.0.0.1:5000/team/copy:1')
  const events: ProgressEvent[] = []
  const [result] = await dist.push('127.0.0.1:5000/team/copy', '1', { onProgress: (e) => events.push(e) })
  assert.equal(registry.uploads.length, 1, 'only the config is uploaded')
  assert.equal(registry.mounts.length, 1)
  assert.ok(events.some((e) => e.status === 'Mounted from lib/base'))
  assert.equal(events.find((e) => e.aux !== undefined)?.aux && (events.find((e) => e.aux !== undefined)?.aux as { Tag: string }).Tag, '1')
  assert.ok((await store.resolve('127.0.0.1:5000/team/copy:1')).repoDigests.includes(`127.0.0.1:5000/team/copy@${result?.digest}`))

  // A locally made image: its layer is compressed once, then the registry's copy is found by HEAD.
  const local = await store.importTar((async function* () {
    yield await packTar([{ header: { name: 'local.txt', mtime: new Date(0) }, data: 'local' }])
  })() as unknown as NodeJS.ReadableStream, { repoTag: '127.0.0.1:5000/team/local:1' })
  registry.uploads.length = 0
  await dist.push('127.0.0.1:5000/team/local', '1')
  assert.equal(registry.uploads.length, 2, 'layer and config')
  const second: ProgressEvent[] = []
  registry.uploads.length = 0
  await dist.push('127.0.0.1:5000/team/local', '1', { onProgress: (e) => second.push(e) })
  assert.equal(registry.uploads.length, 0)
  assert.equal(second.filter((e) => e.status === 'Layer already exists').length, 1)
  assert.equal(local.config.rootfs.diff_ids.length, 1)
  await assert.rejects(dist.push('127.0.0.1:5000/team/none', '1'), { kind: 'NotFound', message: 'tag does not exist: 127.0.0.1:5000/team/none:1' })
})

/** Layer digests of a published image, bottom first. */
function layerDigests(registry: MemoryRegistry, path: string, tag: string): Digest[] {
  const m = JSON.parse(registry.repo(path).manifests.get(tag)?.bytes.toString() ?? '{}') as { layers: Array<{ digest: Digest }> }
  return m.layers.map((l) => l.digest)
}

test('ImageDistribution.pull() unpacks the lower layers while a later one still downloads; the tars are kept derived', async (t) => {
  const { registry, dist, store, dataRoot } = await setup(t)
  await publish(registry, 'lib/three', '1', ['a', 'b', 'c'])
  const [a, b, c] = layerDigests(registry, 'lib/three', '1').map((d) => d.slice(7, 19))
  let release = (): void => undefined
  registry.gates.set(layerDigests(registry, 'lib/three', '1')[2] as Digest, new Promise<void>((r) => (release = r)))
  const events: ProgressEvent[] = []
  const pulling = dist.pull('127.0.0.1:5000/lib/three:1', { onProgress: (e) => events.push(e) })
  const done = (id: string | undefined, status: string): boolean => events.some((e) => e.id === id && e.status === status)
  for (let i = 0; i < 200 && !(done(a, 'Pull complete') && done(b, 'Pull complete')); i++) await new Promise((r) => setTimeout(r, 10))
  assert.ok(done(a, 'Pull complete') && done(b, 'Pull complete'), 'the lower layers are unpacked')
  assert.equal(done(c, 'Download complete'), false, 'while the top layer still downloads')
  release()
  const image = await pulling
  assert.ok(done(c, 'Pull complete'))
  // Each layer's tar is served from its registry blob, not stored a second time.
  const files = await readdir(join(dataRoot, 'blobs', 'sha256'))
  for (const diffId of image.config.rootfs.diff_ids) {
    assert.equal(await store.content.has(diffId), true)
    assert.equal(files.includes(diffId.slice(7)), false)
  }
  assert.equal((await store.content.read(image.config.rootfs.diff_ids[0] as Digest)).length % 512, 0, 'a tar')
})

test('ImageDistribution.pull() failing on a later layer after lower ones were unpacked leaves no blob and no image', async (t) => {
  const { registry, dist, store, dataRoot } = await setup(t)
  await publish(registry, 'lib/late', '1', ['a', 'b', 'c'])
  const top = layerDigests(registry, 'lib/late', '1')[2] as Digest
  registry.corrupt.set(top, gzipSync(Buffer.from('not the layer')))
  let release = (): void => undefined
  registry.gates.set(top, new Promise<void>((r) => (release = r)))
  const events: ProgressEvent[] = []
  const pulling = dist.pull('127.0.0.1:5000/lib/late:1', { onProgress: (e) => events.push(e) })
  for (let i = 0; i < 200 && events.filter((e) => e.status === 'Pull complete').length < 2; i++) await new Promise((r) => setTimeout(r, 10))
  release()
  await assert.rejects(pulling, { message: `filesystem layer verification failed for digest ${top}` })
  assert.deepEqual(await readdir(join(dataRoot, 'blobs', 'sha256')).catch(() => []), [])
  assert.deepEqual(await readdir(join(dataRoot, 'blobs', 'derived')).catch(() => []), [])
  assert.deepEqual(await store.list(), [])
})

test('ImageDistribution.pull() unpacks upper layers while a lower one downloads but registers them bottom up', async (t) => {
  const { registry, dist, store } = await setup(t)
  await publish(registry, 'lib/order', '1', ['a', 'b', 'c'])
  const digests = layerDigests(registry, 'lib/order', '1')
  const [a, b, c] = digests.map((d) => d.slice(7, 19))
  let release = (): void => undefined
  registry.gates.set(digests[0] as Digest, new Promise<void>((r) => (release = r)))
  const events: ProgressEvent[] = []
  const pulling = dist.pull('127.0.0.1:5000/lib/order:1', { onProgress: (e) => events.push(e) })
  const done = (id: string | undefined, status: string): boolean => events.some((e) => e.id === id && e.status === status)
  for (let i = 0; i < 200 && !(done(b, 'Download complete') && done(c, 'Download complete')); i++) await new Promise((r) => setTimeout(r, 10))
  assert.ok(done(b, 'Download complete') && done(c, 'Download complete'), 'the upper layers are downloaded')
  assert.equal(events.some((e) => e.status === 'Pull complete'), false, 'but not registered above a missing layer')
  release()
  const image = await pulling
  const completed = events.filter((e) => e.status === 'Pull complete').map((e) => e.id)
  assert.deepEqual(completed, [a, b, c])
  for (const chain of chainIds(image.config.rootfs.diff_ids)) assert.equal(await store.layers.hasLayer(chain), true)
})

test('ImageDistribution.pull() of layers whose registry blobs are stored unpacks them without downloading', async (t) => {
  const dataRoot = await mkdtemp('/tmp/berth-distribution-test-')
  t.after(() => rm(dataRoot, { recursive: true, force: true }))
  const snapshotter = new FakeSnapshotter()
  const store = new ImageStore({ dataRoot, snapshotter, events: new EventBus() })
  const registry = new MemoryRegistry()
  const dist = new ImageDistribution({ store, dataRoot, registry })
  await publish(registry, 'lib/kept', '1', ['a', 'b'])
  const first = await dist.pull('127.0.0.1:5000/lib/kept:1')
  snapshotter.layers.clear() // the unpacked layers are gone, the blobs stay
  const events: ProgressEvent[] = []
  const again = await dist.pull('127.0.0.1:5000/lib/kept:1', { onProgress: (e) => events.push(e) })
  assert.equal(again.id, first.id)
  assert.equal(events.some((e) => e.status === 'Downloading'), false)
  assert.equal(events.filter((e) => e.status === 'Pull complete').length, 2)
  for (const chain of chainIds(again.config.rootfs.diff_ids)) assert.equal(await store.layers.hasLayer(chain), true)
})

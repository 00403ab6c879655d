import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { gzipSync } from 'node:zlib'
import { sha256 } from '../../common/index.js'
import { EventBus, type EngineEvent } from '../events/index.js'
import { FakeSnapshotter, packTar } from '../layers/index.js'
import { ImageStore } from './image-store.js'
import type { ImageRemoveOptions } from './types.js'

const mtime = new Date(1_600_000_000_000)
const unused: ImageRemoveOptions = { isUsedByContainer: () => false }

async function setup(t: TestContext): Promise<{ images: ImageStore; snapshotter: FakeSnapshotter; events: EngineEvent[]; dataRoot: string; bus: EventBus }> {
  const dataRoot = await mkdtemp('/tmp/berth-images-test-')
  t.after(() => rm(dataRoot, { recursive: true, force: true }))
  const snapshotter = new FakeSnapshotter()
  const bus = new EventBus()
  const events: EngineEvent[] = []
  bus.subscribe((e) => events.push(e))
  let tick = Date.parse('2024-05-01T00:00:00Z')
  const images = new ImageStore({ dataRoot, snapshotter, events: bus, clock: () => new Date((tick += 1000)) })
  return { images, snapshotter, events, dataRoot, bus }
}

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  return packTar(Object.entries(files).map(([name, data]) => ({ header: { name, mtime }, data })))
}

async function importFiles(images: ImageStore, files: Record<string, string>, repoTag?: string, changes?: string[]) {
  return images.importTar(Readable.from([await tarOf(files)]), { ...(repoTag ? { repoTag } : {}), ...(changes ? { changes } : {}) })
}

test('ImageStore.importTar() imports a gzip tar with changes as docker import does', async (t) => {
  const { images, snapshotter, events } = await setup(t)
  const tar = await tarOf({ 'hello.txt': 'hello world' })
  const record = await images.importTar(Readable.from([gzipSync(tar)]), {
    repoTag: 'example/app:1.0',
    changes: ['CMD ["/hello"]', 'ENV MODE=prod', 'EXPOSE 8080', 'LABEL team=core'],
  })
  assert.deepEqual(record.repoTags, ['docker.io/example/app:1.0'])
  assert.equal(record.config.rootfs.diff_ids[0], sha256(tar), 'diff id is the digest of the uncompressed tar')
  assert.equal(record.config.comment, 'Imported from -')
  assert.equal(record.config.os, 'linux')
  assert.deepEqual(record.config.history, [{ created: record.config.created, comment: 'Imported from -' }])
  assert.deepEqual(record.config.config, { Cmd: ['/hello'], Env: ['MODE=prod'], ExposedPorts: { '8080/tcp': {} }, Labels: { team: 'core' } })
  assert.equal(record.topChainId, sha256(tar))
  assert.equal(record.size, 'hello world'.length)
  assert.equal(await snapshotter.hasLayer(sha256(tar)), true)
  assert.equal(record.id, sha256(await images.content.read(record.id)), 'id is the digest of the stored config')
  assert.equal(await images.content.has(sha256(tar)), true, 'the uncompressed layer blob is kept')
  assert.deepEqual(events.map((e) => [e.action, e.actor.attributes.name]), [['tag', 'example/app:1.0'], ['import', record.id]])
  assert.equal(events[1]?.actor.attributes.team, 'core')
})

test('ImageStore.importTar() rejects a bad change before reading the stream', async (t) => {
  const { images } = await setup(t)
  await assert.rejects(
    images.importTar(Readable.from([await tarOf({ a: 'a' })]), { changes: ['RUN rm -rf /'] }),
    { kind: 'InvalidArgument', message: 'run is not a valid change command' },
  )
  await assert.rejects(images.importTar(Readable.from([Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0, 1])]), {}), { kind: 'InvalidArgument' })
})

test('ImageStore.importTar() keeps no blob of a tar it could not apply', async (t) => {
  const { images } = await setup(t)
  const garbage = Buffer.alloc(1024, 7)
  await assert.rejects(images.importTar(Readable.from([garbage]), {}))
  assert.equal(await images.content.has(sha256(garbage)), false)
})

test('ImageStore.resolve() finds by id, id prefix, name and reference', async (t) => {
  const { images } = await setup(t)
  const img = await importFiles(images, { a: 'a' }, 'busybox')
  for (const ref of [img.id, img.id.slice(7), img.id.slice(0, 12), img.id.slice(7, 10), 'busybox', 'busybox:latest', 'docker.io/library/busybox:latest']) {
    assert.equal((await images.resolve(ref)).id, img.id, ref)
  }
  await assert.rejects(images.resolve('busybox:1'), { kind: 'NotFound', message: 'No such image: busybox:1' })
  await assert.rejects(images.resolve('nothing'), { kind: 'NotFound', message: 'No such image: nothing' })
  await assert.rejects(images.resolve('Upper'), { kind: 'InvalidArgument' })
})

test('ImageStore.tag() adds references and validates them', async (t) => {
  const { images, events } = await setup(t)
  const img = await importFiles(images, { a: 'a' }, 'busybox')
  await images.tag('busybox', 'localhost:5000/mine:v1')
  assert.deepEqual((await images.resolve(img.id)).repoTags, ['docker.io/library/busybox:latest', 'localhost:5000/mine:v1'])
  assert.equal(events.at(-1)?.action, 'tag')
  assert.equal(events.at(-1)?.actor.attributes.name, 'localhost:5000/mine:v1')
  await assert.rejects(images.tag('busybox', 'Bad:Tag'), { kind: 'InvalidArgument' })
  await assert.rejects(images.tag('busybox', `x@sha256:${'a'.repeat(64)}`), { kind: 'InvalidArgument' })
  await assert.rejects(images.tag('missing', 'x'), { kind: 'NotFound' })
})

test('ImageStore.tag() to the image the tag already names rewrites nothing but still reports the tag', async (t) => {
  const { images, events, dataRoot } = await setup(t)
  await importFiles(images, { a: 'a' }, 'app')
  const repos = join(dataRoot, 'images', 'repositories.json')
  const before = await stat(repos)
  await images.tag('app', 'app:latest')
  assert.equal((await stat(repos)).ino, before.ino)
  assert.equal(events.at(-1)?.action, 'tag')
})

test('ImageStore.tag() moves a tag, leaving the old image dangling', async (t) => {
  const { images } = await setup(t)
  const one = await importFiles(images, { a: '1' }, 'app')
  const two = await importFiles(images, { a: '2' }, 'app')
  assert.equal((await images.resolve('app')).id, two.id)
  assert.deepEqual((await images.list({ filters: { dangling: ['true'] } })).map((i) => i.id), [one.id])
})

test('ImageStore.list() filters by reference, label, dangling, before and since', async (t) => {
  const { images } = await setup(t)
  const a = await importFiles(images, { a: 'a' }, 'alpha:1', ['LABEL tier=web'])
  const b = await importFiles(images, { b: 'b' }, 'beta:1')
  const c = await importFiles(images, { c: 'c' })
  const ids = async (filters: Record<string, string[]>): Promise<string[]> => (await images.list({ filters })).map((i) => i.id)
  assert.deepEqual(await ids({}), [c.id, b.id, a.id], 'newest first')
  assert.deepEqual(await ids({ reference: ['al*'] }), [a.id])
  assert.deepEqual(await ids({ reference: ['beta:1'] }), [b.id])
  assert.deepEqual(await ids({ label: ['tier=web'] }), [a.id])
  assert.deepEqual(await ids({ dangling: ['true'] }), [c.id])
  assert.deepEqual(await ids({ dangling: ['false'] }), [b.id, a.id])
  assert.deepEqual(await ids({ before: ['beta:1'] }), [a.id])
  assert.deepEqual(await ids({ since: ['alpha:1'] }), [c.id, b.id])
  await images.tag('alpha:1', 'alpha:2')
  assert.deepEqual((await images.list({ filters: { reference: ['alpha:2'] } }))[0]?.repoTags, ['docker.io/library/alpha:2'])
  await assert.rejects(images.list({ filters: { nope: ['x'] } }), { kind: 'InvalidArgument' })
  await assert.rejects(images.list({ filters: { before: ['missing'] } }), { kind: 'NotFound' })
})

test('ImageStore.remove() by tag untags and deletes the image with its last tag', async (t) => {
  const { images, snapshotter, events } = await setup(t)
  const img = await importFiles(images, { a: 'a' }, 'app:1')
  await images.tag('app:1', 'app:2')
  assert.deepEqual(await images.remove('app:1', unused), { untagged: ['app:1'], deleted: [] })
  events.length = 0
  const chain = img.topChainId as string
  assert.deepEqual(await images.remove('app:2', unused), { untagged: ['app:2'], deleted: [img.id, chain] })
  assert.deepEqual(events.map((e) => e.action), ['untag', 'delete'])
  assert.equal(await snapshotter.hasLayer(chain), false)
  assert.equal(await images.content.has(img.id), false)
  assert.equal(await images.content.has(img.config.rootfs.diff_ids[0] as `sha256:${string}`), false)
  await assert.rejects(images.resolve(img.id), { kind: 'NotFound' })
})

test('ImageStore.remove() keeps layers another image still uses', async (t) => {
  const { images, snapshotter } = await setup(t)
  const tar = await tarOf({ shared: 's' })
  const one = await images.importTar(Readable.from([tar]), { repoTag: 'one' })
  const two = await images.importTar(Readable.from([tar]), { repoTag: 'two', changes: ['CMD ["x"]'] })
  assert.notEqual(one.id, two.id)
  assert.deepEqual(await images.remove('one', unused), { untagged: ['one:latest'], deleted: [one.id] })
  assert.equal(await snapshotter.hasLayer(two.topChainId as string), true)
})

test('ImageStore.remove() by id refuses an image in several repositories unless forced', async (t) => {
  const { images } = await setup(t)
  const img = await importFiles(images, { a: 'a' }, 'app:1')
  await images.tag('app:1', 'other:1')
  await assert.rejects(images.remove(img.id.slice(7, 19), unused), {
    kind: 'Conflict',
    message: `conflict: unable to delete ${img.id.slice(7, 19)} (must be forced) - image is referenced in multiple repositories`,
  })
  const result = await images.remove(img.id, { ...unused, force: true })
  assert.deepEqual(result.untagged, ['app:1', 'other:1'])
  assert.equal(result.deleted[0], img.id)
})

test('ImageStore.remove() by id untags a single tag and its digests in one repository', async (t) => {
  const { images, snapshotter } = await setup(t)
  const tar = await tarOf({ a: 'a' })
  const layer = await snapshotter.applyLayer(undefined, sha256(tar), Readable.from([tar]))
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.diffId] } }))
  const digestRef = `app@sha256:${'d'.repeat(64)}`
  const img = await images.registerImage(config, { repoTag: 'app:1', repoDigest: digestRef })
  const result = await images.remove(img.id, unused)
  assert.deepEqual(result, { untagged: ['app:1', digestRef], deleted: [img.id, layer.chainId] })
})

test('ImageStore.remove() refuses to untag an image a container uses', async (t) => {
  const { images } = await setup(t)
  const img = await importFiles(images, { a: 'a' }, 'app')
  const cid = 'f'.repeat(64)
  const opts: ImageRemoveOptions = { isUsedByContainer: () => true, containerUsing: () => ({ containerId: cid, running: false }) }
  await assert.rejects(images.remove('app', opts), {
    kind: 'Conflict',
    message: `conflict: unable to remove repository reference "app" (must force) - container ${'f'.repeat(12)} is using its referenced image ${img.id.slice(7, 19)}`,
  })
  await assert.rejects(images.remove(img.id, opts), {
    kind: 'Conflict',
    message: `conflict: unable to delete ${img.id.slice(7, 19)} (must be forced) - image is being used by stopped container ${'f'.repeat(12)}`,
  })
  const running: ImageRemoveOptions = { isUsedByContainer: () => true, containerUsing: () => ({ containerId: cid, running: true }) }
  await assert.rejects(images.remove(img.id, { ...running, force: true }), {
    message: `conflict: unable to delete ${img.id.slice(7, 19)} (cannot be forced) - image is being used by running container ${'f'.repeat(12)}`,
  })
  // With another tag, untagging one is fine even while used.
  await images.tag('app', 'app:2')
  assert.deepEqual(await images.remove('app', opts), { untagged: ['app:latest'], deleted: [] })
})

test('ImageStore.remove() forced on an image in use keeps its layers until the container is gone', async (t) => {
  const { images, snapshotter } = await setup(t)
  const img = await importFiles(images, { a: 'a' }, 'app')
  let used = true
  const opts: ImageRemoveOptions = { force: true, isUsedByContainer: () => used }
  assert.deepEqual(await images.remove('app', opts), { untagged: ['app:latest'], deleted: [img.id] })
  await assert.rejects(images.resolve(img.id), { kind: 'NotFound' })
  assert.equal(await snapshotter.hasLayer(img.topChainId as string), true)
  assert.deepEqual(await images.pruneLayers(() => used), [])
  used = false
  assert.deepEqual(await images.pruneLayers(() => used), [img.topChainId])
  assert.equal(await snapshotter.hasLayer(img.topChainId as string), false)
})

test('ImageStore.remove() of a digest reference leaves the tag', async (t) => {
  const { images, snapshotter } = await setup(t)
  const tar = await tarOf({ a: 'a' })
  const layer = await snapshotter.applyLayer(undefined, sha256(tar), Readable.from([tar]))
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.diffId] } }))
  const digestRef = `registry.example/app@sha256:${'c'.repeat(64)}`
  const img = await images.registerImage(config, { repoTag: 'registry.example/app:1', repoDigest: digestRef })
  assert.equal(img.id, sha256(config))
  assert.deepEqual(img.repoDigests, [digestRef])
  assert.equal((await images.resolve(digestRef)).id, img.id)
  // Removing the last tag of the repository also drops its digest references.
  assert.deepEqual(await images.remove('registry.example/app:1', unused), {
    untagged: ['registry.example/app:1', digestRef],
    deleted: [img.id, layer.chainId],
  })
})

test('ImageStore.history() lists layers newest first with <missing> below the top', async (t) => {
  const { images } = await setup(t)
  const l1 = await tarOf({ a: 'aaaa' })
  const l2 = await tarOf({ b: 'bb' })
  const img = await images.createFromLayers([Readable.from([l1]), Readable.from([l2])], {
    architecture: 'amd64',
    os: 'linux',
    created: '2024-01-01T00:00:03Z',
    history: [
      { created: '2024-01-01T00:00:01Z', created_by: 'ADD a' },
      { created: '2024-01-01T00:00:02Z', created_by: 'ENV X=1', empty_layer: true },
      { created: '2024-01-01T00:00:03Z', created_by: 'ADD b', comment: 'second' },
    ],
  }, 'hist:1')
  const h = await images.history('hist:1')
  assert.deepEqual(h, [
    { id: img.id, created: 1704067203, createdBy: 'ADD b', tags: ['hist:1'], size: 2, comment: 'second' },
    { id: '<missing>', created: 1704067202, createdBy: 'ENV X=1', tags: [], size: 0, comment: '' },
    { id: '<missing>', created: 1704067201, createdBy: 'ADD a', tags: [], size: 4, comment: '' },
  ])
  assert.equal(img.size, 6)
})

test('ImageStore keeps images and references across instances', async (t) => {
  const { images, dataRoot, snapshotter, bus } = await setup(t)
  const img = await importFiles(images, { a: 'a' }, 'persist:1')
  const repos = JSON.parse(await readFile(join(dataRoot, 'images/repositories.json'), 'utf8')) as Record<string, string>
  assert.deepEqual(repos, { 'docker.io/library/persist:1': img.id })
  const again = new ImageStore({ dataRoot, snapshotter, events: bus })
  assert.deepEqual(await again.resolve('persist:1'), img)
})

test('ImageStore.createFromLayers() gives the same id for the same content', async (t) => {
  const { images } = await setup(t)
  const config = { architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z' }
  const a = await images.createFromLayers([Readable.from([await tarOf({ x: 'x' })])], config, 'same:a')
  const b = await images.createFromLayers([Readable.from([await tarOf({ x: 'x' })])], config, 'same:b')
  assert.equal(a.id, b.id)
  assert.deepEqual((await images.resolve(a.id)).repoTags, ['docker.io/library/same:a', 'docker.io/library/same:b'])
})

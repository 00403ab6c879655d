import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError, silentLogger } from '../../common/index.js'
import { EventBus, type EngineEvent } from '../events/index.js'
import { ANONYMOUS_LABEL, type VolumeMounter } from './types.js'
import { LocalVolumeService, validateDriverOpts } from './volume-service.js'

/** Records mount calls instead of mounting. */
class RecordingMounter implements VolumeMounter {
  readonly calls: string[] = []
  readonly mounted = new Set<string>()
  async isMountpoint(target: string): Promise<boolean> {
    return this.mounted.has(target)
  }
  async mount(opts: { source: string; target: string; type: string; options: string }): Promise<void> {
    this.calls.push(`mount ${opts.type} ${opts.options} ${opts.source} ${opts.target}`)
  }
  async unmount(target: string): Promise<void> {
    this.calls.push(`unmount ${target}`)
  }
}

async function setup(t: { after(fn: () => Promise<void>): void }, containers: Array<{ id: string; volumeNames: string[] }> = []) {
  const root = await mkdtemp('/tmp/berth-volumes-test-')
  t.after(() => rm(root, { recursive: true, force: true }))
  const events = new EventBus()
  const seen: EngineEvent[] = []
  events.subscribe((e) => seen.push(e))
  const mounter = new RecordingMounter()
  const service = new LocalVolumeService({
    root, events, logger: silentLogger, mounter, containerVolumes: async () => containers, clock: () => new Date('2026-03-04T05:06:07.891Z'),
  })
  return { root, service, mounter, seen }
}

test('LocalVolumeService.create() makes _data and metadata and is idempotent', async (t) => {
  const { root, service, seen } = await setup(t)
  const v = await service.create({ name: 'dbdata', labels: { tier: 'db' } })
  assert.equal(v.mountpoint, join(root, 'dbdata', '_data'))
  assert.equal(v.createdAt, '2026-03-04T05:06:07Z')
  assert.ok(existsSync(v.mountpoint))
  const meta = JSON.parse(await readFile(join(root, 'dbdata', 'volume.json'), 'utf8')) as Record<string, unknown>
  assert.deepEqual(meta, { CreatedAt: '2026-03-04T05:06:07Z', Labels: { tier: 'db' }, Options: {}, Driver: 'local', Scope: 'local' })
  assert.deepEqual((await service.create({ name: 'dbdata' })).labels, { tier: 'db' })
  assert.deepEqual(seen.map((e) => `${e.type} ${e.action} ${e.actor.id}`), ['volume create dbdata'])
  const anon = await service.create({})
  assert.match(anon.name, /^[0-9a-f]{64}$/)
  assert.deepEqual(anon.labels, { [ANONYMOUS_LABEL]: '' })
})

test('LocalVolumeService.create() validates names, drivers and options', async (t) => {
  const { service } = await setup(t)
  await assert.rejects(service.create({ name: 'a/b' }), /includes invalid characters for a local volume name/)
  await assert.rejects(service.create({ name: 'x' }), /volume name is too short/)
  await assert.rejects(service.create({ name: 'ok', driver: 'nfs' }), (e: unknown) => e instanceof EngineError && e.kind === 'NotFound')
  assert.throws(() => validateDriverOpts({ bogus: '1' }), /invalid option: "bogus"/)
  assert.throws(() => validateDriverOpts({ type: 'tmpfs' }), /missing required option: "device"/)
  assert.throws(() => validateDriverOpts({ o: 'size=1m', device: 'tmpfs' }), /missing required option: "type"/)
  validateDriverOpts({ type: 'tmpfs', device: 'tmpfs', o: 'size=1m' })
})

test('LocalVolumeService persists volumes and finds references in container records after a restart', async (t) => {
  const { root, service } = await setup(t)
  await service.create({ name: 'keep' })
  const again = new LocalVolumeService({
    root, events: new EventBus(), logger: silentLogger, mounter: new RecordingMounter(),
    containerVolumes: async () => [{ id: 'c'.repeat(64), volumeNames: ['keep'] }],
  })
  assert.deepEqual((await again.list()).map((v) => v.name), ['keep'])
  await assert.rejects(again.remove('keep'), (e: unknown) => e instanceof EngineError && e.kind === 'Conflict' && e.message === `remove keep: volume is in use - [${'c'.repeat(64)}]`)
  assert.deepEqual(await again.list({ dangling: ['true'] }), [])
})

test('LocalVolumeService.remove() refuses volumes in use, then removes them when released', async (t) => {
  const { root, service, seen } = await setup(t)
  await service.acquire('data', 'ctr1')
  await assert.rejects(service.remove('data'), /remove data: volume is in use - \[ctr1\]/)
  await assert.rejects(service.remove('nope'), (e: unknown) => e instanceof EngineError && e.kind === 'NotFound' && e.message === 'get nope: no such volume')
  await service.remove('nope', { force: true })
  await service.release('data', 'ctr1')
  await service.remove('data')
  assert.ok(!existsSync(join(root, 'data')))
  assert.ok(seen.some((e) => e.action === 'destroy' && e.actor.id === 'data'))
})

test('LocalVolumeService.release() with removeIfUnused removes the volume when it is the first call after a restart', async (t) => {
  const { root, service } = await setup(t)
  const anon = await service.create({})
  const id = 'd'.repeat(64)
  const events = new EventBus()
  const seen: EngineEvent[] = []
  events.subscribe((e) => seen.push(e))
  const again = new LocalVolumeService({
    root, events, logger: silentLogger, mounter: new RecordingMounter(), containerVolumes: async () => [{ id, volumeNames: [anon.name] }],
  })
  await again.release(anon.name, id, { removeIfUnused: true })
  assert.ok(!existsSync(join(root, anon.name)))
  assert.deepEqual(seen.map((e) => `${e.type} ${e.action} ${e.actor.id}`), [`volume destroy ${anon.name}`])
})

test('LocalVolumeService.prune() removes unused anonymous volumes, or all unused with all=true', async (t) => {
  const { service, seen } = await setup(t)
  const anon = await service.create({})
  await writeFile(join(anon.mountpoint, 'f'), 'x'.repeat(100))
  const busyAnon = await service.acquire(undefined, 'ctr1')
  await service.create({ name: 'named' })
  await service.acquire('used', 'ctr1')
  const first = await service.prune()
  assert.deepEqual(first, { deleted: [anon.name], spaceReclaimed: 100 })
  assert.deepEqual(seen.filter((e) => e.action === 'prune').map((e) => e.actor.attributes), [{ reclaimed: '100' }])
  const second = await service.prune({ all: ['true'] })
  assert.deepEqual(second.deleted, ['named'])
  assert.deepEqual((await service.list()).map((v) => v.name).sort(), [busyAnon.name, 'used'].sort())
})

test('LocalVolumeService mounts a device volume for its first user and unmounts after the last', async (t) => {
  const { service, mounter } = await setup(t)
  const v = await service.create({ name: 'fast', driverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m' } })
  await service.mountFor('fast', 'a')
  await service.mountFor('fast', 'b')
  await service.unmountFor('fast', 'a')
  assert.deepEqual(mounter.calls, [`mount tmpfs size=1m tmpfs ${v.mountpoint}`])
  await service.unmountFor('fast', 'b')
  assert.deepEqual(mounter.calls, [`mount tmpfs size=1m tmpfs ${v.mountpoint}`, `unmount ${v.mountpoint}`])
  // A volume without a device needs no mount.
  await service.create({ name: 'plain' })
  await service.mountFor('plain', 'a')
  assert.equal(mounter.calls.length, 2)
})

test('LocalVolumeService.usage() reports sizes and reference counts', async (t) => {
  const { service } = await setup(t)
  const v = await service.acquire('sized', 'ctr1')
  await writeFile(join(v.mountpoint, 'a'), 'abc')
  const usage = await service.usage()
  assert.deepEqual(usage.map((u) => [u.volume.name, u.usage]), [['sized', { size: 3, refCount: 1 }]])
})

test('LocalVolumeService.remove() never deletes through a device volume that is still mounted', async (t) => {
  const { service, mounter } = await setup(t)
  const v = await service.create({ name: 'hostdir', driverOpts: { type: 'none', device: '/srv/data', o: 'bind' } })
  // As if the unmount had not happened: the device's files show at _data.
  await writeFile(join(v.mountpoint, 'precious'), 'keep')
  await assert.rejects(service.remove('hostdir'), /the volume's device is still mounted/)
  assert.equal(await readFile(join(v.mountpoint, 'precious'), 'utf8'), 'keep')
  assert.deepEqual(mounter.calls, [`unmount ${v.mountpoint}`])
})

test('LocalVolumeService adopts a device volume still mounted from before a restart instead of mounting it twice', async (t) => {
  const { service, mounter } = await setup(t)
  const v = await service.create({ name: 'left', driverOpts: { type: 'tmpfs', device: 'tmpfs' } })
  mounter.mounted.add(v.mountpoint)
  await service.mountFor('left', 'a')
  await service.unmountFor('left', 'a')
  assert.deepEqual(mounter.calls, [`unmount ${v.mountpoint}`])
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError, silentLogger } from '../../common/index.js'
import { sampleRecord } from '../containers/testing/fixtures.js'
import type { ContainerRecord } from '../containers/index.js'
import { EventBus, type EngineEvent } from '../events/index.js'
import { VolumeHooks } from './volume-hooks.js'
import { LocalVolumeService } from './volume-service.js'

async function setup(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp('/tmp/berth-hooks-test-')
  t.after(() => rm(dir, { recursive: true, force: true }))
  const events = new EventBus()
  const seen: EngineEvent[] = []
  events.subscribe((e) => seen.push(e))
  const records = new Map<string, ContainerRecord>()
  const volumes = new LocalVolumeService({
    root: join(dir, 'volumes'), events, logger: silentLogger,
    mounter: { mount: async () => {}, unmount: async () => {} },
    containerVolumes: async () => [],
  })
  const hooks = new VolumeHooks({
    volumes, events, logger: silentLogger,
    resolveContainer: async (n) => {
      const r = records.get(n)
      if (!r) throw new EngineError('NotFound', 'CONTAINER_NOT_FOUND', `No such container: ${n}`)
      return r
    },
  })
  /** A record whose rootfs is a plain directory under the test dir. */
  const record = async (id: string, host: ContainerRecord['spec']['host'], imageVolumes?: Record<string, object>): Promise<ContainerRecord> => {
    const r = sampleRecord({ id: id.padEnd(64, '0') }, join(dir, 'containers', id))
    r.spec = { ...r.spec, host }
    if (imageVolumes) r.imageConfig = { Volumes: imageVolumes }
    await mkdir(r.rootfsPath, { recursive: true })
    records.set(id, r)
    return r
  }
  return { dir, volumes, hooks, record, seen }
}

test('VolumeHooks.onCreate() records binds, named, anonymous and image volumes in Docker\'s shape', async (t) => {
  const { dir, hooks, record, volumes } = await setup(t)
  const r = await record('c1', { binds: ['data:/data', `${dir}/host:/h:ro`] }, { '/var/cache': {}, '/data': {} })
  await hooks.onCreate(r)
  const points = r.mountPoints ?? []
  assert.deepEqual(points.map((p) => [p.type, p.destination, p.rw, p.mode]), [
    ['volume', '/data', true, ''], ['bind', '/h', false, 'ro'], ['volume', '/var/cache', true, ''],
  ])
  assert.equal(points[0]?.source, join(dir, 'volumes', 'data', '_data'))
  assert.equal(points[1]?.propagation, 'rprivate')
  assert.equal(points[2]?.anonymous, true)
  assert.equal((await volumes.list()).length, 2)
  await assert.rejects(volumes.remove('data'), /volume is in use/)
  // rm -v: the anonymous volume goes, the named one stays.
  await hooks.onRemove(r, { removeVolumes: true })
  assert.deepEqual((await volumes.list()).map((v) => v.name), ['data'])
})

test('VolumeHooks.onCreate() refuses duplicates and missing --mount bind sources', async (t) => {
  const { hooks, record } = await setup(t)
  await assert.rejects(hooks.onCreate(await record('d1', { binds: ['a1:/x', 'b1:/x'] })), /Duplicate mount point: \/x/)
  await assert.rejects(
    hooks.onCreate(await record('d2', { raw: { Mounts: [{ Type: 'bind', Source: '/nonexistent-berth-src', Target: '/x' }] } })),
    (e: unknown) => e instanceof EngineError && e.message === 'invalid mount config for type "bind": bind source path does not exist: /nonexistent-berth-src',
  )
})

test('VolumeHooks.onStart() copies the image\'s files into a new volume and resolves symlinked targets inside the rootfs', async (t) => {
  const { dir, hooks, record, seen } = await setup(t)
  const r = await record('s1', { binds: ['etcvol:/etc', 'linked:/link/inner', `${dir}/newhost:/h`], raw: { Mounts: [{ Type: 'bind', Source: dir, Target: '/nr', ReadOnly: true, BindOptions: { NonRecursive: true } }] } })
  await mkdir(join(r.rootfsPath, 'etc'))
  await writeFile(join(r.rootfsPath, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n')
  // /link -> / must stay the container's own root.
  await symlink('/', join(r.rootfsPath, 'link'))
  await hooks.onCreate(r)
  const contribution = await hooks.onStart(r)
  const byDest = new Map(contribution.mounts?.map((m) => [m.destination, m]))
  assert.deepEqual([...byDest.keys()], ['/etc', '/inner', '/h', '/nr'])
  assert.deepEqual(byDest.get('/etc')?.options, ['rbind', 'rprivate'])
  assert.deepEqual(byDest.get('/nr')?.options, ['bind', 'rprivate', 'ro'])
  assert.equal(await readFile(join(dir, 'volumes', 'etcvol', '_data', 'passwd'), 'utf8'), 'root:x:0:0::/root:/bin/sh\n')
  assert.ok(existsSync(join(dir, 'newhost')), '-v creates a missing host directory')
  assert.equal(r.mountPoints?.[0]?.copyData, false)
  assert.deepEqual(seen.filter((e) => e.action === 'mount').map((e) => e.actor.id), ['etcvol', 'linked'])
  await hooks.onStop(r)
  assert.deepEqual(seen.filter((e) => e.action === 'unmount').map((e) => e.actor.id), ['etcvol', 'linked'])
})

test('VolumeHooks.onStart() refuses a target that resolves to the container root', async (t) => {
  const { hooks, record } = await setup(t)
  const r = await record('r1', {}, { '/data': {} })
  await symlink('../../..', join(r.rootfsPath, 'data'))
  await hooks.onCreate(r)
  await assert.rejects(hooks.onStart(r), /destination \/data resolves to "\/" in the container/)
})

test('VolumeHooks.onCreate() takes volumes-from mounts, read-only when asked', async (t) => {
  const { hooks, record, volumes } = await setup(t)
  const src = await record('src', { binds: ['shared:/shared'] })
  await hooks.onCreate(src)
  const r = await record('dst', { raw: { VolumesFrom: ['src:ro'] } })
  await hooks.onCreate(r)
  assert.deepEqual(r.mountPoints?.map((p) => [p.name, p.destination, p.rw]), [['shared', '/shared', false]])
  await hooks.onRemove(src, { removeVolumes: true })
  await assert.rejects(volumes.remove('shared'), /volume is in use - \[dst/)
  await assert.rejects(hooks.onCreate(await record('bad', { raw: { VolumesFrom: ['ghost'] } })), /No such container: ghost/)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ContainerRecord } from '../../engine/containers/index.js'
import type { ContainerNetworkView, NetworkRecord } from '../../engine/networks/index.js'
import { ContainerListCache, type ContainerListSources } from './container-list-cache.js'
import { containerSummary } from './container-view.js'

const now = new Date('2026-01-02T00:00:00Z')

function record(id: string, name: string, labels: Record<string, string> = {}): ContainerRecord {
  return {
    id: id.padEnd(64, '0'), name, created: '2026-01-01T00:00:00.000Z', imageId: `sha256:${'a'.repeat(64)}`, imageConfig: { Labels: { from: 'image' } },
    path: 'sh', args: ['-c', 'echo hi'], restartCount: 0, runtime: 'crun',
    spec: { image: 'busybox', host: {}, labels },
    state: { status: 'created', running: false, paused: false, restarting: false, oomKilled: false, dead: false, pid: 0, exitCode: 0, error: '', startedAt: '0001-01-01T00:00:00Z', finishedAt: '0001-01-01T00:00:00Z' },
    rootfsPath: '/x/rootfs', bundleDir: '/x', logPath: '/x/log', hostnamePath: '/x/hostname', hostsPath: '/x/hosts', resolvConfPath: '/x/resolv.conf',
  }
}

function network(name: string): NetworkRecord {
  return { id: name.padEnd(64, 'n'), name, driver: 'bridge', created: '', predefined: name === 'bridge', endpoints: {} } as unknown as NetworkRecord
}

/** Sources whose revisions and views the test changes; counts the views made. */
function sources() {
  const revisions = new Map<string, number>()
  const viewRevisions = new Map<string, number>()
  const nets = new Map<string, string[]>()
  const made: string[] = []
  const view = (r: ContainerRecord): ContainerNetworkView => ({
    sandboxKey: r.state.running ? `/run/netns/${r.id}` : '',
    endpoints: (nets.get(r.id) ?? ['bridge']).map((n) => ({ network: network(n), endpoint: {
      containerId: r.id, containerName: r.name, endpointId: 'e'.repeat(64), ipv4: '10.0.0.2', prefixLen: 16, gateway: '10.0.0.1', mac: '02:42:0a:00:00:02', aliases: [], links: [],
    } })),
    ports: [], exposed: [],
  })
  const s: ContainerListSources = {
    revision: (id) => revisions.get(id) ?? 0,
    viewRevision: (id) => viewRevisions.get(id) ?? 0,
    views: async (records) => {
      made.push(...records.map((r) => r.name))
      return records.map(view)
    },
  }
  return { s, revisions, viewRevisions, nets, made, view }
}

/** What sendJson wrote for the same list before the cache existed. */
function expected(records: ContainerRecord[], view: (r: ContainerRecord) => ContainerNetworkView): string {
  return JSON.stringify(records.map((r) => containerSummary(r, now, view(r)))) + '\n'
}

test('ContainerListCache.render() writes what JSON.stringify of the summaries writes, and reuses items', async () => {
  const cache = new ContainerListCache()
  const { s, made, view } = sources()
  const list = [record('a', 'web', { 'tier': 'front "quoted" ünïcode' }), record('b', 'db')]
  assert.equal((await cache.render(list, now, s)).toString(), expected(list, view))
  assert.deepEqual(made, ['web', 'db'])
  assert.equal((await cache.render(list, now, s)).toString(), expected(list, view))
  assert.deepEqual(made, ['web', 'db'], 'nothing changed: no view made again')
  assert.equal((await cache.render([], now, s)).toString(), '[]\n')
})

test('ContainerListCache.render() remakes an item after a rename, a state change, a save, a network change', async () => {
  const cache = new ContainerListCache()
  const { s, made, view, revisions, viewRevisions, nets } = sources()
  const web = record('a', 'web')
  const db = record('b', 'db')
  const list = [web, db]
  await cache.render(list, now, s)
  made.length = 0
  const check = async (what: string, remade: string[]): Promise<void> => {
    assert.equal((await cache.render(list, now, s)).toString(), expected(list, view), what)
    assert.deepEqual(made, remade, what)
    made.length = 0
  }

  web.name = 'web2' // renamed in place, before the rename is saved
  await check('rename', ['web2'])
  web.state = { ...web.state, status: 'running', running: true, startedAt: '2026-01-01T12:00:00Z' }
  await check('start', ['web2'])
  nets.set(web.id, ['bridge', 'side'])
  viewRevisions.set(web.id, 7)
  await check('network connect', ['web2'])
  nets.set(web.id, ['bridge'])
  viewRevisions.set(web.id, 8)
  await check('network disconnect', ['web2'])
  web.state = { ...web.state, status: 'exited', running: false, finishedAt: '2026-01-01T13:00:00Z' }
  await check('stop', ['web2'])
  db.spec = { ...db.spec, labels: { changed: 'by a save' } }
  revisions.set(db.id, 3)
  await check('record saved', ['db'])
  await check('nothing changed', [])
  list.splice(0, 1)
  await check('removed', [])
})

test('ContainerListCache.render() keeps Status current and adds non-zero sizes as SizeRw / SizeRootFs', async () => {
  const cache = new ContainerListCache()
  const { s } = sources()
  const web = record('a', 'web')
  web.state = { ...web.state, status: 'running', running: true, startedAt: '2026-01-01T23:59:00Z' }
  const first = JSON.parse((await cache.render([web], now, s)).toString())
  assert.equal(first[0].Status, 'Up About a minute')
  const later = JSON.parse((await cache.render([web], new Date('2026-01-02T02:00:00Z'), s)).toString())
  assert.equal(later[0].Status, 'Up 2 hours')
  const sized = JSON.parse((await cache.render([web, web], now, s, [{ sizeRw: 5, sizeRootFs: 1005 }, { sizeRw: 0, sizeRootFs: 0 }])).toString())
  assert.equal(sized[0].SizeRw, 5)
  assert.equal(sized[0].SizeRootFs, 1005)
  assert.equal(sized[0].Mounts.length, 0)
  assert.equal('SizeRw' in sized[1], false, 'omitted when zero, as moby')
})

test('ContainerListCache.render() without revisions makes every item at every request', async () => {
  const cache = new ContainerListCache()
  const { s, made, view } = sources()
  const list = [record('a', 'web')]
  const uncached: ContainerListSources = { views: s.views }
  await cache.render(list, now, uncached)
  assert.equal((await cache.render(list, now, uncached)).toString(), expected(list, view))
  assert.deepEqual(made, ['web', 'web'])
})

test('ContainerListCache.summaries() returns the items of render()\'s body, with the Status and sizes of each request', async () => {
  const cache = new ContainerListCache()
  const { s, made, revisions } = sources()
  const web = record('a', 'web', { 'tier': 'front "quoted" ünïcode' })
  web.state = { ...web.state, status: 'running', running: true, startedAt: '2026-01-01T23:59:00Z' }
  const list = [web, record('b', 'db')]
  const sizes = [{ sizeRw: 5, sizeRootFs: 1005 }, { sizeRw: 0, sizeRootFs: 0 }]
  const later = new Date('2026-01-02T02:00:00Z')
  for (const [at, sized] of [[now, undefined], [later, sizes], [now, sizes]] as const) {
    assert.deepEqual(await cache.summaries(list, at, s, sized), JSON.parse((await cache.render(list, at, s, sized)).toString()))
  }
  assert.deepEqual(made, ['web', 'db'], 'items made once for both')
  const first = await cache.summaries(list, now, s)
  first[1]!.Status = 'changed'
  revisions.set(list[1]!.id, 1)
  assert.deepEqual(await cache.summaries(list, later, s), JSON.parse((await cache.render(list, later, s)).toString()))
  assert.deepEqual(made, ['web', 'db', 'db'])
})

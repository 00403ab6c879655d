import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isEngineError } from '../../common/index.js'
import { RunSandboxes } from './run-sandboxes.js'
import { container, networkFixture, type NetworkFixtureOptions } from './testing/fixtures.js'

async function setup(t: { after(fn: () => Promise<void>): void }, opts: NetworkFixtureOptions & { idleMs?: number } = {}) {
  // Our own directory, removed after the namespaces and their endpoints (which save the network) are gone.
  const root = await mkdtemp(join(tmpdir(), 'berth-net-'))
  const fx = await networkFixture(t, { resolvConf: 'nameserver 127.0.0.53\nnameserver 10.0.0.53\nsearch corp.test\n', ...opts, root })
  const sandboxes = new RunSandboxes(fx.m, { hostResolvConfPath: join(fx.dir, 'host-resolv.conf'), idleMs: opts.idleMs ?? 60_000 })
  t.after(async () => {
    await sandboxes.close()
    await fx.m.close()
    await rm(root, { recursive: true, force: true })
  })
  // As the daemon: the pool starts with the stale-state cleanup.
  await fx.hooks.cleanupStale()
  const buildEndpoints = () => Object.values(fx.m.store.byName('bridge')!.endpoints).filter((e) => e.containerId.startsWith('build:'))
  return { ...fx, sandboxes, buildEndpoints }
}

test('RunSandboxes.acquire() lends a namespace on the default bridge whose address IPAM counts; given back, it is lent again', async (t) => {
  const { dir, m, host, hooks, records, sandboxes, buildEndpoints } = await setup(t)
  const lent = await sandboxes.acquire()
  assert.ok(host.netns.has(lent.netnsPath))
  const veth = [...host.veths.values()].find((v) => v.netnsPath === lent.netnsPath)
  assert.deepEqual({ ...veth, hostName: '', netnsPath: '' }, {
    hostName: '', netnsPath: '', bridge: 'bt0', ifName: 'eth0', addressCidr: '10.200.0.2/24', mac: '02:42:0a:c8:00:02', gateway: '10.200.0.1',
  })
  assert.match(veth!.hostName, /^btv[0-9a-f]{12}$/)
  assert.equal(lent.ipv4, '10.200.0.2')
  assert.equal(host.sysctls.get('net.ipv4.ip_forward'), '1')
  // The host's resolver on loopback is unreachable from the namespace: dropped, as for containers.
  assert.equal(lent.resolvConf, 'nameserver 10.0.0.53\nsearch corp.test\n')
  assert.deepEqual(buildEndpoints().map((e) => e.ipv4), ['10.200.0.2'])

  // A container started meanwhile gets another address.
  const c = container('c'.repeat(64), 'web', dir)
  records.set(c.id, c)
  await hooks.onCreate(c)
  await hooks.onStart(c)
  assert.equal(m.store.byName('bridge')!.endpoints[c.id]?.ipv4, '10.200.0.3')

  lent.release()
  lent.release()
  const again = await sandboxes.acquire()
  assert.equal(again.netnsPath, lent.netnsPath)
  const other = await sandboxes.acquire()
  assert.notEqual(other.netnsPath, again.netnsPath, 'a namespace is lent to one RUN at a time')
  assert.equal(host.calls.filter((call) => call.op === 'createNetns' && call.args[0] === lent.netnsPath).length, 1, 'made once')
  assert.equal(buildEndpoints().length, 2)

  await sandboxes.close()
  assert.ok(!host.netns.has(again.netnsPath) && !host.netns.has(other.netnsPath), 'close() deletes lent namespaces too')
  assert.deepEqual(buildEndpoints(), [])
  await assert.rejects(sandboxes.acquire(), (err: unknown) => isEngineError(err, 'Unavailable'))
  again.release()
})

test('RunSandboxes: an idle namespace goes after idleMs with its endpoint; at most two are kept idle', async (t) => {
  const { host, sandboxes, buildEndpoints } = await setup(t, { idleMs: 300 })
  const lent = await Promise.all([sandboxes.acquire(), sandboxes.acquire(), sandboxes.acquire()])
  for (const l of lent) l.release()
  assert.equal(lent.filter((l) => host.netns.has(l.netnsPath)).length, 2)
  await eventually(() => buildEndpoints().length === 2, 'the third endpoint to go')
  await eventually(() => lent.every((l) => !host.netns.has(l.netnsPath)) && buildEndpoints().length === 0, 'the idle namespaces to go')
})

/** Polls `ok` every 10 ms for up to 5 s. */
async function eventually(ok: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 10))
  assert.ok(ok(), `timed out waiting for ${what}`)
}

test('RunSandboxes.acquire() takes the sandbox the pool made ahead for that address, and sets its link up', async (t) => {
  const { m, host, sandboxes } = await setup(t, { sandboxPool: { size: 1, startDelayMs: 60_000, refill: { quietMs: 60_000, maxMs: 60_000 } } })
  await m.pool.fill()
  const [ahead] = m.pool.owned().paths
  assert.ok(ahead)
  const lent = await sandboxes.acquire()
  assert.equal(lent.netnsPath, ahead)
  const veth = [...host.veths.values()].find((v) => v.netnsPath === ahead)!
  assert.ok(!host.down.has(veth.hostName), 'its host end is up')
  assert.equal(lent.ipv4, '10.200.0.2')
  assert.deepEqual(m.pool.owned().paths, [])
})

test('RunSandboxes.acquire() holds no address when the namespace cannot be made', async (t) => {
  const { host, sandboxes, buildEndpoints } = await setup(t)
  host.failNext = 'createNetns'
  await assert.rejects(sandboxes.acquire(), /fake createNetns failure/)
  assert.deepEqual(buildEndpoints(), [])
  const lent = await sandboxes.acquire()
  assert.deepEqual(buildEndpoints().map((e) => e.ipv4), [lent.ipv4])
})

test('cleanupStale() drops the endpoint and link of a RUN namespace that a crash left', async (t) => {
  const { host, hooks, sandboxes, buildEndpoints } = await setup(t)
  const lent = await sandboxes.acquire()
  const veth = [...host.veths.values()].find((v) => v.netnsPath === lent.netnsPath)!
  // What a restarted daemon finds: the record with the endpoint, the link (its RunSandboxes is new).
  await hooks.cleanupStale()
  assert.deepEqual(buildEndpoints(), [])
  assert.ok(!host.links.has(veth.hostName))
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { join } from 'node:path'
import { silentLogger, type Logger } from '../../common/index.js'
import type { ContainerRecord } from '../containers/index.js'
import type { FakeNetHost, HeldPort, PortHolder } from '../../sys/net/index.js'
import { assignAddresses } from './endpoint-addresses.js'
import { nextVeths, poolKey } from './sandbox-pool.js'
import { container, networkFixture } from './testing/fixtures.js'
import type { EndpointRecord, NetworkRecord } from './types.js'

const ports: PortHolder = { hold: async (_proto, _ip, port): Promise<HeldPort> => ({ port, close: async () => undefined }) }

/** A manager with a pool of `size` over a FakeNetHost, started as the daemon starts it (cleanupStale). */
async function setup(t: { after(fn: () => Promise<void>): void }, size = 1, logger: Logger = silentLogger, quietMs = 60_000) {
  const { dir, m, hooks, host, records, events } = await networkFixture(t, {
    resolvConf: 'nameserver 10.0.0.53\n', logger, ports, sandboxPool: { size, startDelayMs: 60_000, refill: { quietMs, maxMs: 60_000 } },
  })
  await hooks.cleanupStale()
  t.after(() => m.close())
  let n = 0
  /** Creates and starts a container (as the lifecycle does: hooks, then running, then the start event). */
  const start = async (name: string, hostConfig: Record<string, unknown> = {}, extra: Partial<ContainerRecord['spec']> = {}) => {
    const c = container(String(++n).repeat(64).slice(0, 64), name, dir, hostConfig, extra)
    records.set(c.id, c)
    await hooks.onCreate(c)
    const started = await hooks.onStart(c)
    c.state.running = true
    events.publish('container', 'start', c.id)
    return { c, started }
  }
  const bridge = (): NetworkRecord => m.store.byName('bridge')!
  return { dir, m, hooks, host, events, start, bridge }
}

const pooledPaths = (host: FakeNetHost, dir: string): string[] =>
  [...host.netns].filter((p) => p.startsWith(join(dir, 'exec', 'netns')) && [...host.veths.values()].some((v) => v.netnsPath === p && host.down.has(v.hostName)))

test('nextVeths() predicts the addresses assignAddresses() hands out next, in order', () => {
  const net: NetworkRecord = {
    id: 'n', name: 'bridge', driver: 'bridge', scope: 'local', created: '', internal: false, attachable: false, enableIPv6: false,
    labels: {}, options: {}, ipamDriver: 'default', ipamOptions: {}, ipam: [{ subnet: '10.9.0.0/29', gateway: '10.9.0.1' }],
    bridgeName: 'bt0', predefined: true, endpoints: {},
  }
  const ep = (id: string): EndpointRecord => ({ containerId: id, containerName: id, endpointId: id, ipv4: '', prefixLen: 0, gateway: '', mac: '', aliases: [], links: [] })
  // Six host addresses (.1 the gateway): the prediction wraps past released ones as IPAM does.
  for (let i = 0; i < 9; i++) {
    const predicted = nextVeths(net, 2)
    const e = ep(`c${i}`)
    net.endpoints[e.containerId] = e
    assignAddresses(net, e)
    assert.deepEqual(predicted[0], { bridge: 'bt0', ifName: 'eth0', addressCidr: `${e.ipv4}/29`, mac: e.mac, gateway: '10.9.0.1' })
    if (i % 2 === 1) delete net.endpoints[`c${i - 1}`]
  }
  assert.deepEqual(nextVeths({ ...net, ipam6: { subnet: 'fd00::/64', gateway: 'fd00::1' } }, 1), [], 'IPv6 networks are not pooled')
  assert.deepEqual(nextVeths({ ...net, internal: true }, 1), [], 'internal networks are not pooled')
  assert.deepEqual(nextVeths(undefined, 1), [])
})

test('poolKey() is undefined for veths the pool never makes', () => {
  const v = { bridge: 'b', ifName: 'eth0', addressCidr: '10.0.0.2/24', mac: '02:42:0a:00:00:02', gateway: '10.0.0.1' }
  assert.equal(poolKey(v), 'b eth0 10.0.0.2/24 02:42:0a:00:00:02 10.0.0.1')
  assert.equal(poolKey({ ...v, address6Cidr: 'fd00::2/64' }), undefined)
  assert.equal(poolKey({ ...v, mtu: 1400 }), undefined)
  assert.equal(poolKey({ ...v, gateway: undefined }), undefined)
})

test('SandboxPool: a default-bridge start takes the sandbox made ahead; the network shows nothing of the pool', async (t) => {
  const { dir, m, host, start, bridge } = await setup(t)
  await m.pool.fill()
  const [ahead] = pooledPaths(host, dir)
  assert.ok(ahead, 'one sandbox is made ahead')
  const aheadVeth = [...host.veths.values()].find((v) => v.netnsPath === ahead)!
  assert.deepEqual({ ...aheadVeth, hostName: '', netnsPath: '' }, {
    hostName: '', netnsPath: '', bridge: 'bt0', ifName: 'eth0', addressCidr: '10.200.0.2/24', mac: '02:42:0a:c8:00:02', gateway: '10.200.0.1', hostDown: true,
  })
  assert.match(aheadVeth.hostName, /^btv[0-9a-f]{12}$/)
  assert.deepEqual(bridge().endpoints, {}, 'the pool holds no endpoint')
  assert.equal(bridge().lastAddress, undefined, 'nor moves the IPAM cursor')

  const made = host.calls.filter((c) => c.op === 'createNetns').length
  const { c, started } = await start('web')
  assert.deepEqual(started, { networkNamespacePath: ahead })
  assert.equal(host.calls.filter((x) => x.op === 'createNetns').length, made, 'the start made no namespace')
  assert.deepEqual(host.calls.filter((x) => x.op === 'setLinkUp'), [{ op: 'setLinkUp', args: [aheadVeth.hostName] }])
  assert.ok(!host.down.has(aheadVeth.hostName))
  assert.equal(bridge().endpoints[c.id]?.ipv4, '10.200.0.2')
  assert.equal(bridge().endpoints[c.id]?.mac, '02:42:0a:c8:00:02')
  assert.deepEqual(m.store.sandboxes.get(c.id)?.interfaces, { [bridge().id]: { ifName: 'eth0', hostVeth: aheadVeth.hostName } })
  assert.equal(m.store.sandboxes.get(c.id)?.netnsPath, ahead)
  assert.equal((await m.containerView(c.id, c)).sandboxKey, ahead)
})

test('SandboxPool: a start while the pool is empty gets the next address its own way; the next fill predicts the one after', async (t) => {
  const { dir, m, host, start, bridge } = await setup(t)
  await m.pool.fill()
  const first = await start('one')
  const second = await start('two')
  assert.equal(bridge().endpoints[first.c.id]?.ipv4, '10.200.0.2')
  assert.equal(bridge().endpoints[second.c.id]?.ipv4, '10.200.0.3', 'never the address of a sandbox taken before')
  assert.deepEqual(second.started, { networkNamespacePath: join(dir, 'exec', 'netns', second.c.id) })
  await m.pool.fill()
  const [ahead] = pooledPaths(host, dir)
  assert.equal([...host.veths.values()].find((v) => v.netnsPath === ahead)?.addressCidr, '10.200.0.4/24')
  assert.deepEqual(Object.values(bridge().endpoints).map((e) => e.ipv4), ['10.200.0.2', '10.200.0.3'])
})

test('SandboxPool: an address IPAM gives outside the pool drops the stale sandbox; unusual starts never take one', async (t) => {
  const { dir, m, host, start, bridge } = await setup(t)
  await m.create({ name: 'app' })
  await m.pool.fill()
  const [stale] = pooledPaths(host, dir)
  // Two networks: the default bridge address comes from IPAM, the pooled sandbox is not taken.
  const both = await start('both', {}, { endpointsConfig: { app: {} } })
  assert.notEqual(both.started?.networkNamespacePath, stale)
  assert.equal(bridge().endpoints[both.c.id]?.ipv4, '10.200.0.2')
  assert.ok(host.netns.has(stale!), 'the sandbox is down: kept until the next fill')
  await m.pool.fill()
  assert.ok(!host.netns.has(stale!), 'dropped once it no longer matches')
  const [fresh] = pooledPaths(host, dir)
  assert.equal([...host.veths.values()].find((v) => v.netnsPath === fresh)?.addressCidr, '10.200.0.3/24')
  // --mac-address asks for another MAC: its own sandbox, and the pooled one stays for the next start.
  const mac = await start('mac', {}, { endpointsConfig: { bridge: { macAddress: '02:00:00:00:00:01' } } })
  assert.equal(mac.started?.networkNamespacePath, join(dir, 'exec', 'netns', mac.c.id))
  assert.equal(bridge().endpoints[mac.c.id]?.ipv4, '10.200.0.3')
  await m.pool.fill()
  const [next] = pooledPaths(host, dir)
  const plain = await start('plain')
  assert.equal(bridge().endpoints[plain.c.id]?.ipv4, '10.200.0.4')
  assert.deepEqual(plain.started, { networkNamespacePath: next }, 'the next plain start took the sandbox made for it')
  // --network none/host never touch it.
  await m.pool.fill()
  const before = pooledPaths(host, dir)
  await start('isolated', { networkMode: 'none' })
  await start('hostnet', { networkMode: 'host' })
  assert.deepEqual(pooledPaths(host, dir), before)
})

test('SandboxPool: a stopped container gives back the sandbox with its address; close() deletes what is pooled', async (t) => {
  const { dir, m, hooks, host, start, bridge } = await setup(t)
  await m.pool.fill()
  const { c, started } = await start('web')
  await hooks.onStop(c)
  assert.ok(!host.netns.has(started!.networkNamespacePath!))
  assert.equal(bridge().endpoints[c.id]?.ipv4, '')
  await m.pool.fill()
  assert.equal(pooledPaths(host, dir).length, 1)
  await m.close()
  assert.equal(host.netns.size, 0, 'no namespace left')
  assert.equal(host.veths.size, 0, 'no veth left')
  assert.deepEqual(Object.values(bridge().endpoints).map((e) => e.ipv4), [''])
  await m.pool.fill()
  assert.equal(host.netns.size, 0, 'no fill after close')
})

test('SandboxPool: a namespace that cannot be made turns the pool off; starts make their own', async (t) => {
  const warnings: string[] = []
  const logger: Logger = { ...silentLogger, warn: (msg: string) => void warnings.push(msg) }
  const { dir, m, host, start } = await setup(t, 1, logger)
  host.failNext = 'createNetns'
  await m.pool.fill()
  assert.deepEqual(warnings, ['cannot make a network sandbox ahead: sandbox pool off'])
  assert.equal(host.netns.size, 0)
  const { c, started } = await start('web')
  assert.deepEqual(started, { networkNamespacePath: join(dir, 'exec', 'netns', c.id) })
  await m.pool.fill()
  assert.equal(pooledPaths(host, dir).length, 0)
})

test('SandboxPool: a start waits for the sandbox being made for its address; size 2 keeps the next two', async (t) => {
  const { dir, m, host, start, bridge } = await setup(t, 2)
  const filling = m.pool.fill()
  const { c, started } = await start('web')
  await filling
  assert.equal(bridge().endpoints[c.id]?.ipv4, '10.200.0.2')
  assert.notEqual(started?.networkNamespacePath, join(dir, 'exec', 'netns', c.id), 'took the sandbox being made')
  await m.pool.fill()
  assert.deepEqual(pooledPaths(host, dir).map((p) => [...host.veths.values()].find((v) => v.netnsPath === p)?.addressCidr).sort(), ['10.200.0.3/24', '10.200.0.4/24'])
})

test('SandboxPool fills again once the start that took a sandbox finished and containers are quiet', async (t) => {
  const { dir, m, host, start } = await setup(t, 1, silentLogger, 5)
  await m.pool.fill()
  await start('web')
  assert.equal(pooledPaths(host, dir).length, 0)
  for (let i = 0; i < 200 && pooledPaths(host, dir).length === 0; i++) await new Promise((r) => setTimeout(r, 10))
  assert.equal(pooledPaths(host, dir).length, 1)
})

test('SandboxPool fills again after network connect hands a predicted address to a running container', async (t) => {
  const { dir, m, hooks, host, start, bridge } = await setup(t, 1, silentLogger, 5)
  await m.create({ name: 'app' })
  await m.pool.fill()
  const [stale] = pooledPaths(host, dir)
  const { c } = await start('web', { networkMode: 'app' })
  await hooks.connect('bridge', c.id)
  assert.equal(bridge().endpoints[c.id]?.ipv4, '10.200.0.2')
  for (let i = 0; i < 200 && host.netns.has(stale!); i++) await new Promise((r) => setTimeout(r, 10))
  assert.ok(!host.netns.has(stale!), 'the sandbox made for 10.200.0.2 is dropped')
  for (let i = 0; i < 200 && pooledPaths(host, dir).length === 0; i++) await new Promise((r) => setTimeout(r, 10))
  assert.deepEqual(pooledPaths(host, dir).map((p) => [...host.veths.values()].find((v) => v.netnsPath === p)?.addressCidr), ['10.200.0.3/24'])
})

test('SandboxPool fills at the next container create when the quiet time has not passed yet', async (t) => {
  const { dir, m, host, events, start } = await setup(t)
  await m.pool.fill()
  await start('web')
  assert.equal(pooledPaths(host, dir).length, 0)
  events.publish('container', 'create', 'f'.repeat(64))
  for (let i = 0; i < 200 && pooledPaths(host, dir).length === 0; i++) await new Promise((r) => setTimeout(r, 10))
  assert.equal(pooledPaths(host, dir).length, 1)
})

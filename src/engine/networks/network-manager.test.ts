import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError } from '../../common/index.js'
import type { ContainerRecord } from '../containers/index.js'
import { FakePorts, container, networkFixture } from './testing/fixtures.js'

/** A manager over a FakeNetHost (testing/fixtures.ts), its port holder a FakePorts the tests look into. */
async function setup(t: { after(fn: () => Promise<void>): void }, root?: string) {
  const ports = new FakePorts()
  return { ...(await networkFixture(t, { ...(root ? { root } : {}), ports })), ports }
}

test('NetworkManager.init() makes bridge, host and none, and the default bridge from --bip', async (t) => {
  const { m, host } = await setup(t)
  const nets = await m.list()
  assert.deepEqual(nets.map((n) => n.name).sort(), ['bridge', 'host', 'none'])
  assert.deepEqual(nets.find((n) => n.name === 'bridge')?.ipam, [{ subnet: '10.200.0.0/24', gateway: '10.200.0.1' }])
  assert.equal(host.links.get('bt0')?.address, '10.200.0.1/24')
  assert.deepEqual(host.firewall?.bridges, [{ name: 'bt0', subnet: '10.200.0.0/24', gateway: '10.200.0.1', internal: false }])
})

test('NetworkManager.create() picks a free pool subnet, refuses duplicates and predefined removal', async (t) => {
  const { m, host, events } = await setup(t)
  const seen: string[] = []
  events.subscribe((e) => seen.push(`${e.type}:${e.action}`))
  const { id } = await m.create({ name: 'app' })
  const app = await m.inspect('app')
  assert.equal(app.id, id)
  assert.deepEqual(app.ipam, [{ subnet: '10.201.0.0/24', gateway: '10.201.0.1' }])
  assert.equal(app.bridgeName, `bt-${id.slice(0, 12)}`)
  assert.ok(host.links.has(app.bridgeName!))
  await assert.rejects(m.create({ name: 'app' }), /network with name app already exists/)
  await assert.rejects(m.create({ name: 'x', ipam: { config: [{ subnet: '10.201.0.0/16' }] } }), /overlaps/)
  await assert.rejects(m.remove('bridge'), /bridge is a pre-defined network and cannot be removed/)
  await assert.rejects(m.create({ name: 'v6x', ipam: { config: [{ subnet: 'fd00:9::/64' }] } }), /IPv6 is not enabled/)
  await m.remove(id.slice(0, 6))
  assert.ok(!host.links.has(app.bridgeName!))
  await assert.rejects(m.inspect('app'), /network app not found/)
  assert.deepEqual(seen, ['network:create', 'network:destroy'])
})

test('ContainerNetworking start/stop/remove: namespace, veth, ports, DNS names, and nothing left after', async (t) => {
  const { m, hooks, host, ports, records, dir } = await setup(t)
  await m.create({ name: 'app' })
  const web = container('a'.repeat(64), 'web', dir, { networkMode: 'app', raw: { PortBindings: { '80/tcp': [{ HostPort: '8080' }] } } }, {
    endpointsConfig: { app: { aliases: ['www'] } },
  })
  records.set(web.id, web)
  await hooks.onCreate(web)
  const app = await m.inspect('app')
  assert.equal(app.endpoints[web.id]?.ipv4, '', 'a created container holds no address')
  assert.deepEqual(app.endpoints[web.id]?.aliases, ['www'])
  const started = await hooks.onStart(web)
  assert.equal((await m.inspect('app')).endpoints[web.id]?.ipv4, '10.201.0.2')
  const netns = join(dir, 'exec', 'netns', web.id)
  assert.deepEqual(started, { networkNamespacePath: netns })
  assert.ok(host.netns.has(netns))
  const veth = [...host.veths.values()][0]!
  assert.equal(veth.ifName, 'eth0')
  assert.equal(veth.addressCidr, '10.201.0.2/24')
  assert.equal(veth.gateway, '10.201.0.1')
  assert.ok(veth.hostName.length <= 15 && veth.hostName.startsWith('btv'))
  assert.deepEqual(host.dnsRedirects.get(netns), { resolverIp: '10.201.0.1', containerIp: '10.201.0.2' })
  assert.equal(host.sysctls.get('net.ipv4.ip_forward'), '1')
  assert.deepEqual(host.firewall?.publish, [{ proto: 'tcp', hostIp: '', hostPort: 8080, containerIp: '10.201.0.2', containerPort: 80 }])
  assert.ok(ports.taken.has('tcp//8080'))
  assert.deepEqual(m.lookupName(app.id, '10.201.0.9', 'www'), { ipv4: ['10.201.0.2'], ipv6: [] })
  assert.deepEqual(m.lookupName(app.id, '10.201.0.9', 'WEB'), { ipv4: ['10.201.0.2'], ipv6: [] })
  assert.equal(m.lookupName(app.id, '10.201.0.9', 'nothere'), undefined)
  const resolv = await readFile(web.resolvConfPath, 'utf8')
  assert.equal(resolv, 'nameserver 127.0.0.11\nsearch corp.test\noptions ndots:0\n')
  assert.match(await readFile(web.hostsPath, 'utf8'), /\n10\.201\.0\.2\taaaaaaaaaaaa\n$/)

  // A second container cannot take the same host port; its start leaves nothing behind.
  const clash = container('b'.repeat(64), 'clash', dir, { raw: { PortBindings: { '80/tcp': [{ HostPort: '8080' }] } } })
  records.set(clash.id, clash)
  await hooks.onCreate(clash)
  await assert.rejects(hooks.onStart(clash), /failed to bind host port for 0\.0\.0\.0:8080:10\.200\.0\.2:80\/tcp: address already in use/)
  assert.ok(!host.netns.has(join(dir, 'exec', 'netns', clash.id)))
  assert.equal(m.store.sandboxes.has(clash.id), false)
  assert.equal((await m.inspect('bridge')).endpoints[clash.id]?.ipv4, '', 'a failed start gives its address back')

  await hooks.onStop(web)
  assert.equal((await m.inspect('app')).endpoints[web.id]?.ipv4, '', 'a stopped container holds no address')
  assert.equal(host.netns.size, 0)
  assert.equal(host.veths.size, 0)
  assert.deepEqual(host.firewall?.publish, [])
  assert.equal(ports.taken.size, 0)
  assert.equal(m.lookupName(app.id, '10.201.0.9', 'web'), undefined, 'stopped containers are not resolved')
  await hooks.onRemove(web)
  await hooks.onRemove(clash)
  assert.deepEqual((await m.inspect('app')).endpoints, {})
  await m.remove('app')
})

test('--ipv6 networks give endpoints an IPv6 address and route, and the bridge its gateway', async (t) => {
  const { m, hooks, host, records, dir } = await setup(t)
  await m.create({ name: 'six', enableIPv6: true, ipam: { config: [{ subnet: 'fd00:77::/64' }] } })
  const six = await m.inspect('six')
  assert.deepEqual(six.ipam6, { subnet: 'fd00:77::/64', gateway: 'fd00:77::1' })
  const c = container('7'.repeat(64), 'v6c', dir, { networkMode: 'six' })
  records.set(c.id, c)
  await hooks.onCreate(c)
  await hooks.onStart(c)
  const veth = [...host.veths.values()][0]!
  assert.equal(veth.address6Cidr, 'fd00:77::2/64')
  assert.equal(veth.gateway6, 'fd00:77::1')
  assert.deepEqual(m.lookupName(six.id, '10.201.0.9', 'v6c'), { ipv4: ['10.201.0.2'], ipv6: ['fd00:77::2'] })
  assert.equal(host.firewall?.bridges.find((b) => b.subnet6)?.subnet6, 'fd00:77::/64')
  await hooks.onStop(c)
  await hooks.onRemove(c)
})

test('addresses are not reused at once, also after a restart of the manager', async (t) => {
  const first = await setup(t)
  const c1 = container('c'.repeat(64), 'c1', first.dir)
  first.records.set(c1.id, c1)
  await first.hooks.onCreate(c1)
  await first.hooks.onStart(c1)
  assert.equal((await first.m.inspect('bridge')).endpoints[c1.id]?.ipv4, '10.200.0.2')
  await first.hooks.onStop(c1)
  await first.hooks.onRemove(c1)
  const second = await setup(t, first.dir)
  const c2 = container('d'.repeat(64), 'c2', first.dir)
  second.records.set(c2.id, c2)
  await second.hooks.onCreate(c2)
  await second.hooks.onStart(c2)
  assert.equal((await second.m.inspect('bridge')).endpoints[c2.id]?.ipv4, '10.200.0.3')
  await second.hooks.onStop(c2)
})

test('addresses are held from start to stop only: created containers never fill a subnet; --ip is taken at start', async (t) => {
  const { m, hooks, records, dir } = await setup(t)
  await m.create({ name: 'tiny', ipam: { config: [{ subnet: '10.202.0.0/29' }] } })
  const made: ContainerRecord[] = []
  for (let i = 0; i < 8; i++) {
    const c = container(`${i}`.repeat(64), `t${i}`, dir, { networkMode: 'tiny' })
    records.set(c.id, c)
    await hooks.onCreate(c)
    made.push(c)
  }
  // A /29 has 5 addresses besides the gateway: 8 created containers fit, 5 run at once.
  for (const c of made.slice(0, 5)) {
    await hooks.onStart(c)
    c.state.running = true
  }
  await assert.rejects(hooks.onStart(made[5]!), (e: unknown) => e instanceof EngineError && e.kind === 'Unavailable' && /no available IPv4 addresses/.test(e.message))
  await hooks.onStop(made[0]!)
  made[0]!.state.running = false
  await hooks.onStart(made[5]!)
  assert.match((await m.inspect('tiny')).endpoints[made[5]!.id]!.ipv4, /^10\.202\.0\.[2-6]$/)

  // --ip is checked against the subnet at create; whether it is free, at start.
  const outside = container('a1'.repeat(32), 'outside', dir, { networkMode: 'tiny' }, { endpointsConfig: { tiny: { ipv4Address: '10.9.9.9' } } })
  await assert.rejects(hooks.onCreate(outside), /no configured subnet contains IP address 10\.9\.9\.9/)
  const taken = (await m.inspect('tiny')).endpoints[made[1]!.id]!.ipv4
  const fixed = container('b1'.repeat(32), 'fixed', dir, { networkMode: 'tiny' }, { endpointsConfig: { tiny: { ipv4Address: taken } } })
  records.set(fixed.id, fixed)
  await hooks.onCreate(fixed)
  await assert.rejects(hooks.onStart(fixed), (e: unknown) => e instanceof EngineError && e.kind === 'Forbidden' && e.message === 'Address already in use')
  await hooks.onStop(made[1]!)
  await hooks.onStart(fixed)
  assert.equal((await m.inspect('tiny')).endpoints[fixed.id]?.ipv4, taken)
  assert.equal((await m.inspect('tiny')).endpoints[fixed.id]?.fixedIpv4, taken)
  await hooks.onStop(fixed)
  assert.equal((await m.inspect('tiny')).endpoints[fixed.id]?.ipv4, '')
  assert.equal((await m.inspect('tiny')).endpoints[fixed.id]?.fixedIpv4, taken, 'the request stays for the next start')
})

test('none leaves the namespace to the runtime; container: joins the running target; unknown networks fail create', async (t) => {
  const { m, hooks, host, records, dir } = await setup(t)
  const none = container('e'.repeat(64), 'n', dir, { networkMode: 'none' })
  records.set(none.id, none)
  await hooks.onCreate(none)
  assert.equal(await hooks.onStart(none), undefined)
  assert.equal(host.netns.size, 0)
  assert.equal(host.veths.size, 0)
  none.state.running = true
  none.state.pid = 4242
  assert.equal((await m.containerView(none.id, none)).sandboxKey, '/proc/4242/ns/net')
  const joiner = container('f'.repeat(64), 'j', dir, { networkMode: 'container:n' })
  records.set(joiner.id, joiner)
  await hooks.onCreate(joiner)
  assert.deepEqual(await hooks.onStart(joiner), { networkNamespacePath: '/proc/4242/ns/net' })
  joiner.state.running = true
  const second = container('8'.repeat(64), 'j2', dir, { networkMode: 'container:j' })
  records.set(second.id, second)
  await hooks.onCreate(second)
  assert.deepEqual(await hooks.onStart(second), { networkNamespacePath: '/proc/4242/ns/net' })
  const bad = container('9'.repeat(64), 'bad', dir, { networkMode: 'nosuchnet' })
  await assert.rejects(hooks.onCreate(bad), /network nosuchnet not found/)
})

test('container: mode is not checked at create; at start a missing, own or stopped target fails with dockerd\'s errors', async (t) => {
  const { hooks, records, dir } = await setup(t)
  const joiner = container('f'.repeat(64), 'j', dir, { networkMode: 'container:later' })
  records.set(joiner.id, joiner)
  await hooks.onCreate(joiner)
  const isError = (kind: string, message: string) => (e: unknown) => e instanceof EngineError && e.kind === kind && e.message === message
  await assert.rejects(hooks.onStart(joiner), isError('Internal', 'joining network namespace of container: No such container: later'))
  const self = container('7'.repeat(64), 'self', dir, { networkMode: 'container:self' })
  records.set(self.id, self)
  await hooks.onCreate(self)
  await assert.rejects(hooks.onStart(self), isError('Internal', 'cannot join own network namespace'))
  const later = container('6'.repeat(64), 'later', dir)
  records.set(later.id, later)
  await hooks.onCreate(later)
  await assert.rejects(hooks.onStart(joiner), isError('Conflict', 'cannot join network namespace of a non running container: container later is created'))
})

test('containerViews() gives what containerView() gives for each container, sharing one copy per network', async (t) => {
  const { m, hooks, records, dir } = await setup(t)
  const a = container('a'.repeat(64), 'a', dir)
  const b = container('b'.repeat(64), 'b', dir)
  for (const c of [a, b]) {
    records.set(c.id, c)
    await hooks.onCreate(c)
  }
  const views = await m.containerViews([a, b])
  assert.deepEqual(views, [await m.containerView(a.id, a), await m.containerView(b.id, b)])
  assert.equal(views[0]!.endpoints[0]!.network, views[1]!.endpoints[0]!.network)
  assert.deepEqual(views[0]!.endpoints[0]!.network.endpoints, {})
})

test('ContainerNetworking.cleanupStale() drops the endpoints of containers that no longer exist', async (t) => {
  const { m, hooks, records, dir } = await setup(t)
  await m.create({ name: 'app' })
  const kept = container('c'.repeat(64), 'kept', dir, { networkMode: 'app' })
  const gone = container('d'.repeat(64), 'gone', dir, { networkMode: 'app' })
  for (const c of [kept, gone]) {
    records.set(c.id, c)
    await hooks.onCreate(c)
  }
  // Removed while its endpoint's removal was not yet on disk: the record comes back with it.
  records.delete(gone.id)
  await hooks.cleanupStale()
  assert.deepEqual(Object.keys((await m.inspect('app')).endpoints), [kept.id])
  const onDisk = JSON.parse(await readFile(join(dir, 'data', 'networks', `${(await m.inspect('app')).id}.json`), 'utf8')) as { endpoints: object }
  assert.deepEqual(Object.keys(onDisk.endpoints), [kept.id])
})

test('ContainerNetworking.cleanupStale() gives back addresses still held by containers that do not run', async (t) => {
  const first = await setup(t)
  await first.m.create({ name: 'app' })
  const idle = container('c'.repeat(64), 'idle', first.dir, { networkMode: 'app' })
  const live = container('d'.repeat(64), 'live', first.dir, { networkMode: 'app' })
  for (const c of [idle, live]) {
    first.records.set(c.id, c)
    await first.hooks.onCreate(c)
    await first.hooks.onStart(c)
  }
  // berthd went down: idle stopped meanwhile (or was saved by a berth that kept addresses of created containers).
  const second = await setup(t, first.dir)
  idle.state.running = false
  live.state.running = true
  for (const c of [idle, live]) second.records.set(c.id, c)
  await second.hooks.onRestore(live)
  await second.hooks.cleanupStale()
  const app = await second.m.inspect('app')
  assert.equal(app.endpoints[idle.id]?.ipv4, '')
  assert.equal(app.endpoints[live.id]?.ipv4, '10.201.0.3')
  await second.hooks.onStop(live)
})

test('NetworkManager.addEndpoint() saves the network durably, except for a --rm container', async (t) => {
  const { m, hooks, records, dir } = await setup(t)
  const saves: Array<{ endpoints: string[]; durable: boolean | undefined }> = []
  const save = m.store.save.bind(m.store)
  m.store.save = async (record, opts) => {
    saves.push({ endpoints: Object.keys(record.endpoints), durable: opts?.durable })
    await save(record, opts)
  }
  const kept = container('e'.repeat(64), 'kept', dir, { networkMode: 'bridge' })
  const removed = container('f'.repeat(64), 'removed', dir, { networkMode: 'bridge', autoRemove: true })
  for (const c of [kept, removed]) {
    records.set(c.id, c)
    await hooks.onCreate(c)
  }
  assert.deepEqual(saves, [{ endpoints: [kept.id], durable: true }, { endpoints: [kept.id, removed.id], durable: false }])
  const bridge = await m.inspect('bridge')
  const onDisk = JSON.parse(await readFile(join(dir, 'data', 'networks', `${bridge.id}.json`), 'utf8')) as { endpoints: object }
  assert.deepEqual(Object.keys(onDisk.endpoints), [kept.id, removed.id])
})

test('viewRevision() changes with every change of a container\'s network view and only then', async (t) => {
  const { m, hooks, records, dir } = await setup(t)
  const web = container('c'.repeat(64), 'web', dir, { raw: { PortBindings: { '80/tcp': [{ HostPort: '8081' }] } } })
  records.set(web.id, web)
  const seen = [m.viewRevision(web.id)]
  const changed = (what: string): void => {
    const now = m.viewRevision(web.id)
    assert.ok(!seen.includes(now), `${what}: a revision not handed out before`)
    seen.push(now)
  }
  await hooks.onCreate(web)
  changed('endpoint on the default bridge')
  assert.equal(m.viewRevision(web.id), seen.at(-1), 'unchanged while nothing changes')
  await m.containerViews([web])
  assert.equal(m.viewRevision(web.id), seen.at(-1), 'reading views changes nothing')
  await m.create({ name: 'side' })
  changed('another network created')
  await hooks.onStart(web)
  changed('start (sandbox and published port)')
  await m.connect('side', web.id)
  changed('connect')
  await m.disconnect('side', web.id)
  changed('disconnect')
  await hooks.onStop(web)
  changed('stop (sandbox gone)')
  await hooks.onRemove(web)
  changed('remove')
})

test('viewRevision() of other containers stays when one container takes or gives back its addresses', async (t) => {
  const { m, hooks, records, dir } = await setup(t)
  const idle = container('c'.repeat(64), 'idle', dir)
  const busy = container('d'.repeat(64), 'busy', dir)
  for (const c of [idle, busy]) {
    records.set(c.id, c)
    await hooks.onCreate(c)
  }
  const before = m.viewRevision(idle.id)
  const busyBefore = m.viewRevision(busy.id)
  await hooks.onStart(busy)
  assert.notEqual(m.viewRevision(busy.id), busyBefore)
  const busyRunning = m.viewRevision(busy.id)
  await hooks.onStop(busy)
  assert.notEqual(m.viewRevision(busy.id), busyRunning)
  assert.equal(m.viewRevision(idle.id), before)
  assert.equal((await m.containerView(busy.id, busy)).endpoints[0]?.endpoint.ipv4, '')
})

import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, readlinkSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import { IpNetHost, vethBatches } from './ip-net-host.js'

test('vethBatches() makes the veth from inside the namespace with its peer in the host namespace', () => {
  const { inner, host } = vethBatches({
    hostName: 'bv1234', bridge: 'br0', netnsPath: '/run/x', ifName: 'eth1', addressCidr: '172.18.0.2/16', mac: '02:42:ac:12:00:02',
    gateway: '172.18.0.1', address6Cidr: 'fd00::2/64', gateway6: 'fd00::1',
  }, 4242)
  assert.deepEqual(inner, [
    'link add name eth1 type veth peer name bv1234 netns 4242',
    'link set eth1 address 02:42:ac:12:00:02',
    'addr add 172.18.0.2/16 dev eth1',
    'link set eth1 up',
    'route replace default via 172.18.0.1 dev eth1',
    'addr add fd00::2/64 dev eth1 nodad',
    'route replace ::/0 via fd00::1 dev eth1',
  ])
  assert.deepEqual(host, ['link set bv1234 master br0 up', 'link set bv1234 type bridge_slave hairpin on'])
  const plain = vethBatches({ hostName: 'bv1', bridge: 'br0', netnsPath: '/run/x', ifName: 'eth0', addressCidr: '10.0.0.2/24', mtu: 1400 }, 1)
  assert.deepEqual(plain.inner, ['link add name eth0 mtu 1400 type veth peer name bv1 mtu 1400 netns 1', 'addr add 10.0.0.2/24 dev eth0', 'link set eth0 up'])
})

const skip = process.getuid?.() !== 0 ? 'needs root' : undefined

/** A namespace path in a temporary dir and a bridge name made of `prefix`; both removed with `t`. */
async function netnsFixture(t: TestContext, prefix: string): Promise<{ net: IpNetHost; tag: string; bridge: string; path: string }> {
  const net = new IpNetHost()
  const tag = Date.now().toString(36).slice(-5)
  const bridge = `${prefix}${tag}`
  const dir = await mkdtemp('/tmp/berth-netns-')
  const path = join(dir, 'ns')
  t.after(async () => {
    await net.deleteNetns(path).catch(() => undefined)
    await net.deleteLink(bridge)
    await rm(dir, { recursive: true, force: true })
  })
  return { net, tag, bridge, path }
}

test('IpNetHost.createNetns() plugs veths in one go; deleteNetns() returns once they are gone', { skip }, async (t) => {
  const { net, tag, bridge, path } = await netnsFixture(t, 'bti')
  const octet = 100 + (Date.now() % 100)
  await net.ensureBridge(bridge, `10.253.${octet}.1/24`)
  const veth = (n: number): Parameters<typeof net.addVeth>[0] => ({
    hostName: `btv${tag}${n}`, bridge, netnsPath: path, ifName: `eth${n}`, addressCidr: `10.253.${octet}.${10 + n}/24`, mac: `02:42:0a:fd:00:0${n}`,
    ...(n === 0 ? { gateway: `10.253.${octet}.1` } : {}),
  })
  const inside = (): Array<{ ifname: string; operstate: string; address: string; addr_info: Array<{ local: string }> }> =>
    JSON.parse(execFileSync('nsenter', [`--net=${path}`, 'ip', '-j', 'addr', 'show'], { encoding: 'utf8' }))
  const masterOf = (link: string): string => basename(readlinkSync(`/sys/class/net/${link}/master`))

  await net.createNetns(path, [veth(0)])
  assert.equal(masterOf(veth(0).hostName), bridge)
  const eth0 = inside().find((i) => i.ifname === 'eth0')
  assert.equal(eth0?.address, '02:42:0a:fd:00:00')
  assert.deepEqual(eth0?.addr_info.map((a) => a.local).filter((a) => a.startsWith('10.')), [`10.253.${octet}.10`])
  assert.ok(inside().some((i) => i.ifname === 'lo' && i.addr_info.length > 0), 'lo is up')
  const route = execFileSync('nsenter', [`--net=${path}`, 'ip', 'route', 'show', 'default'], { encoding: 'utf8' })
  assert.match(route, new RegExp(`default via 10\\.253\\.${octet}\\.1 dev eth0`))

  await net.addVeth(veth(1))
  assert.equal(masterOf(veth(1).hostName), bridge)
  assert.ok(inside().some((i) => i.ifname === 'eth1'))
  // A name already taken on the host: nothing is made, and the existing link is left alone.
  await assert.rejects(net.addVeth({ ...veth(2), hostName: bridge }), /ip -batch failed in the namespace/)
  assert.ok(existsSync(`/sys/class/net/${bridge}`))
  assert.ok(!inside().some((i) => i.ifname === 'eth2'))

  await net.deleteNetns(path, { links: [veth(0).hostName, veth(1).hostName] })
  assert.ok(!existsSync(`/sys/class/net/${veth(0).hostName}`))
  assert.ok(!existsSync(`/sys/class/net/${veth(1).hostName}`))
  assert.ok(!existsSync(path))
})

test('IpNetHost.createNetns() leaves no namespace file when a veth cannot be made', { skip }, async (t) => {
  const { net, bridge, path } = await netnsFixture(t, 'btj')
  await net.ensureBridge(bridge, '10.253.99.1/24')
  await assert.rejects(
    net.createNetns(path, [{ hostName: bridge, bridge, netnsPath: path, ifName: 'eth0', addressCidr: '10.253.99.2/24' }]),
    /ip -batch failed in the namespace: .*File exists/s,
  )
  assert.ok(!existsSync(path))
  assert.ok(existsSync(`/sys/class/net/${bridge}`))
})

test('IpNetHost: a veth made with hostDown is enslaved with hairpin but down; setLinkUp() brings it up as `ip link set up` would', { skip }, async (t) => {
  const { net, tag, bridge, path } = await netnsFixture(t, 'btk')
  await net.ensureBridge(bridge, '10.253.98.1/24')
  const hostName = `btw${tag}0`
  assert.deepEqual(vethBatches({ hostName, bridge, netnsPath: path, ifName: 'eth0', addressCidr: '10.253.98.2/24', hostDown: true }, 1).host,
    [`link set ${hostName} master ${bridge}`, `link set ${hostName} type bridge_slave hairpin on`])
  await net.createNetns(path, [{ hostName, bridge, netnsPath: path, ifName: 'eth0', addressCidr: '10.253.98.2/24', gateway: '10.253.98.1', hostDown: true }])
  const link = (): { flags: string[]; promiscuity: number; master?: string } =>
    JSON.parse(execFileSync('ip', ['-j', '-d', 'link', 'show', hostName], { encoding: 'utf8' }))[0]
  assert.equal(link().master, bridge)
  assert.ok(!link().flags.includes('UP'))
  assert.equal(execFileSync('cat', [`/sys/class/net/${hostName}/brport/hairpin_mode`], { encoding: 'utf8' }).trim(), '1')
  await net.setLinkUp(hostName)
  assert.ok(link().flags.includes('UP'))
  assert.equal(link().promiscuity, 1, 'only the bridge makes it promiscuous')
  await net.deleteNetns(path, { links: [hostName] })
  assert.ok(!existsSync(`/sys/class/net/${hostName}`))
})

test('IpNetHost.ensureBridge() sets the bridge\'s MAC once: ports joining and leaving do not change it', { skip }, async (t) => {
  const { net, tag, bridge, path } = await netnsFixture(t, 'btm')
  await net.ensureBridge(bridge, '10.253.97.1/24')
  const mac = (): string => execFileSync('cat', [`/sys/class/net/${bridge}/address`], { encoding: 'utf8' }).trim()
  const before = mac()
  assert.equal(execFileSync('cat', [`/sys/class/net/${bridge}/addr_assign_type`], { encoding: 'utf8' }).trim(), '3')
  // A port with a lower MAC than any random one would otherwise become the bridge's.
  const hostName = `btm${tag}0`
  await net.createNetns(path, [{ hostName, bridge, netnsPath: path, ifName: 'eth0', addressCidr: '10.253.97.2/24' }])
  execFileSync('ip', ['link', 'set', 'dev', hostName, 'address', '02:00:00:00:00:01'])
  assert.equal(mac(), before)
  await net.deleteNetns(path, { links: [hostName] })
  assert.equal(mac(), before)
  await net.ensureBridge(bridge, '10.253.97.1/24')
  assert.equal(mac(), before, 'ensureBridge() of an existing bridge keeps its MAC')
})

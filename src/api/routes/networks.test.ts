import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '../../common/index.js'
import { ContainerNetworking, NetworkManager } from '../../engine/networks/index.js'
import { FakeNetHost } from '../../sys/net/index.js'
import { createFakeEngine } from '../testing/fake-engine.js'
import { startTestServer } from '../testing/http-harness.js'
import type { NetworkWire } from '../types/index.js'

async function serverWithNetworks(t: { after(fn: () => Promise<void>): void }) {
  const dir = await mkdtemp(join(tmpdir(), 'berth-api-net-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const engine = createFakeEngine()
  const networks = new NetworkManager({
    dataRoot: join(dir, 'data'), execRoot: join(dir, 'exec'), host: new FakeNetHost(),
    ports: { hold: async (_p, _ip, port) => ({ port, close: async () => undefined }) },
    udp: { listen: async () => ({ close: async () => undefined }), query: async () => undefined },
    events: engine.events, logger: silentLogger, containers: () => engine.containers, prefix: 'bt',
    defaultBridge: { name: 'bt0', bip: '10.200.0.1/24' }, pools: [{ base: '10.201.0.0/16', size: 24 }], upstreams: () => [],
  })
  new ContainerNetworking(networks, { hostResolvConfPath: '/nonexistent' })
  await networks.init()
  engine.networks = networks
  const srv = await startTestServer({ engine })
  t.after(() => srv.close())
  return srv
}

test('POST /networks/create, GET /networks and /networks/{id} in Docker\'s shape, DELETE, prune', async (t) => {
  const srv = await serverWithNetworks(t)
  const created = await srv.request('POST', '/v1.50/networks/create', {
    body: { Name: 'app', Driver: 'bridge', Labels: { a: 'b' }, IPAM: { Config: [{ Subnet: '10.250.1.0/24', IPRange: '10.250.1.128/25' }] } },
  })
  assert.equal(created.status, 201)
  const { Id, Warning } = created.json<{ Id: string; Warning: string }>()
  assert.match(Id, /^[0-9a-f]{64}$/)
  assert.equal(Warning, '')
  const dup = await srv.request('POST', '/networks/create', { body: { Name: 'app' } })
  assert.equal(dup.status, 409)

  const one = (await srv.request('GET', '/networks/app')).json<NetworkWire>()
  assert.deepEqual(Object.keys(one), ['Name', 'Id', 'Created', 'Scope', 'Driver', 'EnableIPv4', 'EnableIPv6', 'IPAM', 'Internal', 'Attachable', 'Ingress', 'ConfigFrom', 'ConfigOnly', 'Containers', 'Options', 'Labels'])
  assert.deepEqual(one.IPAM, { Driver: 'default', Options: {}, Config: [{ Subnet: '10.250.1.0/24', IPRange: '10.250.1.128/25', Gateway: '10.250.1.1' }] })
  assert.deepEqual(one.Labels, { a: 'b' })
  assert.deepEqual(one.Containers, {})

  const list = (await srv.request('GET', `/networks?filters=${encodeURIComponent(JSON.stringify({ type: { custom: true } }))}`)).json<NetworkWire[]>()
  assert.deepEqual(list.map((n) => n.Name), ['app'])
  const host = (await srv.request('GET', '/networks/host')).json<NetworkWire>()
  assert.deepEqual(host.IPAM, { Driver: 'default', Options: null, Config: null })

  assert.equal((await srv.request('DELETE', '/networks/bridge')).status, 403)
  assert.equal((await srv.request('GET', '/networks/nothere')).status, 404)
  const pruned = await srv.request('POST', '/networks/prune')
  assert.deepEqual(pruned.json(), { NetworksDeleted: ['app'] })
  assert.equal((await srv.request('DELETE', `/networks/${Id}`)).status, 404)
})

test('POST /networks/{id}/connect needs a container', async (t) => {
  const srv = await serverWithNetworks(t)
  assert.equal((await srv.request('POST', '/networks/bridge/connect', { body: {} })).status, 400)
  assert.equal((await srv.request('POST', '/networks/bridge/connect', { body: { Container: 'nope' } })).status, 404)
})

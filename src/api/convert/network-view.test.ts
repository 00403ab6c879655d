import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ContainerNetworkView, EndpointRecord, NetworkRecord } from '../../engine/networks/index.js'
import { networkSettingsView } from './network-view.js'

const network: NetworkRecord = {
  id: 'n'.repeat(64), name: 'app', driver: 'bridge', scope: 'local', created: '', internal: false, attachable: false, enableIPv6: false,
  labels: {}, options: {}, ipamDriver: 'default', ipamOptions: {}, ipam: [{ subnet: '10.9.0.0/24', gateway: '10.9.0.1' }], predefined: false,
  endpoints: {},
}
const endpoint = (ipv4: string): EndpointRecord => ({
  containerId: 'c'.repeat(64), containerName: 'web', endpointId: 'e'.repeat(64), ipv4, prefixLen: ipv4 ? 24 : 0,
  gateway: ipv4 ? '10.9.0.1' : '', mac: ipv4 ? '02:42:0a:09:00:02' : '', aliases: [], links: [], fixedIpv4: '10.9.0.2',
})
const view = (ipv4: string, sandboxKey: string): ContainerNetworkView => ({ sandboxKey, endpoints: [{ network, endpoint: endpoint(ipv4) }], ports: [], exposed: [] })

test('networkSettingsView() shows a created container no NetworkID or address, a stopped one its NetworkID only, as dockerd', () => {
  const created = networkSettingsView(view('', ''), false, false).Networks['app']!
  assert.deepEqual([created.NetworkID, created.EndpointID, created.IPAddress, created.IPPrefixLen, created.Gateway, created.MacAddress], ['', '', '', 0, '', ''])
  assert.deepEqual(created.IPAMConfig, { IPv4Address: '10.9.0.2' })
  const stopped = networkSettingsView(view('', ''), false, true).Networks['app']!
  assert.deepEqual([stopped.NetworkID, stopped.EndpointID, stopped.IPAddress], [network.id, '', ''])
  const running = networkSettingsView(view('10.9.0.2', '/run/x/netns/c'), true, true).Networks['app']!
  assert.deepEqual([running.NetworkID, running.EndpointID, running.IPAddress, running.IPPrefixLen, running.Gateway], [network.id, 'e'.repeat(64), '10.9.0.2', 24, '10.9.0.1'])
})

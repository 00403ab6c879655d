import { test } from 'node:test'
import assert from 'node:assert/strict'
import { filterNetworks } from './network-filters.js'
import type { NetworkRecord } from './types.js'

const net = (name: string, extra: Partial<NetworkRecord> = {}): NetworkRecord => ({
  id: `${name}0000`, name, driver: 'bridge', scope: 'local', created: '', internal: false, attachable: false, enableIPv6: false,
  labels: {}, options: {}, ipamDriver: 'default', ipamOptions: {}, ipam: [], predefined: false, endpoints: {}, ...extra,
})

test('filterNetworks() matches driver, name, label, type and dangling', () => {
  const all = [net('bridge', { predefined: true }), net('host', { driver: 'host', predefined: true }), net('web', { labels: { tier: 'front' } })]
  const names = (f: Record<string, string[]>): string[] => filterNetworks(all, f).map((n) => n.name)
  assert.deepEqual(names({ driver: ['host'] }), ['host'])
  assert.deepEqual(names({ name: ['we'] }), ['web'])
  assert.deepEqual(names({ label: ['tier=front'] }), ['web'])
  assert.deepEqual(names({ type: ['builtin'] }), ['bridge', 'host'])
  assert.deepEqual(names({ dangling: ['true'] }), ['web'])
  assert.throws(() => names({ colour: ['x'] }), /invalid filter 'colour'/)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { allocateAddress, macForAddress, parseAddressPool, parseCidr, formatCidr, pickSubnet, validateFixedAddress, DEFAULT_POOLS } from './ipam.js'

test('parseCidr() clears host bits and rejects malformed input', () => {
  assert.equal(formatCidr(parseCidr('172.18.0.5/16')), '172.18.0.0/16')
  assert.throws(() => parseCidr('172.18.0.0'), /invalid CIDR/)
  assert.throws(() => parseCidr('300.1.1.1/8'), /invalid IPv4/)
})

test('pickSubnet() takes the first default pool subnet that overlaps nothing in use', () => {
  assert.equal(pickSubnet(DEFAULT_POOLS, []), '172.17.0.0/16')
  assert.equal(pickSubnet(DEFAULT_POOLS, ['172.17.0.0/16', '172.18.5.0/24']), '172.19.0.0/16')
  assert.equal(pickSubnet([parseAddressPool('base=10.210.0.0/16,size=24')], ['10.210.0.0/24', '10.210.1.7/32']), '10.210.2.0/24')
  assert.equal(pickSubnet([{ base: '10.0.0.0/30', size: 30 }], ['10.0.0.0/8']), undefined)
})

test('allocateAddress() skips network, gateway and used addresses and moves on from the cursor', () => {
  const range = { subnet: '10.1.0.0/29', gateway: '10.1.0.1' }
  assert.equal(allocateAddress(range, new Set()), '10.1.0.2')
  assert.equal(allocateAddress(range, new Set(['10.1.0.2'])), '10.1.0.3')
  // A released address is not handed out again before the range wrapped.
  const cursor = parseCidr('10.1.0.3/32').base
  assert.equal(allocateAddress(range, new Set(), cursor), '10.1.0.4')
  assert.equal(allocateAddress(range, new Set(['10.1.0.2', '10.1.0.3', '10.1.0.4', '10.1.0.5']), cursor), '10.1.0.6')
  // Wraps, never gives the broadcast address, undefined when full.
  assert.equal(allocateAddress(range, new Set(['10.1.0.2']), parseCidr('10.1.0.6/32').base), '10.1.0.3')
  assert.equal(allocateAddress(range, new Set(['10.1.0.2', '10.1.0.3', '10.1.0.4', '10.1.0.5', '10.1.0.6'])), undefined)
})

test('allocateAddress() hands out addresses from the ip range only', () => {
  assert.equal(allocateAddress({ subnet: '10.2.0.0/16', gateway: '10.2.0.1', ipRange: '10.2.5.0/24' }, new Set()), '10.2.5.0')
})

test('validateFixedAddress() refuses addresses outside the subnet, the gateway and used ones', () => {
  const range = { subnet: '10.1.0.0/24', gateway: '10.1.0.1' }
  validateFixedAddress(range, '10.1.0.50', new Set())
  assert.throws(() => validateFixedAddress(range, '10.9.0.50', new Set()), /no configured subnet contains IP address 10.9.0.50/)
  assert.throws(() => validateFixedAddress(range, '10.1.0.1', new Set()), /Address already in use/)
  assert.throws(() => validateFixedAddress(range, '10.1.0.50', new Set(['10.1.0.50'])), /Address already in use/)
})

test('macForAddress() is 02:42 and the address bytes, as Docker', () => {
  assert.equal(macForAddress('172.17.0.2'), '02:42:ac:11:00:02')
})

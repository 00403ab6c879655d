import { test } from 'node:test'
import assert from 'node:assert/strict'
import { allocateAddress6, bigIntToIp6, formatCidr6, ip6ToBigInt, parseCidr6, validateFixedAddress6 } from './ipam6.js'

test('ip6ToBigInt() and bigIntToIp6() round-trip in RFC 5952 form', () => {
  for (const text of ['fd00:1:2::1', '::1', '::', '2001:db8::ff00:42:8329', 'fe80::1:0:0:1']) assert.equal(bigIntToIp6(ip6ToBigInt(text)), text)
  assert.equal(bigIntToIp6(ip6ToBigInt('2001:0db8:0000:0000:0000:0000:0000:0001')), '2001:db8::1')
  assert.throws(() => ip6ToBigInt('1::2::3'), /invalid IPv6/)
  assert.equal(formatCidr6(parseCidr6('fd00:1:2::5/64')), 'fd00:1:2::/64')
})

test('allocateAddress6() hands out addresses in order after the cursor, skipping the gateway', () => {
  const range = { subnet: 'fd00:1::/64', gateway: 'fd00:1::1' }
  assert.equal(allocateAddress6(range, new Set()), 'fd00:1::2')
  assert.equal(allocateAddress6(range, new Set(['fd00:1::2'])), 'fd00:1::3')
  assert.equal(allocateAddress6(range, new Set(), 'fd00:1::7'), 'fd00:1::8')
  assert.equal(validateFixedAddress6(range, 'fd00:1:0::50', new Set()), 'fd00:1::50')
  assert.throws(() => validateFixedAddress6(range, 'fd00:2::50', new Set()), /no configured subnet/)
})

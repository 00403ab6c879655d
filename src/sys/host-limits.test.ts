import { test } from 'node:test'
import assert from 'node:assert/strict'
import { capabilitiesFromMask, parseNofileHardLimit } from './host-limits.js'

test('capabilitiesFromMask() names the set bits and leaves out missing ones', () => {
  // this host's mask lacks bit 24 (CAP_SYS_RESOURCE)
  const caps = capabilitiesFromMask('000001fffeffffff')
  assert.ok(caps.includes('CAP_CHOWN'))
  assert.ok(caps.includes('CAP_SYS_ADMIN'))
  assert.ok(!caps.includes('CAP_SYS_RESOURCE'))
  assert.equal(caps.length, 40)
  assert.deepEqual(capabilitiesFromMask('5'), ['CAP_CHOWN', 'CAP_DAC_READ_SEARCH'])
})

test('parseNofileHardLimit() reads the hard column', () => {
  const text = 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\n'
  assert.equal(parseNofileHardLimit(text), 524288)
  assert.equal(parseNofileHardLimit('Max open files  unlimited unlimited files'), Number.MAX_SAFE_INTEGER)
  assert.equal(parseNofileHardLimit(''), undefined)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EngineError } from '../../common/index.js'
import { ALL_CAPABILITIES, capabilitiesFromMask, DEFAULT_CAPABILITIES, tweakCapabilities, validateCapabilities } from './capabilities.js'

test('capabilitiesFromMask() decodes a CapBnd mask without CAP_SYS_RESOURCE', () => {
  const caps = capabilitiesFromMask('000001fffeffffff')
  assert.ok(!caps.includes('CAP_SYS_RESOURCE'))
  assert.equal(caps.length, ALL_CAPABILITIES.length - 1)
  assert.deepEqual(capabilitiesFromMask('0000000000000021'), ['CAP_CHOWN', 'CAP_KILL'])
})

test('tweakCapabilities() follows moby for add, drop and ALL', () => {
  assert.deepEqual(tweakCapabilities({}), DEFAULT_CAPABILITIES)
  assert.deepEqual(tweakCapabilities({ capDrop: ['chown', 'CAP_KILL'] }), DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_CHOWN' && c !== 'CAP_KILL'))
  assert.deepEqual(tweakCapabilities({ capDrop: ['ALL'], capAdd: ['net_admin'] }), ['CAP_NET_ADMIN'])
  assert.deepEqual(tweakCapabilities({ capAdd: ['all'], capDrop: ['SYS_ADMIN'], available: ['CAP_CHOWN', 'CAP_SYS_ADMIN'] }), ['CAP_CHOWN'])
  assert.deepEqual(tweakCapabilities({ capAdd: ['SYS_PTRACE', 'CAP_SYS_PTRACE'] }), [...DEFAULT_CAPABILITIES, 'CAP_SYS_PTRACE'])
})

test('validateCapabilities() rejects unknown names', () => {
  validateCapabilities(['NET_ADMIN', 'all'], ['cap_chown'])
  assert.throws(() => validateCapabilities(['NOPE'], []), (e: unknown) => e instanceof EngineError && e.kind === 'InvalidArgument' && e.message === 'unknown capability: "CAP_NOPE"')
})

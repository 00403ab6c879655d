import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isEngineError } from '../common/index.js'
import { compareApiVersions, negotiateApiVersion, splitVersionPrefix } from './version.js'

test('splitVersionPrefix() separates "/v1.NN" from the route path', () => {
  assert.deepEqual(splitVersionPrefix('/v1.43/containers/json'), { version: '1.43', path: '/containers/json' })
  assert.deepEqual(splitVersionPrefix('/containers/json'), { version: undefined, path: '/containers/json' })
  assert.deepEqual(splitVersionPrefix('/volumes'), { version: undefined, path: '/volumes' })
})

test('compareApiVersions() compares numerically, not as strings', () => {
  assert.equal(compareApiVersions('1.9', '1.24'), -1)
  assert.equal(compareApiVersions('1.50', '1.5'), 1)
  assert.equal(compareApiVersions('1.50', '1.50'), 0)
})

test('negotiateApiVersion() rejects versions outside 1.24..1.50 with moby wording', () => {
  assert.equal(negotiateApiVersion(undefined), '1.50')
  assert.equal(negotiateApiVersion('1.41'), '1.41')
  assert.throws(() => negotiateApiVersion('1.99'), (err: unknown) =>
    isEngineError(err, 'InvalidArgument') && err.message === 'client version 1.99 is too new. Maximum supported API version is 1.50')
  assert.throws(() => negotiateApiVersion('1.12'), (err: unknown) =>
    isEngineError(err, 'InvalidArgument') && err.message === 'client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version')
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { sandboxPoolSize } from './networking.js'

test('sandboxPoolSize() is 1 unless BERTH_SANDBOX_POOL gives a small count (0 turns the pool off)', () => {
  assert.equal(sandboxPoolSize(undefined), 1)
  assert.equal(sandboxPoolSize(''), 1)
  assert.equal(sandboxPoolSize('0'), 0)
  assert.equal(sandboxPoolSize('2'), 2)
  assert.equal(sandboxPoolSize('many'), 1)
  assert.equal(sandboxPoolSize('100'), 1)
})

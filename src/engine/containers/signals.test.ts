import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EngineError } from '../../common/index.js'
import { parseSignal } from './signals.js'

test('parseSignal() accepts names with and without SIG, any case, numbers and RTMIN+n', () => {
  assert.equal(parseSignal('SIGTERM'), 15)
  assert.equal(parseSignal('TERM'), 15)
  assert.equal(parseSignal('kill'), 9)
  assert.equal(parseSignal('sigusr1'), 10)
  assert.equal(parseSignal('9'), 9)
  assert.equal(parseSignal(2), 2)
  assert.equal(parseSignal('RTMIN+3'), 37)
  assert.equal(parseSignal('SIGRTMAX'), 64)
})

test('parseSignal() rejects unknown signals with "Invalid signal: x"', () => {
  for (const bad of ['FOO', '0', '65', '', 'SIG', 'RTMIN+40', -1]) {
    assert.throws(() => parseSignal(bad), (e: unknown) => e instanceof EngineError && e.kind === 'InvalidArgument' && e.message === `Invalid signal: ${bad}`, String(bad))
  }
})

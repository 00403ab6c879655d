import { test } from 'node:test'
import assert from 'node:assert/strict'
import { median } from './ports.mjs'

test('median of an even count is the mean of the two middle values, so a/b and b/a agree', () => {
  const ratios = [1.3, 0.7, 1.05, 0.8, 0.85, 1.2, 0.9, 1.15, 0.95, 1.1]
  assert.equal(median(ratios), 1)
  assert.ok(Math.abs(median(ratios) * median(ratios.map((r) => 1 / r)) - 1) < 0.01)
  assert.equal(median([3, 1, 2]), 2)
  assert.equal(median([]), undefined)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { effectiveHealthcheck, formatDuration, nextHealth, probeArgs, validateHealthcheck, type EffectiveHealthcheck } from './health.js'
import type { HealthState } from './types.js'

const check: EffectiveHealthcheck = { test: ['CMD', 'true'], intervalMs: 1000, timeoutMs: 1000, startPeriodMs: 0, startIntervalMs: 5000, retries: 2 }
const outcome = (exitCode: number) => ({ start: new Date(0), end: new Date(1), exitCode, output: 'x' })

test('effectiveHealthcheck() merges container over image and honours NONE', () => {
  const merged = effectiveHealthcheck({ interval: 2e9 }, { test: ['CMD-SHELL', 'true'], retries: 5 })
  assert.deepEqual(merged, { test: ['CMD-SHELL', 'true'], intervalMs: 2000, timeoutMs: 30000, startPeriodMs: 0, startIntervalMs: 5000, retries: 5 })
  assert.equal(effectiveHealthcheck({ test: ['NONE'] }, { test: ['CMD', 'true'] }), undefined)
  assert.equal(effectiveHealthcheck(undefined, undefined), undefined)
})

test('nextHealth() turns healthy on success and unhealthy after `retries` failures', () => {
  let h: HealthState = { status: 'starting', failingStreak: 0, log: [] }
  h = nextHealth(h, outcome(1), check, false)
  assert.deepEqual([h.status, h.failingStreak], ['starting', 1])
  h = nextHealth(h, outcome(1), check, false)
  assert.deepEqual([h.status, h.failingStreak], ['unhealthy', 2])
  h = nextHealth(h, outcome(0), check, false)
  assert.deepEqual([h.status, h.failingStreak], ['healthy', 0])
  for (let i = 0; i < 6; i++) h = nextHealth(h, outcome(1), check, false)
  assert.equal(h.log.length, 5)
})

test('nextHealth() ignores failures during the start period unless already healthy', () => {
  const starting: HealthState = { status: 'starting', failingStreak: 0, log: [] }
  assert.deepEqual(nextHealth(starting, outcome(1), check, true).failingStreak, 0)
  assert.equal(nextHealth({ ...starting, status: 'healthy' }, outcome(1), check, true).failingStreak, 1)
})

test('probeArgs(), validateHealthcheck() and formatDuration() follow Docker', () => {
  assert.deepEqual(probeArgs(['CMD-SHELL', 'curl -f x']), ['/bin/sh', '-c', 'curl -f x'])
  assert.deepEqual(probeArgs(['CMD', 'a', 'b']), ['a', 'b'])
  assert.throws(() => validateHealthcheck({ interval: 10 }), /Interval in Healthcheck cannot be less than 1ms/)
  assert.throws(() => validateHealthcheck({ retries: -1 }), /Retries in Healthcheck cannot be negative/)
  assert.equal(formatDuration(30000), '30s')
  assert.equal(formatDuration(90000), '1m30s')
  assert.equal(formatDuration(500), '500ms')
})

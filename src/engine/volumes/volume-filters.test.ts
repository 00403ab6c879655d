import { test } from 'node:test'
import assert from 'node:assert/strict'
import { matchVolumeFilters, validatePruneFilters, validateVolumeFilters } from './volume-filters.js'
import type { VolumeRecord } from './types.js'

const vol = (name: string, labels: Record<string, string> = {}): VolumeRecord => ({
  name, driver: 'local', mountpoint: `/v/${name}/_data`, createdAt: '2026-01-01T00:00:00Z', labels, options: {}, scope: 'local',
})

test('matchVolumeFilters() applies dangling, name, driver and label filters', () => {
  const v = vol('dbdata', { tier: 'db', keep: '' })
  assert.ok(matchVolumeFilters(v, { name: ['bda'] }, false))
  assert.ok(!matchVolumeFilters(v, { name: ['web'] }, false))
  assert.ok(matchVolumeFilters(v, { dangling: ['true'] }, false))
  assert.ok(!matchVolumeFilters(v, { dangling: ['true'] }, true))
  assert.ok(matchVolumeFilters(v, { dangling: ['0'] }, true))
  assert.ok(matchVolumeFilters(v, { label: ['tier=db', 'keep'] }, false))
  assert.ok(!matchVolumeFilters(v, { label: ['tier=web'] }, false))
  assert.ok(!matchVolumeFilters(v, { 'label!': ['keep'] }, false))
  assert.ok(matchVolumeFilters(v, { driver: ['local'] }, false))
  assert.ok(!matchVolumeFilters(v, { driver: ['nfs'] }, false))
})

test('validateVolumeFilters() and validatePruneFilters() reject unknown keys', () => {
  assert.throws(() => validateVolumeFilters({ bogus: ['1'] }), /invalid filter 'bogus'/)
  assert.throws(() => validateVolumeFilters({ dangling: ['maybe'] }), /invalid filter 'dangling=maybe'/)
  assert.throws(() => validatePruneFilters({ dangling: ['true'] }), /invalid filter 'dangling'/)
  assert.equal(validatePruneFilters({ all: ['true'] }), true)
  assert.equal(validatePruneFilters({}), false)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { danglingFilter, globToRegExp, labelsMatch, parseTimestamp, referenceMatches, validateImageFilters } from './image-filters.js'

test('globToRegExp() follows Go path.Match', () => {
  assert.ok(globToRegExp('busy*').test('busybox'))
  assert.ok(!globToRegExp('*').test('user/repo'))
  assert.ok(globToRegExp('*/*').test('user/repo'))
  assert.ok(globToRegExp('b?sybox').test('busybox'))
  assert.ok(globToRegExp('[a-c]usybox').test('busybox'))
  assert.ok(!globToRegExp('[^b]usybox').test('busybox'))
  assert.ok(globToRegExp('a.b').test('a.b') && !globToRegExp('a.b').test('axb'))
  assert.throws(() => globToRegExp('[abc'), { kind: 'InvalidArgument' })
})

test('referenceMatches() matches familiar name:tag or name', () => {
  assert.ok(referenceMatches('busybox', 'docker.io/library/busybox:latest'))
  assert.ok(referenceMatches('busybox:lat*', 'docker.io/library/busybox:latest'))
  assert.ok(!referenceMatches('busybox:1', 'docker.io/library/busybox:latest'))
  assert.ok(referenceMatches('user/*', 'docker.io/user/app:1'))
  assert.ok(referenceMatches('localhost:5000/*', 'localhost:5000/x:tag'))
})

test('labelsMatch() needs every key, and the value when given', () => {
  assert.ok(labelsMatch(['a', 'b=2'], { a: '1', b: '2' }))
  assert.ok(!labelsMatch(['b=3'], { b: '2' }))
  assert.ok(!labelsMatch(['c'], { a: '1' }))
  assert.ok(!labelsMatch(['a'], undefined))
})

test('validateImageFilters() rejects unknown keys and bad dangling values', () => {
  validateImageFilters({ dangling: ['true'], reference: ['x'], label: ['a'], before: ['x'], since: ['y'], until: ['1h'] })
  assert.throws(() => validateImageFilters({ bogus: ['1'] }), { kind: 'InvalidArgument', message: "invalid filter 'bogus'" })
  assert.throws(() => validateImageFilters({ dangling: ['maybe'] }), { kind: 'InvalidArgument' })
  assert.equal(danglingFilter({ dangling: ['1'] }), true)
  assert.equal(danglingFilter({ dangling: ['false'] }), false)
  assert.equal(danglingFilter({}), undefined)
})

test('parseTimestamp() reads unix seconds, RFC 3339 and durations', () => {
  const now = new Date('2024-01-01T12:00:00Z')
  assert.equal(parseTimestamp('1700000000', now), 1_700_000_000_000)
  assert.equal(parseTimestamp('2024-01-01T00:00:00Z', now), Date.parse('2024-01-01T00:00:00Z'))
  assert.equal(parseTimestamp('1h30m', now), now.getTime() - 90 * 60_000)
  assert.throws(() => parseTimestamp('yesterday', now), { kind: 'InvalidArgument' })
})

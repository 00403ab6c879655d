import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { EngineEvent } from '../../engine/events/index.js'
import { encodeEventMessage, eventMatches, eventMessage } from './event-view.js'
import { parseFilters } from './filters.js'

const start: EngineEvent = {
  type: 'container', action: 'start', actor: { id: 'abc123def', attributes: { image: 'busybox:latest', name: 'web', tier: 'front' } },
  timeNano: 1_700_000_000_123_456_789n,
}

test('encodeEventMessage() writes timeNano as an exact int64 and keeps the legacy fields', () => {
  const text = encodeEventMessage(eventMessage(start))
  assert.match(text, /"timeNano":1700000000123456789}$/)
  const parsed = JSON.parse(text) as Record<string, unknown>
  assert.equal(parsed.status, 'start')
  assert.equal(parsed.id, 'abc123def')
  assert.equal(parsed.from, 'busybox:latest')
  assert.equal(parsed.Type, 'container')
  assert.equal(parsed.scope, 'local')
  assert.equal(parsed.time, 1700000000)
})

test('eventMatches() ANDs keys and ORs values like moby', () => {
  assert.equal(eventMatches({}, start), true)
  assert.equal(eventMatches({ type: ['container'], event: ['stop', 'start'] }, start), true)
  assert.equal(eventMatches({ type: ['image'] }, start), false)
  assert.equal(eventMatches({ container: ['web'] }, start), true)
  assert.equal(eventMatches({ container: ['abc'] }, start), true)
  assert.equal(eventMatches({ container: ['db'] }, start), false)
  assert.equal(eventMatches({ image: ['busybox'] }, start), true)
  assert.equal(eventMatches({ label: ['tier=front'] }, start), true)
  assert.equal(eventMatches({ label: ['tier=back'] }, start), false)
})

test('parseFilters() accepts both the map and the legacy list encodings', () => {
  assert.deepEqual(parseFilters('{"status":{"running":true,"exited":false}}'), { status: ['running'] })
  assert.deepEqual(parseFilters('{"status":["running"]}'), { status: ['running'] })
  assert.deepEqual(parseFilters(null), {})
  assert.throws(() => parseFilters('{nope'))
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatEvent } from './events.js'

// The default layout prints local time; pin the zone so the expectation is stable.
process.env.TZ = 'UTC'

const event = {
  Type: 'container',
  Action: 'start',
  Actor: { ID: 'abc123', Attributes: { name: 'web', image: 'busybox' } },
  time: 1700000000,
  timeNano: '1700000000123456789',
}

test('formatEvent() prints docker events lines with sorted attributes and exact nanoseconds', () => {
  assert.equal(formatEvent(event, ''), '2023-11-14T22:13:20.123456789Z container start abc123 (image=busybox, name=web)\n')
})

test('formatEvent() supports json and templates', () => {
  assert.equal(JSON.parse(formatEvent(event, 'json')).Action, 'start')
  assert.equal(formatEvent(event, '{{.Type}}/{{.Action}} {{.Actor.Attributes.name}}'), 'container/start web\n')
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseGoDuration, rfc3339Utc, toDaemonTimestamp } from './time.js'

test('parseGoDuration() reads Go durations in milliseconds', () => {
  assert.equal(parseGoDuration('42m'), 42 * 60_000)
  assert.equal(parseGoDuration('1h30m'), 90 * 60_000)
  assert.equal(parseGoDuration('1.5s'), 1500)
  assert.equal(parseGoDuration('10'), undefined)
})

test('toDaemonTimestamp() turns a relative duration into unix seconds before now', () => {
  const now = Date.UTC(2024, 0, 2, 12, 0, 0)
  assert.equal(toDaemonTimestamp('10m', now), String(now / 1000 - 600))
})

test('toDaemonTimestamp() converts RFC 3339 dates with zones to seconds.nanoseconds', () => {
  assert.equal(toDaemonTimestamp('2013-01-02T13:23:37Z'), `${Date.UTC(2013, 0, 2, 13, 23, 37) / 1000}.000000000`)
  assert.equal(toDaemonTimestamp('2013-01-02T13:23:37.5+01:00'), `${Date.UTC(2013, 0, 2, 12, 23, 37) / 1000}.500000000`)
})

test('toDaemonTimestamp() passes unix timestamps through and rejects garbage', () => {
  assert.equal(toDaemonTimestamp('1700000000.5'), '1700000000.5')
  assert.throws(() => toDaemonTimestamp('yesterday'), /failed to parse value as time or duration: "yesterday"/)
})

test('rfc3339Utc() prints seconds precision with Z', () => {
  assert.equal(rfc3339Utc(0), '1970-01-01T00:00:00Z')
})

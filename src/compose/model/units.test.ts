import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatDuration, parseDuration, parseSize } from './units.js'

test('parseDuration() reads Go durations and plain seconds', () => {
  assert.equal(parseDuration('1m30s'), 90e9)
  assert.equal(parseDuration('10s'), 10e9)
  assert.equal(parseDuration('500ms'), 500e6)
  assert.equal(parseDuration('1h2m3.5s'), 3723.5e9)
  assert.equal(parseDuration('1.5s'), 1.5e9)
  assert.equal(parseDuration('250us'), 250e3)
  assert.equal(parseDuration(30), 30e9)
  assert.equal(parseDuration('0'), 0)
  assert.equal(parseDuration('10'), 10e9)
  assert.equal(parseDuration('ten seconds'), null)
  assert.equal(parseDuration('10x'), null)
})

test('formatDuration() prints like Go time.Duration.String()', () => {
  assert.equal(formatDuration(90e9), '1m30s')
  assert.equal(formatDuration(10e9), '10s')
  assert.equal(formatDuration(500e6), '500ms')
  assert.equal(formatDuration(3600e9), '1h0m0s')
  assert.equal(formatDuration(1.5e9), '1.5s')
  assert.equal(formatDuration(0), '0s')
  assert.equal(formatDuration(250e3), '250µs')
  assert.equal(formatDuration(42), '42ns')
})

test('parseSize() reads docker RAM sizes in binary multiples', () => {
  assert.equal(parseSize('512m'), 512 * 1024 * 1024)
  assert.equal(parseSize('1g'), 1024 ** 3)
  assert.equal(parseSize('1gb'), 1024 ** 3)
  assert.equal(parseSize('1GiB'), 1024 ** 3)
  assert.equal(parseSize('64k'), 65536)
  assert.equal(parseSize('2048'), 2048)
  assert.equal(parseSize(1000), 1000)
  assert.equal(parseSize('1.5g'), 1.5 * 1024 ** 3)
  assert.equal(parseSize('lots'), null)
})

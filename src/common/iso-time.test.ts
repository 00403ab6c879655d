import { test } from 'node:test'
import assert from 'node:assert/strict'
import { httpDate, isoTime } from './iso-time.js'

test('isoTime() formats as Date#toISOString does', () => {
  const samples = [0, 1, 999, 1000, -1, 951782400000, 1709210096789, 253402300799999, -62167219200000, Date.UTC(2024, 1, 29, 23, 59, 59, 5)]
  for (let i = 0; i < 2000; i++) samples.push(Math.floor((i * 7919.37 - 500) * 86400000 + i * 12345))
  for (const ms of samples) {
    assert.equal(isoTime(ms), new Date(ms).toISOString(), String(ms))
    assert.equal(isoTime(new Date(ms)), new Date(ms).toISOString(), String(ms))
  }
})

test('isoTime() falls back outside years 0-9999 and throws for an invalid date as toISOString does', () => {
  assert.equal(isoTime(-62198755200000), new Date(-62198755200000).toISOString()) // year -1
  assert.equal(isoTime(253402300800000), '+010000-01-01T00:00:00.000Z')
  assert.throws(() => isoTime(new Date(NaN)), RangeError)
})

test('isoTime() without an argument is now', () => {
  const before = Date.now()
  const t = Date.parse(isoTime())
  assert.ok(t >= before && t <= Date.now())
})

test('httpDate() formats as Date#toUTCString does (the HTTP Date header)', () => {
  for (let i = 0; i < 2000; i++) {
    const ms = Math.floor((i * 7919.37 - 500) * 86400000 + i * 12345)
    assert.equal(httpDate(ms), new Date(ms).toUTCString(), String(ms))
  }
  assert.equal(httpDate(Date.UTC(1994, 10, 6, 8, 49, 37)), 'Sun, 06 Nov 1994 08:49:37 GMT')
  assert.throws(() => httpDate(NaN), RangeError)
})

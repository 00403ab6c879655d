import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ellipsis, formatG, goQuote, humanDuration, humanSize, humanSizeLong, timeAgo, truncateId } from './units.js'

const second = 1000
const minute = 60 * second
const hour = 60 * minute
const day = 24 * hour
const week = 7 * day
const month = 30 * day
const year = 365 * day

test('humanDuration() matches go-units HumanDuration examples', () => {
  const cases: [number, string][] = [
    [450, 'Less than a second'],
    [1 * second, '1 second'],
    [47 * second, '47 seconds'],
    [60 * second, 'About a minute'],
    [3 * minute, '3 minutes'],
    [35 * minute + 40 * second, '35 minutes'],
    [1 * hour, 'About an hour'],
    [1 * hour + 29 * minute, 'About an hour'],
    [1 * hour + 31 * minute, '2 hours'],
    [3 * hour + 59 * minute, '4 hours'],
    [24 * hour, '24 hours'],
    [day + 12 * hour, '36 hours'],
    [2 * day, '2 days'],
    [13 * day + 5 * hour, '13 days'],
    [2 * week, '2 weeks'],
    [month, '4 weeks'],
    [month + 2 * week, '6 weeks'],
    [2 * month, '2 months'],
    [13 * month, '13 months'],
    [24 * month, '24 months'],
    [24 * month + 2 * week, '2 years'],
    [3 * year + 2 * month, '3 years'],
  ]
  for (const [ms, text] of cases) assert.equal(humanDuration(ms), text, `${ms}ms`)
})

test('timeAgo() appends "ago" to the duration since a unix time', () => {
  assert.equal(timeAgo(1000, 1000 * 1000 + 5 * second), '5 seconds ago')
})

test('humanSize() uses base 1000 and 3 significant digits like docker images', () => {
  assert.equal(humanSize(0), '0B')
  assert.equal(humanSize(999), '999B')
  assert.equal(humanSize(1000), '1kB')
  assert.equal(humanSize(4261301), '4.26MB')
  assert.equal(humanSize(123456789), '123MB')
  assert.equal(humanSize(1.5e9), '1.5GB')
  // Go's %.3g switches to an exponent when rounding reaches 1000.
  assert.equal(humanSize(999999), '1e+03kB')
})

test('humanSizeLong() keeps 4 significant digits (go-units HumanSize)', () => {
  assert.equal(humanSizeLong(4261301), '4.261MB')
})

test('formatG() follows Go %g: trailing zeros dropped, two-digit exponents', () => {
  assert.equal(formatG(1.0, 3), '1')
  assert.equal(formatG(0.0001234, 3), '0.000123')
  assert.equal(formatG(0.00001234, 3), '1.23e-05')
  assert.equal(formatG(12345, 3), '1.23e+04')
})

test('truncateId() drops the algorithm and keeps 12 characters', () => {
  assert.equal(truncateId(`sha256:${'ab'.repeat(32)}`), 'abababababab')
  assert.equal(truncateId('<missing>'), '<missing>')
})

test('ellipsis() cuts to the width with a trailing …', () => {
  assert.equal(ellipsis('echo hello', 20), 'echo hello')
  assert.equal(ellipsis('sh -c "while true; do sleep 1; done"', 20), 'sh -c "while true; …')
  assert.equal(ellipsis('abc', 1), 'a')
  assert.equal(ellipsis('abc', 0), '')
})

test('goQuote() escapes like strconv.Quote', () => {
  assert.equal(goQuote('echo "hi"'), '"echo \\"hi\\""')
  assert.equal(goQuote('a\tb\nc\x01'), '"a\\tb\\nc\\x01"')
  assert.equal(goQuote('héllo'), '"héllo"')
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { humanSizeDecimal, progressBar, progressMessage } from './progress.js'

test('humanSizeDecimal() uses decimal units with four significant digits like go-units', () => {
  assert.equal(humanSizeDecimal(512), '512B')
  assert.equal(humanSizeDecimal(1234567), '1.235MB')
  assert.equal(humanSizeDecimal(2_000), '2kB')
})

test('progressBar() draws a 50-column bar and current/total', () => {
  assert.equal(progressBar(500, 1000), `[${'='.repeat(25)}>${' '.repeat(25)}] ` + '    500B/1kB')
  assert.equal(progressBar(1000, 1000), `[${'='.repeat(50)}>] ` + '     1kB/1kB')
  assert.equal(progressBar(0, 0), '')
})

test('progressMessage() carries progressDetail, id and aux as Docker does', () => {
  assert.deepEqual(progressMessage({ id: 'abc', status: 'Pull complete' }), { status: 'Pull complete', progressDetail: {}, id: 'abc' })
  const m = progressMessage({ id: 'abc', status: 'Downloading', current: 10, total: 20 })
  assert.deepEqual(m.progressDetail, { current: 10, total: 20 })
  assert.match(m.progress ?? '', /^\[=+>/)
  assert.deepEqual(progressMessage({ status: '', aux: { Tag: 't' } }).aux, { Tag: 't' })
})

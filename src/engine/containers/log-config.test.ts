import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EngineError } from '../../common/index.js'
import { conmonLogSizeLimit, logPolicy, normalizeLogConfig, parseLogSize } from './log-config.js'

const invalidWith = (message: string) => (err: unknown): boolean => {
  assert.ok(err instanceof EngineError)
  assert.equal(err.kind, 'InvalidArgument')
  assert.equal(err.message, message)
  return true
}

test('parseLogSize() reads go-units human sizes in decimal multiples', () => {
  assert.equal(parseLogSize('2048'), 2048)
  assert.equal(parseLogSize('1k'), 1000)
  assert.equal(parseLogSize('10m'), 10_000_000)
  assert.equal(parseLogSize('10M'), 10_000_000)
  assert.equal(parseLogSize('1g'), 1_000_000_000)
  assert.equal(parseLogSize('1.5kb'), 1500)
  assert.equal(parseLogSize('2 KiB'), 2000)
  assert.equal(parseLogSize('100b'), 100)
})

test('parseLogSize() rejects malformed sizes with go-units wording', () => {
  const prefix = 'failed to initialize logging driver: '
  assert.throws(() => parseLogSize('abc'), invalidWith(`${prefix}invalid size: 'abc'`))
  assert.throws(() => parseLogSize('10x'), invalidWith(`${prefix}invalid suffix: 'x'`))
  assert.throws(() => parseLogSize('10mbb'), invalidWith(`${prefix}invalid suffix: 'mbb'`))
  assert.throws(() => parseLogSize('1k2'), invalidWith(`${prefix}strconv.ParseFloat: parsing "1k2": invalid syntax`))
  assert.throws(() => parseLogSize('-5'), invalidWith(`${prefix}invalid size: '-5'`))
})

test('normalizeLogConfig() defaults the driver to json-file and keeps the options', () => {
  assert.deepEqual(normalizeLogConfig(undefined), { type: 'json-file', config: {} })
  assert.deepEqual(normalizeLogConfig({ type: '', config: { 'max-size': '1k' } }), { type: 'json-file', config: { 'max-size': '1k' } })
  assert.deepEqual(normalizeLogConfig({ type: 'none', config: {} }), { type: 'none', config: {} })
})

test('logPolicy() applies max-size and max-file, max-file defaulting to 1', () => {
  assert.deepEqual(logPolicy(undefined), { driver: 'json-file', maxFile: 1 })
  assert.deepEqual(logPolicy({ type: 'json-file', config: { 'max-size': '10m', 'max-file': '3' } }), { driver: 'json-file', maxSize: 10_000_000, maxFile: 3 })
  assert.deepEqual(logPolicy({ type: '', config: { 'max-size': '1k' } }), { driver: 'json-file', maxSize: 1000, maxFile: 1 })
  // As in Docker, max-file alone is accepted and has no effect.
  assert.deepEqual(logPolicy({ type: 'json-file', config: { 'max-file': '3' } }), { driver: 'json-file', maxFile: 3 })
  assert.deepEqual(logPolicy({ type: 'json-file', config: { 'max-size': '-1' } }), { driver: 'json-file', maxFile: 1 })
})

test('logPolicy() treats k8s-file like json-file and gives local its rotating defaults', () => {
  assert.deepEqual(logPolicy({ type: 'k8s-file', config: { 'max-size': '1k', 'max-file': '2' } }), { driver: 'k8s-file', maxSize: 1000, maxFile: 2 })
  assert.deepEqual(logPolicy({ type: 'local', config: {} }), { driver: 'local', maxSize: 20 * 1024 * 1024, maxFile: 5 })
  assert.deepEqual(logPolicy({ type: 'local', config: { 'max-size': '1m', 'max-file': '2' } }), { driver: 'local', maxSize: 1_000_000, maxFile: 2 })
})

test('logPolicy() accepts the none driver with any options', () => {
  assert.deepEqual(logPolicy({ type: 'none', config: { whatever: 'x' } }), { driver: 'none', maxFile: 1 })
})

test('logPolicy() rejects unknown drivers and options with Docker wording', () => {
  assert.throws(() => logPolicy({ type: 'syslog', config: {} }), invalidWith("logger: no log driver named 'syslog' is registered"))
  assert.throws(() => logPolicy({ type: 'json-file', config: { foo: 'x' } }), invalidWith("unknown log opt 'foo' for json-file log driver"))
  assert.throws(() => logPolicy({ type: 'local', config: { foo: 'x' } }), invalidWith("unknown log opt 'foo' for log driver local"))
  assert.throws(() => logPolicy({ type: 'json-file', config: { mode: 'fast' } }), invalidWith('logger: logging mode not supported: fast'))
  assert.throws(
    () => logPolicy({ type: 'json-file', config: { 'max-buffer-size': '4m' } }),
    invalidWith("logger: max-buffer-size option is only supported with 'mode=non-blocking'"),
  )
  assert.doesNotThrow(() => logPolicy({ type: 'json-file', config: { mode: 'non-blocking', 'max-buffer-size': '4m', tag: 'x' } }))
})

test('logPolicy() rejects bad max-size, max-file and compress values', () => {
  const prefix = 'failed to initialize logging driver: '
  assert.throws(() => logPolicy({ type: 'json-file', config: { 'max-size': 'abc' } }), invalidWith(`${prefix}invalid size: 'abc'`))
  assert.throws(() => logPolicy({ type: 'json-file', config: { 'max-size': '0' } }), invalidWith(`${prefix}max-size must be a positive number`))
  assert.throws(() => logPolicy({ type: 'json-file', config: { 'max-file': 'x' } }), invalidWith(`${prefix}strconv.Atoi: parsing "x": invalid syntax`))
  assert.throws(() => logPolicy({ type: 'json-file', config: { 'max-file': '0' } }), invalidWith(`${prefix}max-file cannot be less than 1`))
  assert.throws(() => logPolicy({ type: 'json-file', config: { compress: 'yes' } }), invalidWith(`${prefix}strconv.ParseBool: parsing "yes": invalid syntax`))
  assert.throws(
    () => logPolicy({ type: 'json-file', config: { compress: 'true', 'max-size': '1m' } }),
    invalidWith(`${prefix}compress cannot be true when max-file is less than 2 or max-size is not set`),
  )
  assert.doesNotThrow(() => logPolicy({ type: 'json-file', config: { compress: 'true', 'max-size': '1m', 'max-file': '2' } }))
})

test('conmonLogSizeLimit() is unlimited without max-size and otherwise well above the rotated total', () => {
  assert.equal(conmonLogSizeLimit({ driver: 'json-file', maxFile: 3 }), undefined)
  assert.equal(conmonLogSizeLimit({ driver: 'json-file', maxSize: 10_000_000, maxFile: 3 }), 40_000_000)
  assert.equal(conmonLogSizeLimit({ driver: 'json-file', maxSize: 1000, maxFile: 3 }), 8 * 1024 * 1024)
})

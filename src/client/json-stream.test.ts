import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { JsonScanner, parseJsonStream } from './json-stream.js'

test('parseJsonStream() yields documents split across chunks and lines', async () => {
  const source = Readable.from(['{"status":"a"}\n{"sta', 'tus":"b {}"}', '{"x":[1,{"y":"}"}]}\n'])
  const out = []
  for await (const value of parseJsonStream(source)) out.push(value)
  assert.deepEqual(out, [{ status: 'a' }, { status: 'b {}' }, { x: [1, { y: '}' }] }])
})

test('JsonScanner.push() handles escaped quotes inside strings', () => {
  const scanner = new JsonScanner()
  assert.deepEqual(scanner.push('{"a":"x\\"}"}{"b":1}'), ['{"a":"x\\"}"}', '{"b":1}'])
  assert.equal(scanner.rest(), '')
})

test('parseJsonStream() keeps int64 fields exact as decimal strings', async () => {
  const source = Readable.from(['{"Type":"container","time":1700000000,"timeNano":1700000000123456789}\n'])
  const out = []
  for await (const value of parseJsonStream(source, { int64Fields: ['timeNano'] })) out.push(value)
  assert.deepEqual(out, [{ Type: 'container', time: 1700000000, timeNano: '1700000000123456789' }])
})

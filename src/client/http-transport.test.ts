import { test } from 'node:test'
import assert from 'node:assert/strict'
import { encodeQuery } from './http-transport.js'

test('encodeQuery() encodes as URLSearchParams does, skipping undefined and false, true as 1, arrays repeated', () => {
  const tricky = ['plain', 'with space', "!'()~*-._", 'a+b&c=d?e#f/g:h@i', '{"label":{"a=b":true}}', 'ünïcödé 日本', '\ud83d\ude00', 'lone \ud800 high', 'lone \udc00 low', '%41', '']
  for (const value of tricky) {
    const expected = new URLSearchParams([[value, value]]).toString()
    assert.equal(encodeQuery({ [value]: value }), `?${expected}`, JSON.stringify(value))
  }
  assert.equal(
    encodeQuery({ all: true, size: false, limit: 3, skipped: undefined, filters: '{"a":1}', changes: ['CMD ["x"]', 'ENV a=b'] }),
    `?${new URLSearchParams([['all', '1'], ['limit', '3'], ['filters', '{"a":1}'], ['changes', 'CMD ["x"]'], ['changes', 'ENV a=b']]).toString()}`,
  )
  assert.equal(encodeQuery({ a: undefined, b: false }), '')
  assert.equal(encodeQuery(undefined), '')
})

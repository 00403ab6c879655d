import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readStatusLines } from './helper-protocol.js'

test('readStatusLines reports whole lines and keeps the unfinished rest', () => {
  const seen: Array<[number, string, string]> = []
  const rest = readStatusLines('1 pid 42\n1 exit 0\n2 ex', (id, kind, value) => seen.push([id, kind, value]))
  assert.deepEqual(seen, [[1, 'pid', '42'], [1, 'exit', '0']])
  assert.equal(rest, '2 ex')
  assert.equal(readStatusLines(rest + 'it 3\n', (id, kind, value) => seen.push([id, kind, value])), '')
  assert.deepEqual(seen.at(-1), [2, 'exit', '3'])
})

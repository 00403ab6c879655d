import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createDemuxer, muxFrame } from './multiplex.js'

test('muxFrame() writes the 8-byte stdcopy header with a big-endian size', () => {
  const frame = muxFrame(2, Buffer.from('oops\n'))
  assert.deepEqual([...frame.subarray(0, 8)], [2, 0, 0, 0, 0, 0, 0, 5])
  assert.equal(frame.subarray(8).toString(), 'oops\n')
})

test('createDemuxer() reassembles frames split across chunks', () => {
  const bytes = Buffer.concat([muxFrame(1, Buffer.from('hello\n')), muxFrame(2, Buffer.from('err\n'))])
  const d = createDemuxer()
  const got = [...d.push(bytes.subarray(0, 5)), ...d.push(bytes.subarray(5, 17)), ...d.push(bytes.subarray(17))]
  assert.deepEqual(got.map((c) => [c.stream, c.data.toString()]), [[1, 'hello\n'], [2, 'err\n']])
  assert.equal(d.pending(), 0)
})

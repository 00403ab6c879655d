import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DetachKeyScanner, parseDetachKeys } from './detach-keys.js'

test('parseDetachKeys() reads ctrl names, single characters and DEL', () => {
  assert.deepEqual([...parseDetachKeys('ctrl-p,ctrl-q')], [16, 17])
  assert.deepEqual([...parseDetachKeys('a,ctrl-@,ctrl-_,DEL')], [97, 0, 31, 127])
  assert.throws(() => parseDetachKeys('ctrl-pp'), /Invalid detach keys \(ctrl-pp\) provided/)
})

test('DetachKeyScanner.scan() detaches on the sequence split across chunks', () => {
  const s = new DetachKeyScanner(Buffer.from([16, 17]))
  assert.deepEqual(s.scan(Buffer.from('ab\x10')), { forward: Buffer.from('ab'), detached: false })
  assert.deepEqual(s.scan(Buffer.from('\x11zz')), { forward: Buffer.alloc(0), detached: true })
})

test('DetachKeyScanner.scan() forwards a broken sequence, restarting on its first key', () => {
  const s = new DetachKeyScanner(Buffer.from([16, 17]))
  assert.deepEqual(s.scan(Buffer.from('\x10x')), { forward: Buffer.from('\x10x'), detached: false })
  assert.deepEqual(s.scan(Buffer.from('\x10\x10')), { forward: Buffer.from('\x10'), detached: false })
  assert.deepEqual(s.scan(Buffer.from('\x11')), { forward: Buffer.alloc(0), detached: true })
})

test('DetachKeyScanner.scan() with one key detaches at once', () => {
  const s = new DetachKeyScanner(parseDetachKeys('ctrl-x'))
  assert.deepEqual(s.scan(Buffer.from('a\x18b')), { forward: Buffer.from('a'), detached: true })
})

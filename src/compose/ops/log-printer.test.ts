import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LineSplitter, LogPrinter } from './log-printer.js'

test('LogPrinter.line() pads every prefix to the longest name plus one, then " | "', () => {
  const p = new LogPrinter({ color: false, prefix: true })
  p.register('web-1')
  assert.equal(p.line('web-1', 'hello'), 'web-1  | hello\n')
  p.register('worker-1')
  assert.equal(p.line('web-1', 'again'), 'web-1     | again\n')
  assert.equal(p.line('worker-1', 'x'), 'worker-1  | x\n')
})

test('LogPrinter colours prefixes in Compose\'s rainbow order and resets after the prefix', () => {
  const p = new LogPrinter({ color: true, prefix: true })
  for (const n of ['a-1', 'b-1', 'c-1', 'd-1', 'e-1', 'f-1']) p.register(n)
  assert.equal(p.line('a-1', 'x'), '\x1b[36ma-1  | \x1b[0mx\n')
  assert.equal(p.line('b-1', 'x'), '\x1b[33mb-1  | \x1b[0mx\n')
  assert.equal(p.line('c-1', 'x'), '\x1b[32mc-1  | \x1b[0mx\n')
  assert.equal(p.line('d-1', 'x'), '\x1b[35md-1  | \x1b[0mx\n')
  assert.equal(p.line('e-1', 'x'), '\x1b[34me-1  | \x1b[0mx\n')
  assert.equal(p.line('f-1', 'x'), '\x1b[36;1mf-1  | \x1b[0mx\n')
})

test('LogPrinter without prefix prints the bare line; status() resets the line first', () => {
  const p = new LogPrinter({ color: false, prefix: false })
  assert.equal(p.line('web-1', 'hello'), 'hello\n')
  assert.equal(p.status('web-1', 'exited with code 0'), '\r\x1b[Kweb-1 exited with code 0\n')
})

test('LineSplitter emits whole lines and flushes a last partial one', () => {
  const lines: string[] = []
  const s = new LineSplitter((l) => lines.push(l))
  s.write('a\nb')
  s.write('c\n\nd')
  assert.deepEqual(lines, ['a', 'bc', ''])
  s.flush()
  assert.deepEqual(lines, ['a', 'bc', '', 'd'])
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { inCgroup, parsePsOutput, validatePsArgs } from './container-top.js'

test('parsePsOutput() keeps rows of the given pids and joins the overhanging command', () => {
  const out = 'UID PID PPID C STIME TTY TIME CMD\nroot 10 1 0 10:00 ? 00:00:00 sleep 100\nroot 11 1 0 10:00 ? 00:00:00 other\n'
  assert.deepEqual(parsePsOutput(out, new Set([10])), {
    titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'],
    processes: [['root', '10', '1', '0', '10:00', '?', '00:00:00', 'sleep 100']],
  })
})

test('parsePsOutput() keeps thread rows ("-") under a kept process only', () => {
  const out = 'PID TID CMD\n10 - a\n- 10 a\n11 - b\n- 11 b\n'
  assert.deepEqual(parsePsOutput(out, new Set([10])).processes, [['10', '-', 'a'], ['-', '10', 'a']])
})

test('parsePsOutput() fails without a PID column', () => {
  assert.throws(() => parsePsOutput('USER CMD\n', new Set()), /Couldn't find PID field in ps output/)
})

test('inCgroup() matches v1 and v2 lines, not a sibling prefix', () => {
  assert.equal(inCgroup('12:memory:/berth/abc\n0::/other\n', '/berth/abc'), true)
  assert.equal(inCgroup('0::/berth/abc/sub\n', '/berth/abc'), true)
  assert.equal(inCgroup('4:pids:/berth/abcd\n', '/berth/abc'), false)
})

test('validatePsArgs() refuses renaming another column to PID', () => {
  assert.doesNotThrow(() => validatePsArgs('-o pid=PID,comm'))
  assert.throws(() => validatePsArgs('-o ppid=PID'), /specifying "ppid=PID" is not allowed/)
})

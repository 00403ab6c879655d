import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseEnvFile } from './env-file.js'

test('parseEnvFile() reads KEY=VALUE lines with export, comments and quotes', () => {
  const text = [
    '# a comment',
    '',
    'PLAIN=hello world',
    'export EXPORTED=yes',
    'INLINE=value # comment',
    'HASH=a#b',
    "SINGLE='literal $PLAIN # not a comment'",
    'DOUBLE="line1\\nline2 ${PLAIN}"',
    'EMPTY=',
    '  SPACED = padded  ',
    'MULTI="first',
    'second"',
    'AFTER=ok',
  ].join('\n')
  assert.deepEqual(parseEnvFile(text), {
    PLAIN: 'hello world', EXPORTED: 'yes', INLINE: 'value', HASH: 'a#b',
    SINGLE: 'literal $PLAIN # not a comment', DOUBLE: 'line1\nline2 hello world', EMPTY: '',
    SPACED: 'padded', MULTI: 'first\nsecond', AFTER: 'ok',
  })
})

test('parseEnvFile() expands variables from earlier lines, then the lookup', () => {
  const vars = parseEnvFile('A=1\nB=${A}-${OUTER}-${MISSING:-d}\nC=\\$A', (n) => (n === 'OUTER' ? 'o' : undefined))
  assert.deepEqual(vars, { A: '1', B: '1-o-d', C: '$A' })
})

test('parseEnvFile() takes a bare KEY from the lookup and drops it when unset', () => {
  assert.deepEqual(parseEnvFile('FROM_ENV\nNOT_SET\n', (n) => (n === 'FROM_ENV' ? 'x' : undefined)), { FROM_ENV: 'x' })
})

test('parseEnvFile() rejects bad variable names and unterminated quotes with the line', () => {
  assert.throws(() => parseEnvFile('OK=1\nBAD KEY=2'), /line 2/)
  assert.throws(() => parseEnvFile('Q="open'), /unterminated/)
})

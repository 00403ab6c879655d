import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseEnvFile, parseKeyValues } from './env-file.js'

test('parseEnvFile() skips comments and blank lines and keeps values untrimmed', () => {
  assert.deepEqual(parseEnvFile('\ufeff# c\n\nA=1\n  B=two words \r\nC=\n', {}), ['A=1', 'B=two words ', 'C='])
})

test('parseEnvFile() fills bare names from the environment and drops unset ones', () => {
  assert.deepEqual(parseEnvFile('SET\nUNSET\n', { SET: 'v' }), ['SET=v'])
})

test('parseEnvFile() rejects names with whitespace', () => {
  assert.throws(() => parseEnvFile('BAD NAME=1\n', {}), /variable 'BAD NAME' contains whitespaces/)
})

test('parseKeyValues() drops keys without values, as docker does for label files', () => {
  assert.deepEqual(parseKeyValues('a=b\nbare\n'), ['a=b'])
})

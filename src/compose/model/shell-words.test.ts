import { test } from 'node:test'
import assert from 'node:assert/strict'
import { splitShellWords } from './shell-words.js'

test('splitShellWords() splits on whitespace and honours quotes like Compose', () => {
  assert.deepEqual(splitShellWords('sh -c "echo hi && sleep 1"'), ['sh', '-c', 'echo hi && sleep 1'])
  assert.deepEqual(splitShellWords(`echo 'a "b" c'  d`), ['echo', 'a "b" c', 'd'])
  assert.deepEqual(splitShellWords('echo "say \\"hi\\"" a\\ b'), ['echo', 'say "hi"', 'a b'])
  assert.deepEqual(splitShellWords('echo $HOME ""'), ['echo', '$HOME', ''])
  assert.deepEqual(splitShellWords('   '), [])
})

test('splitShellWords() returns null for an unterminated quote', () => {
  assert.equal(splitShellWords('echo "oops'), null)
})

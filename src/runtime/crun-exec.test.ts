import { test } from 'node:test'
import assert from 'node:assert/strict'
import { crunExecArgs } from './crun-exec.js'

test('crunExecArgs() runs crun exec in the foreground with the pid on fd 3 and the process file', () => {
  assert.deepEqual(crunExecArgs('/usr/bin/crun', '/run/berth/runtime/state', 'c1', '/run/berth/runtime/pipes/e1.json'), [
    '/usr/bin/crun', '--root', '/run/berth/runtime/state', 'exec', '--pid-file', '/proc/self/fd/3', '--process', '/run/berth/runtime/pipes/e1.json', 'c1',
  ])
})

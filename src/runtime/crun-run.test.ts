import { test } from 'node:test'
import assert from 'node:assert/strict'
import { crunRunArgs } from './crun-run.js'

test('crunRunArgs() runs crun run in the foreground on the bundle with the pid on fd 3', () => {
  assert.deepEqual(crunRunArgs('/usr/bin/crun', '/run/berth/runtime/state', 'c1', '/var/lib/berth/build/work/b1'), [
    '/usr/bin/crun', '--root', '/run/berth/runtime/state', 'run', '--bundle', '/var/lib/berth/build/work/b1', '--pid-file', '/proc/self/fd/3', 'c1',
  ])
})

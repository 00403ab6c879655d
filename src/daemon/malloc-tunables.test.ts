import { test } from 'node:test'
import assert from 'node:assert/strict'
import { BERTHD_GLIBC_TUNABLES, dropOwnMallocTunables } from './malloc-tunables.js'

test('dropOwnMallocTunables removes the tunables berthd was started with', () => {
  const env: NodeJS.ProcessEnv = { PATH: '/usr/bin', GLIBC_TUNABLES: BERTHD_GLIBC_TUNABLES }
  dropOwnMallocTunables(env)
  assert.deepEqual(env, { PATH: '/usr/bin' })
})

test('dropOwnMallocTunables keeps tunables berthd did not set', () => {
  const env: NodeJS.ProcessEnv = { GLIBC_TUNABLES: 'glibc.malloc.arena_max=4' }
  dropOwnMallocTunables(env)
  assert.deepEqual(env, { GLIBC_TUNABLES: 'glibc.malloc.arena_max=4' })
})

test('BERTHD_GLIBC_TUNABLES is one env -S word of glibc.malloc settings', () => {
  assert.match(BERTHD_GLIBC_TUNABLES, /^glibc\.malloc\.\w+=\d+(:glibc\.malloc\.\w+=\d+)*$/)
})

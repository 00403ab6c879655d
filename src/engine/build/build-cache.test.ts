import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { BuildCache, stateOf, stepCacheKey } from './build-cache.js'

test('BuildCache keeps a step result across instances and reads a record cut short as a miss', async (t) => {
  const dir = mkdtempSync('/tmp/berth-buildcache-')
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const state = stateOf({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, config: { Env: ['A=1'] } }, undefined)
  const key = stepCacheKey(state.id, 'RUN true')
  await new BuildCache(dir).put(key, state, new Date())
  assert.deepEqual(await new BuildCache(dir).get(key), state)
  assert.deepEqual((await new BuildCache(dir).all()).map((r) => r.key), [key])
  // what an unsynced write may leave after a host crash
  const [name] = readdirSync(dir)
  writeFileSync(join(dir, name as string), '{"key": "sha')
  assert.equal(await new BuildCache(dir).get(key), undefined)
  assert.deepEqual(await new BuildCache(dir).all(), [])
})

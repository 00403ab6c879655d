import { test } from 'node:test'
import assert from 'node:assert/strict'
import { selectScenarios, SCENARIOS, GROUPS } from './select.mjs'

test('selectScenarios without --only selects every bench.mjs scenario', () => {
  assert.deepEqual([...selectScenarios(undefined)].sort(), Object.keys(SCENARIOS).sort())
})

test('selectScenarios expands groups and keeps single names', () => {
  assert.deepEqual([...selectScenarios('start,exec,ports')].sort(), [...GROUPS.start, 'exec', 'ports'].sort())
})

test('selectScenarios accepts build and registry but leaves them to their own scripts', () => {
  assert.deepEqual([...selectScenarios('build,registry')], [])
  assert.deepEqual([...selectScenarios('registry, c2c')], ['c2c'])
})

test('selectScenarios rejects an unknown name and lists the known ones', () => {
  assert.throws(() => selectScenarios('start,sart'), /unknown scenario "sart"[\s\S]*run-none/)
})

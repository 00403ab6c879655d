import test from 'node:test'
import assert from 'node:assert/strict'
import { mustRecreate, planService, type ObservedContainer } from './planner.js'

const c = (number: number, hash = 'h1', imageId = 'img1', state = 'running'): ObservedContainer => ({
  id: `id${number}`, name: `p-web-${number}`, service: 'web', number, state, configHash: hash, imageId, oneoff: false, created: number,
})

test('planService() keeps matching containers and creates nothing when the scale is met', () => {
  const plan = planService({ scale: 2, configHash: 'h1', imageId: 'img1', containers: [c(2), c(1)], recreate: 'diverged' })
  assert.deepEqual(plan.keep.map((x) => x.number), [1, 2])
  assert.deepEqual([plan.recreate, plan.remove, plan.create], [[], [], []])
})

test('planService() recreates containers whose config hash or image changed', () => {
  const plan = planService({ scale: 3, configHash: 'h2', imageId: 'img1', containers: [c(1, 'h2'), c(2, 'h1'), c(3, 'h2', 'img0')], recreate: 'diverged' })
  assert.deepEqual(plan.keep.map((x) => x.number), [1])
  assert.deepEqual(plan.recreate.map((x) => x.number).sort(), [2, 3])
})

test('planService() scales down by removing obsolete containers first, then the highest numbers', () => {
  const plan = planService({ scale: 2, configHash: 'h1', imageId: 'img1', containers: [c(1), c(2), c(3), c(4, 'old')], recreate: 'diverged' })
  assert.deepEqual(plan.keep.map((x) => x.number), [1, 2])
  assert.deepEqual(plan.remove.map((x) => x.number).sort(), [3, 4])
  assert.deepEqual(plan.recreate, [])
})

test('planService() scales up after the highest existing number', () => {
  const plan = planService({ scale: 4, configHash: 'h1', imageId: 'img1', containers: [c(1), c(3)], recreate: 'diverged' })
  assert.deepEqual(plan.create, [4, 5])
  const empty = planService({ scale: 2, configHash: 'h1', imageId: undefined, containers: [], recreate: 'diverged' })
  assert.deepEqual(empty.create, [1, 2])
})

test('planService() with scale 0 removes every container', () => {
  const plan = planService({ scale: 0, configHash: 'h1', imageId: 'img1', containers: [c(1), c(2)], recreate: 'diverged' })
  assert.equal(plan.remove.length, 2)
  assert.equal(plan.keep.length + plan.create.length, 0)
})

test('mustRecreate() follows --force-recreate and --no-recreate', () => {
  assert.equal(mustRecreate(c(1), { configHash: 'h1', imageId: 'img1', recreate: 'force' }), true)
  assert.equal(mustRecreate(c(1, 'old'), { configHash: 'h1', imageId: 'img1', recreate: 'never' }), false)
  assert.equal(mustRecreate(c(1), { configHash: 'h1', imageId: undefined, recreate: 'diverged' }), false)
  assert.equal(mustRecreate(c(1, 'h1', 'img0'), { configHash: 'h1', imageId: 'img1', recreate: 'diverged' }), true)
})

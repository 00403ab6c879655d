import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mergedConfig } from './container-commit.js'
import type { ContainerRecord } from '../containers/index.js'

const record = (spec: Partial<ContainerRecord['spec']>): ContainerRecord => ({ spec: { image: 'busybox', host: {}, ...spec } } as ContainerRecord)

test('mergedConfig() takes the container\'s Cmd, Env (by name), labels and user over the image\'s, as dockerd commit', () => {
  const image = { Cmd: ['sh'], Env: ['PATH=/bin', 'A=1'], Labels: { a: '1' }, WorkingDir: '/' }
  const merged = mergedConfig(record({ cmd: ['echo', 'hi'], env: ['A=2', 'B=3'], labels: { b: '2' }, user: 'nobody' }), image)
  assert.deepEqual(merged.Cmd, ['echo', 'hi'])
  assert.deepEqual(merged.Env, ['PATH=/bin', 'A=2', 'B=3'])
  assert.deepEqual(merged.Labels, { a: '1', b: '2' })
  assert.equal(merged.User, 'nobody')
  assert.equal(merged.WorkingDir, '/')
  // An empty --entrypoint clears the image's.
  assert.equal(mergedConfig(record({ entrypoint: [] }), { Entrypoint: ['/init'] }).Entrypoint, undefined)
  // Nothing set on the container: the image's config as it was.
  assert.deepEqual(mergedConfig(record({}), image), image)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildEventText } from './build.js'

test('buildEventText() writes the classic builder messages', () => {
  assert.equal(buildEventText({ type: 'step', index: 2, total: 4, instruction: 'RUN make' }), 'Step 2/4 : RUN make\n')
  assert.equal(buildEventText({ type: 'cache-hit' }), ' ---> Using cache\n')
  const id = 'a'.repeat(64)
  assert.equal(buildEventText({ type: 'container-start', containerId: id }), ` ---> Running in ${'a'.repeat(12)}\n`)
  assert.equal(buildEventText({ type: 'container-removed', containerId: id }), `Removing intermediate container ${'a'.repeat(12)}\n`)
  assert.equal(buildEventText({ type: 'step-done', imageId: `sha256:${'b'.repeat(64)}` }), ` ---> ${'b'.repeat(12)}\n`)
  assert.deepEqual(buildEventText({ type: 'output', stream: 1, data: Buffer.from('hi\n') }), Buffer.from('hi\n'))
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LABEL_CONFIG_FILES } from '../labels.js'
import { combinedStatus, containersToStacks, matchesNameFilter } from './stacks.js'
import { fakeContainer } from './testing.js'

test('combinedStatus() counts states, sorted by state', () => {
  assert.equal(combinedStatus(['running', 'exited', 'running']), 'exited(1), running(2)')
  assert.equal(combinedStatus([]), '')
})

test('containersToStacks() groups by project with their config files', () => {
  const files = { [LABEL_CONFIG_FILES]: '/a/compose.yaml' }
  const stacks = containersToStacks([
    fakeContainer('zeta', 'web', 1, { labels: files }),
    fakeContainer('alpha', 'web', 1, { labels: { [LABEL_CONFIG_FILES]: '/b/compose.yaml,/b/override.yaml' } }),
    fakeContainer('alpha', 'db', 1, { State: 'exited', labels: { [LABEL_CONFIG_FILES]: '/b/compose.yaml' } }),
    fakeContainer('zeta', 'db', 1),
  ])
  assert.deepEqual(stacks, [
    { Name: 'alpha', Status: 'exited(1), running(1)', ConfigFiles: '/b/compose.yaml,/b/override.yaml' },
    { Name: 'zeta', Status: 'running(2)', ConfigFiles: 'N/A' },
  ])
})

test('matchesNameFilter() matches like docker filters (regular expression search)', () => {
  assert.equal(matchesNameFilter('myapp', []), true)
  assert.equal(matchesNameFilter('myapp', ['app']), true)
  assert.equal(matchesNameFilter('myapp', ['^app']), false)
  assert.equal(matchesNameFilter('myapp', ['other', 'my']), true)
})

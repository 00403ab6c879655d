import test from 'node:test'
import assert from 'node:assert/strict'
import { serviceConfigHash, stableJson } from './config-hash.js'
import { projectFromYaml } from './test-project.js'

test('stableJson() sorts object keys at every depth and drops undefined members', () => {
  assert.equal(stableJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } }), '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}')
})

test('serviceConfigHash() changes with the environment but not with scale, depends_on or build', async () => {
  const base = await projectFromYaml('services:\n  web: { image: busybox, environment: { A: "1" } }\n')
  const changed = await projectFromYaml('services:\n  web: { image: busybox, environment: { A: "2" } }\n')
  const scaled = await projectFromYaml('services:\n  web: { image: busybox, environment: { A: "1" }, scale: 3, depends_on: [db] }\n  db: { image: busybox }\n')
  const h = serviceConfigHash(base.services['web']!)
  assert.match(h, /^[0-9a-f]{64}$/)
  assert.notEqual(serviceConfigHash(changed.services['web']!), h)
  assert.equal(serviceConfigHash(scaled.services['web']!), h)
})

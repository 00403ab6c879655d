import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mergeModels, mergeService, mergeValues } from './merge.js'
import { OverrideTag, ResetTag } from './yaml-tags.js'

test('mergeValues() merges mappings, concatenates sequences without duplicates, replaces scalars', () => {
  assert.deepEqual(mergeValues({ a: 1, b: { c: 1, d: [1, 2] } }, { b: { c: 2, d: [2, 3] }, e: 'x' }), { a: 1, b: { c: 2, d: [1, 2, 3] }, e: 'x' })
  assert.equal(mergeValues('old', 'new'), 'new')
})

test('mergeService() replaces command, entrypoint and healthcheck.test', () => {
  const merged = mergeService(
    { command: ['a', 'b'], entrypoint: 'x', healthcheck: { test: ['CMD', 'a'], retries: 3 } },
    { command: ['c'], entrypoint: ['y'], healthcheck: { test: ['CMD', 'b'], interval: '1s' } },
  )
  assert.deepEqual(merged, { command: ['c'], entrypoint: ['y'], healthcheck: { test: ['CMD', 'b'], retries: 3, interval: '1s' } })
})

test('mergeService() keys ports by ip/published/target/protocol, volumes and secrets by target', () => {
  const merged = mergeService(
    {
      ports: [{ target: 80, published: '8080', protocol: 'tcp' }],
      volumes: [{ type: 'volume', source: 'a', target: '/data' }, { type: 'volume', source: 'l', target: '/logs' }],
      secrets: [{ source: 's' }],
    },
    {
      ports: [{ target: 80, published: '8080', protocol: 'tcp', name: 'web' }, { target: 80, published: '8081', protocol: 'tcp' }],
      volumes: [{ type: 'bind', source: '/b', target: '/data' }],
      secrets: [{ source: 's', mode: 0o400 }, { source: 't' }],
    },
  )
  assert.deepEqual(merged.ports, [{ target: 80, published: '8080', protocol: 'tcp', name: 'web' }, { target: 80, published: '8081', protocol: 'tcp' }])
  assert.deepEqual(merged.volumes, [{ type: 'bind', source: '/b', target: '/data' }, { type: 'volume', source: 'l', target: '/logs' }])
  assert.deepEqual(merged.secrets, [{ source: 's', mode: 0o400 }, { source: 't' }])
})

test('mergeService() replaces ulimit entries and keeps a null network attachment over an existing one', () => {
  const merged = mergeService(
    { ulimits: { nofile: { soft: 1, hard: 2 }, nproc: { soft: 3, hard: 3 } }, networks: { a: { aliases: ['x'] }, b: null } },
    { ulimits: { nofile: { soft: 5, hard: 5 } }, networks: { a: null, b: { aliases: ['y'] } } },
  )
  assert.deepEqual(merged.ulimits, { nofile: { soft: 5, hard: 5 }, nproc: { soft: 3, hard: 3 } })
  assert.deepEqual(merged.networks, { a: { aliases: ['x'] }, b: { aliases: ['y'] } })
})

test('mergeService() applies !reset and !override wrappers', () => {
  const merged = mergeService(
    { ports: [{ target: 80 }], environment: { A: '1' }, dns: ['1.1.1.1'] },
    { ports: new ResetTag([]), environment: new OverrideTag({ B: '2' }), dns: ['8.8.8.8'] },
  )
  assert.deepEqual(merged, { environment: { B: '2' }, dns: ['1.1.1.1', '8.8.8.8'] })
})

test('mergeModels() merges services and top-level sections', () => {
  const merged = mergeModels(
    { name: 'a', services: { web: { image: 'x' } }, networks: { front: { driver: 'bridge' } } },
    { name: 'b', services: { web: { image: 'y' }, db: { image: 'z' } }, networks: { front: { internal: true } }, volumes: { v: {} } },
  )
  assert.deepEqual(merged, {
    name: 'b',
    services: { web: { image: 'y' }, db: { image: 'z' } },
    networks: { front: { driver: 'bridge', internal: true } },
    volumes: { v: {} },
  })
})

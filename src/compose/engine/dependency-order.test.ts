import test from 'node:test'
import assert from 'node:assert/strict'
import type { ServiceConfig } from '../model/index.js'
import { dependencyOrder, serviceDependencies, withDependencies } from './dependency-order.js'
import { projectFromYaml } from './test-project.js'

const svc = (name: string, deps: Partial<Pick<ServiceConfig, 'links' | 'networkMode' | 'volumesFrom'>> & { on?: string[] } = {}): ServiceConfig => ({
  name,
  dependsOn: Object.fromEntries((deps.on ?? []).map((d) => [d, { condition: 'service_started', required: true, restart: false }])),
  links: deps.links ?? [],
  volumesFrom: deps.volumesFrom ?? [],
  ...(deps.networkMode ? { networkMode: deps.networkMode } : {}),
}) as unknown as ServiceConfig

test('dependencyOrder() puts every service after its dependencies, ties by name', () => {
  const services = {
    web: svc('web', { on: ['db', 'cache'] }),
    worker: svc('worker', { on: ['db'], links: ['cache:redis'] }),
    db: svc('db'),
    cache: svc('cache'),
    admin: svc('admin', { networkMode: 'service:web' }),
  }
  assert.deepEqual(dependencyOrder(services), ['cache', 'db', 'web', 'admin', 'worker'])
  assert.deepEqual(dependencyOrder(services, ['web']), ['web'])
})

test('serviceDependencies() reads depends_on, links, network_mode and volumes_from', () => {
  assert.deepEqual(serviceDependencies(svc('a', { on: ['b'], links: ['c:alias'], networkMode: 'service:d', volumesFrom: ['e:ro', 'container:x', 'service:f'] })).sort(), ['b', 'c', 'd', 'e', 'f'])
})

test('dependencyOrder() reports a cycle instead of looping', () => {
  assert.throws(() => dependencyOrder({ a: svc('a', { on: ['b'] }), b: svc('b', { on: ['a'] }) }), /dependency cycle detected: a -> b -> a/)
})

test('withDependencies() adds dependencies transitively and rejects unknown services', async () => {
  const project = await projectFromYaml(`
services:
  web: { image: busybox, depends_on: [api] }
  api: { image: busybox, depends_on: [db] }
  db: { image: busybox }
  other: { image: busybox }
`)
  assert.deepEqual(withDependencies(project, ['web']).sort(), ['api', 'db', 'web'])
  assert.throws(() => withDependencies(project, ['nope']), /no such service: nope/)
})

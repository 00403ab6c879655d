import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LABEL_DEPENDS_ON } from '../labels.js'
import { dependencyOrder, graphFromContainers, visitInOrder, type ServiceGraph } from './dependency-order.js'
import { fakeContainer } from './testing.js'

const graph = (edges: Record<string, string[]>): ServiceGraph => new Map(Object.entries(edges).map(([k, v]) => [k, new Set(v)]))

test('graphFromContainers() reads the depends_on label and ignores unknown services', () => {
  const g = graphFromContainers([
    fakeContainer('p', 'web', 1, { labels: { [LABEL_DEPENDS_ON]: 'db:service_healthy:false,cache:service_started:true,gone:service_started:false' } }),
    fakeContainer('p', 'web', 2),
    fakeContainer('p', 'db', 1),
    fakeContainer('p', 'cache', 1, { labels: { [LABEL_DEPENDS_ON]: 'db' } }),
  ])
  assert.deepEqual([...g.get('web')!].sort(), ['cache', 'db'])
  assert.deepEqual([...g.get('cache')!], ['db'])
  assert.deepEqual([...g.get('db')!], [])
})

test('dependencyOrder() puts dependencies first and survives a cycle', () => {
  assert.deepEqual(dependencyOrder(graph({ web: ['db', 'cache'], cache: ['db'], db: [], worker: ['db'] })), ['db', 'cache', 'web', 'worker'])
  assert.deepEqual(dependencyOrder(graph({ a: ['b'], b: ['a'] })).sort(), ['a', 'b'])
})

async function order(g: ServiceGraph, reverse: boolean): Promise<string[]> {
  const seen: string[] = []
  await visitInOrder(g, async (s) => {
    await new Promise((r) => setImmediate(r))
    seen.push(s)
  }, reverse)
  return seen
}

test('visitInOrder() runs a service only after its dependencies, or its dependents when reversed', async () => {
  const g = graph({ web: ['db', 'cache'], cache: ['db'], db: [] })
  assert.deepEqual(await order(g, false), ['db', 'cache', 'web'])
  assert.deepEqual(await order(g, true), ['web', 'cache', 'db'])
})

test('visitInOrder() does not run dependents of a failed service and rethrows its error', async () => {
  const g = graph({ web: ['db'], db: [], other: [] })
  const ran: string[] = []
  await assert.rejects(visitInOrder(g, async (s) => {
    if (s === 'db') throw new Error('db failed')
    ran.push(s)
  }), /db failed/)
  assert.deepEqual(ran, ['other'])
})

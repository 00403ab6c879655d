import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EngineError } from '../../common/index.js'
import { filterContainers } from './list-filter.js'
import { sampleRecord } from './testing/fixtures.js'
import type { ContainerRecord, ContainerStatus } from './types.js'

function rec(n: number, name: string, status: ContainerStatus, extra: { labels?: Record<string, string>; exitCode?: number; image?: string } = {}): ContainerRecord {
  const r = sampleRecord({ id: `${n}`.repeat(64).slice(0, 64), name, created: `2024-01-0${n}T00:00:00.000Z` })
  r.spec = { ...r.spec, labels: extra.labels ?? {} }
  if (extra.image) r.imageId = extra.image as ContainerRecord['imageId']
  const ran = status !== 'created'
  r.state = { ...r.state, status, running: status === 'running', exitCode: extra.exitCode ?? 0, startedAt: ran ? '2024-01-01T00:00:00Z' : r.state.startedAt }
  return r
}

const records = [
  rec(1, 'web', 'running', { labels: { app: 'shop', tier: 'front' } }),
  rec(2, 'db', 'exited', { labels: { app: 'shop' }, exitCode: 1 }),
  rec(3, 'cache', 'created'),
  rec(4, 'worker', 'running', { image: `sha256:${'b'.repeat(64)}` }),
  rec(5, 'job', 'exited', { exitCode: 0 }),
]
const ctx = {
  lookup: (x: string) => {
    const r = records.find((c) => c.name === x || c.id.startsWith(x))
    if (!r) throw new EngineError('NotFound', 'CONTAINER_NOT_FOUND', `No such container: ${x}`)
    return r
  },
}
const names = (rs: ContainerRecord[]) => rs.map((r) => r.name)

test('filterContainers() lists running containers newest first unless all', () => {
  assert.deepEqual(names(filterContainers(records, {}, ctx)), ['worker', 'web'])
  assert.deepEqual(names(filterContainers(records, { all: true }, ctx)), ['job', 'worker', 'cache', 'db', 'web'])
  assert.deepEqual(names(filterContainers(records, { limit: 2 }, ctx)), ['job', 'worker'])
})

test('filterContainers() sorts records given out of order; ties keep the later-given first', () => {
  const shuffled = [records[2]!, records[0]!, records[4]!, records[1]!, records[3]!]
  assert.deepEqual(names(filterContainers(shuffled, { all: true }, ctx)), ['job', 'worker', 'cache', 'db', 'web'])
  const twin = { ...rec(5, 'twin', 'exited'), id: 'f'.repeat(64) }
  assert.deepEqual(names(filterContainers([...records, twin], { all: true }, ctx)).slice(0, 2), ['twin', 'job'])
  assert.deepEqual(names(filterContainers([twin, ...records], { all: true }, ctx)).slice(0, 3), ['job', 'twin', 'worker'])
})

test('filterContainers() filters by status, exited, name, id and label', () => {
  assert.deepEqual(names(filterContainers(records, { filters: { status: ['exited'] } }, ctx)), ['job', 'db'])
  assert.deepEqual(names(filterContainers(records, { filters: { exited: ['1'] } }, ctx)), ['db'])
  assert.deepEqual(names(filterContainers(records, { filters: { exited: ['0'] } }, ctx)), ['job'])
  assert.deepEqual(names(filterContainers(records, { all: true, filters: { name: ['^/?w'] } }, ctx)), ['worker', 'web'])
  assert.deepEqual(names(filterContainers(records, { all: true, filters: { name: ['ach'] } }, ctx)), ['cache'])
  assert.deepEqual(names(filterContainers(records, { all: true, filters: { id: ['333'] } }, ctx)), ['cache'])
  assert.deepEqual(names(filterContainers(records, { all: true, filters: { label: ['app=shop'] } }, ctx)), ['db', 'web'])
  assert.deepEqual(names(filterContainers(records, { all: true, filters: { label: ['app', 'tier=front'] } }, ctx)), ['web'])
})

test('filterContainers() handles before, since and ancestor', () => {
  assert.deepEqual(names(filterContainers(records, { all: true, filters: { before: ['cache'] } }, ctx)), ['db', 'web'])
  assert.deepEqual(names(filterContainers(records, { all: true, filters: { since: ['cache'] } }, ctx)), ['job', 'worker'])
  const ancestorImageIds = new Set([`sha256:${'b'.repeat(64)}`])
  assert.deepEqual(names(filterContainers(records, { all: true }, { ...ctx, ancestorImageIds })), ['worker'])
  assert.throws(() => filterContainers(records, { filters: { before: ['nope'] } }, ctx), (e: unknown) => e instanceof EngineError && e.kind === 'NotFound')
})

test('filterContainers() rejects unknown filters and bad values', () => {
  const invalid = (message: string) => (e: unknown) => e instanceof EngineError && e.kind === 'InvalidArgument' && e.message === message
  assert.throws(() => filterContainers(records, { filters: { bogus: ['x'] } }, ctx), invalid("invalid filter 'bogus'"))
  assert.throws(() => filterContainers(records, { filters: { status: ['sleeping'] } }, ctx), invalid("invalid filter 'status=sleeping'"))
  assert.throws(() => filterContainers(records, { filters: { exited: ['x'] } }, ctx), invalid("invalid filter 'exited=x'"))
  assert.throws(() => filterContainers(records, { filters: { health: ['ok'] } }, ctx), invalid("invalid filter 'health=ok'"))
  // No record has a health check: none matches "healthy", the running ones match "none".
  assert.deepEqual(names(filterContainers(records, { filters: { health: ['healthy'] } }, ctx)), [])
  assert.deepEqual(names(filterContainers(records, { filters: { health: ['none'] } }, ctx)), ['worker', 'web'])
})

test('filterContainers() selects by volume name, bind source or mount destination', () => {
  const mp = { type: 'volume' as const, name: 'dbdata', source: '/v/dbdata/_data', destination: '/var/lib/db', driver: 'local', mode: '', rw: true, propagation: '' }
  const withMounts = records.map((r) => (r.name === 'db' ? { ...r, mountPoints: [mp] } : r))
  assert.deepEqual(names(filterContainers(withMounts, { all: true, filters: { volume: ['dbdata'] } }, ctx)), ['db'])
  assert.deepEqual(names(filterContainers(withMounts, { all: true, filters: { volume: ['/var/lib/db'] } }, ctx)), ['db'])
  assert.deepEqual(names(filterContainers(withMounts, { all: true, filters: { volume: ['other'] } }, ctx)), [])
})

test('filterContainers() selects by the name or an id prefix of an attached network', () => {
  const front = { id: 'f1f1'.repeat(16), name: 'front' }
  const back = { id: 'b2b2'.repeat(16), name: 'back' }
  const attached: Record<string, Array<{ id: string; name: string }>> = { web: [front, back], db: [back], cache: [front] }
  const networksOf = (id: string) => attached[records.find((r) => r.id === id)!.name] ?? []
  const byNetwork = (...values: string[]) => names(filterContainers(records, { all: true, filters: { network: values } }, { ...ctx, networksOf }))
  assert.deepEqual(byNetwork('front'), ['cache', 'web'])
  // cache was never started: as in dockerd its endpoint has no NetworkID yet, so only the name matches it.
  assert.deepEqual(byNetwork('f1f1'), ['web'])
  assert.deepEqual(byNetwork('b2b2'), ['db', 'web'])
  assert.deepEqual(byNetwork(back.id), ['db', 'web'])
  assert.deepEqual(byNetwork('front', 'back'), ['cache', 'db', 'web'])
  // A name matches exactly only; an id prefix that is not one matches nothing.
  assert.deepEqual(byNetwork('fro'), [])
  assert.deepEqual(byNetwork('f1f2'), [])
  // Without network lookups nothing is attached anywhere.
  assert.deepEqual(names(filterContainers(records, { all: true, filters: { network: ['front'] } }, ctx)), [])
})

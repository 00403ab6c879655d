import { test } from 'node:test'
import assert from 'node:assert/strict'
import { planPs, renderPs } from '../../format/index.js'
import { startTestServer } from '../testing/http-harness.js'
import type { ContainerSummary } from '../types/index.js'

const busybox = { architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z', config: { Env: ['PATH=/bin'], Cmd: ['sh'] } }

async function serverWithContainers(t: { after(fn: () => Promise<void>): void }) {
  const srv = await startTestServer()
  t.after(() => srv.close())
  srv.engine.images.add('busybox', busybox)
  for (const name of ['web', 'db']) {
    await srv.request('POST', `/containers/create?name=${name}`, { body: { Image: 'busybox', Cmd: ['sleep', '1 2'], Labels: { app: name } } })
  }
  return srv
}

test('GET /berth/cli/ps renders what ps renders from GET /containers/json, flags passed through', async (t) => {
  const srv = await serverWithContainers(t)
  const cases: Array<[string, Parameters<typeof planPs>[0], string]> = [
    ['all=1', { all: true }, 'all=1'],
    ['all=1&quiet=1', { all: true, quiet: true }, 'all=1'],
    ['all=1&no-trunc=1&size=1', { all: true, trunc: false, size: true }, 'all=1&size=1'],
    ['last=1', { last: 1 }, 'limit=1'],
    ['latest=1', { latest: true }, 'limit=1'],
    [`all=1&format=${encodeURIComponent('table {{.Names}}\\t{{.Label "app"}}')}`, { all: true, format: 'table {{.Names}}\\t{{.Label "app"}}' }, 'all=1'],
    [`all=1&filter=${encodeURIComponent('name=web')}`, { all: true }, `all=1&filters=${encodeURIComponent(JSON.stringify({ name: { web: true } }))}`],
  ]
  for (const [query, flags, listQuery] of cases) {
    const res = await srv.request('GET', `/berth/cli/ps?${query}`)
    assert.equal(res.status, 200, query)
    assert.equal(res.headers['content-type'], 'text/plain; charset=utf-8')
    const items = (await srv.request('GET', `/containers/json?${listQuery}`)).json<ContainerSummary[]>()
    assert.equal(res.body.toString(), renderPs(planPs(flags), items), query)
  }
  const filtered = await srv.request('GET', `/berth/cli/ps?all=1&quiet=1&no-trunc=1&filter=${encodeURIComponent('label=app=db')}`)
  const listCall = srv.engine.containers.calls.filter((c) => c[0] === 'list').pop()
  assert.deepEqual(listCall?.[1], { all: true, limit: undefined, size: false, filters: { label: ['app=db'] }, readOnly: true })
  assert.match(filtered.body.toString(), /^([0-9a-f]{64}\n)+$/)
})

test('GET /berth/cli/ps answers 400 for what the CLI must report itself: another time zone, unknown flags, bad values, filters, templates', async (t) => {
  const srv = await serverWithContainers(t)
  const tz = process.env.TZ === 'Asia/Tokyo' ? 'Europe/Paris' : 'Asia/Tokyo'
  for (const query of [`all=1&tz=${tz}`, 'all=1&bogus=1', 'all=true', 'all=1&last=x', 'all=1&filter=nokey', `all=1&format=${encodeURIComponent('{{.Nope}}')}`, `format=${encodeURIComponent('{{.ID')}`]) {
    const res = await srv.request('GET', `/berth/cli/ps?${query}`)
    assert.equal(res.status, 400, query)
    assert.equal(typeof res.json<{ message: string }>().message, 'string')
  }
})

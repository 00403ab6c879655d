import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EngineError } from '../common/index.js'
import { startTestServer } from './testing/http-harness.js'

test('createApiServer() serves paths with and without the /v1.NN prefix, with Docker headers', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  for (const path of ['/version', '/v1.50/version', '/v1.24/version']) {
    const res = await srv.request('GET', path)
    assert.equal(res.status, 200, path)
    assert.equal(res.headers['api-version'], '1.50')
    assert.equal(res.headers['docker-experimental'], 'false')
    assert.equal(res.headers['ostype'], 'linux')
    assert.equal(res.headers['server'], 'berth/0.1.0 (linux)')
    // One Date header, in HTTP's IMF-fixdate form (berth formats it itself, not node).
    assert.match(String(res.headers['date']), /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/)
    assert.ok(Math.abs(Date.parse(String(res.headers['date'])) - Date.now()) < 60_000, String(res.headers['date']))
    const body = res.json<{ ApiVersion: string; MinAPIVersion: string; Arch: string; Components: Array<{ Name: string }> }>()
    assert.equal(body.ApiVersion, '1.50')
    assert.equal(body.MinAPIVersion, '1.24')
    assert.equal(body.Arch, 'amd64')
    assert.equal(body.Components[0]?.Name, 'Engine')
  }
})

test('createApiServer() answers out-of-range versions with 400 and moby wording', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const tooNew = await srv.request('GET', '/v1.99/info')
  assert.equal(tooNew.status, 400)
  assert.deepEqual(tooNew.json(), { message: 'client version 1.99 is too new. Maximum supported API version is 1.50' })
  assert.equal(tooNew.headers['api-version'], '1.50')
  const tooOld = await srv.request('GET', '/v1.19/info')
  assert.equal(tooOld.status, 400)
  assert.match(tooOld.json<{ message: string }>().message, /^client version 1.19 is too old\. Minimum supported API version is 1.24/)
})

test('GET and HEAD /_ping answer OK with no-cache headers', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const get = await srv.request('GET', '/_ping')
  assert.equal(get.status, 200)
  assert.equal(get.body.toString(), 'OK')
  assert.match(String(get.headers['content-type']), /^text\/plain/)
  assert.equal(get.headers['api-version'], '1.50')
  assert.equal(get.headers['builder-version'], '1')
  assert.equal(get.headers['cache-control'], 'no-cache, no-store, must-revalidate')
  assert.equal(get.headers['pragma'], 'no-cache')
  const head = await srv.request('HEAD', '/v1.50/_ping')
  assert.equal(head.status, 200)
  assert.equal(head.body.length, 0)
  assert.equal(head.headers['api-version'], '1.50')
  assert.equal(head.headers['cache-control'], 'no-cache, no-store, must-revalidate')
})

test('createApiServer() answers unknown routes with 404 "page not found"', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  for (const [method, path] of [['GET', '/nope'], ['PUT', '/containers/json'], ['GET', '/vx/info']] as const) {
    const res = await srv.request(method, path)
    assert.equal(res.status, 404, `${method} ${path}`)
    assert.deepEqual(res.json(), { message: 'page not found' })
  }
})

test('createApiServer() maps error kinds to statuses and hides internal details', async (t) => {
  const logged: string[] = []
  const logger = { debug() {}, info() {}, warn() {}, error: (msg: string, f?: Record<string, unknown>) => logged.push(`${msg} ${String(f?.stack)}`) }
  const srv = await startTestServer({ logger })
  t.after(() => srv.close())
  srv.engine.images.add('busybox', { architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] } })
  srv.engine.containers.script = { output: [], exitCode: 0, keepRunning: true }
  const missing = await srv.request('GET', '/containers/nothere/json')
  assert.equal(missing.status, 404)
  assert.deepEqual(missing.json(), { message: 'No such container: nothere' })
  await srv.request('POST', '/containers/create?name=web', { body: { Image: 'busybox' } })
  const dup = await srv.request('POST', '/containers/create?name=web', { body: { Image: 'busybox' } })
  assert.equal(dup.status, 409)
  assert.match(dup.json<{ message: string }>().message, /name "\/web" is already in use/)
  assert.equal((await srv.request('POST', '/containers/web/start')).status, 204)
  const again = await srv.request('POST', '/containers/web/start')
  assert.equal(again.status, 304)
  assert.equal(again.body.length, 0)
  srv.engine.containers.resize = async () => {
    throw new TypeError('cannot read x of undefined')
  }
  const internal = await srv.request('POST', '/containers/web/resize?h=10&w=20')
  assert.equal(internal.status, 500)
  assert.deepEqual(internal.json(), { message: 'cannot read x of undefined' })
  assert.ok(logged.some((l) => l.includes('TypeError')), 'unknown errors are logged with their stack')
  srv.engine.containers.resize = async () => {
    throw new EngineError('NotImplemented', 'X', 'not yet')
  }
  assert.equal((await srv.request('POST', '/containers/web/resize?h=10&w=20')).status, 501)
})

test('createApiServer() rejects malformed JSON and wrong content types with 400', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const bad = await srv.request('POST', '/containers/create', { body: '{"Image": busybox}', headers: { 'Content-Type': 'application/json' } })
  assert.equal(bad.status, 400)
  assert.match(bad.json<{ message: string }>().message, /^invalid JSON: /)
  const empty = await srv.request('POST', '/containers/create', { body: '', headers: { 'Content-Type': 'application/json' } })
  assert.equal(empty.status, 400)
  assert.deepEqual(empty.json(), { message: 'config cannot be empty in order to create a container' })
  const ct = await srv.request('POST', '/containers/create', { body: '{}', headers: { 'Content-Type': 'text/plain' } })
  assert.equal(ct.status, 400)
  assert.match(ct.json<{ message: string }>().message, /unsupported Content-Type header \(text\/plain\)/)
  const filters = await srv.request('GET', '/containers/json?filters=%7Bbad')
  assert.equal(filters.status, 400)
})

test('GET /info reports engine counts in Docker field names', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  srv.engine.images.add('busybox', { architecture: 'amd64', os: 'linux' })
  await srv.request('POST', '/containers/create', { body: { Image: 'busybox' } })
  const info = (await srv.request('GET', '/v1.50/info')).json<Record<string, unknown>>()
  assert.equal(info.Containers, 1)
  assert.equal(info.ContainersStopped, 1)
  assert.equal(info.Images, 1)
  assert.equal(info.Driver, 'overlayfs')
  assert.equal(info.DefaultRuntime, 'crun')
  assert.deepEqual(info.Runtimes, { crun: { path: 'crun' }, runc: { path: 'runc' } })
  assert.equal((info.Swarm as { LocalNodeState: string }).LocalNodeState, 'inactive')
  assert.equal(info.OSType, 'linux')
})

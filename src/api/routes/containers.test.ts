import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestServer } from '../testing/http-harness.js'
import type { ContainerInspectResponse, ContainerSummary } from '../types/index.js'

const busybox = { architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z', config: { Env: ['PATH=/bin'], Cmd: ['sh'], Labels: { from: 'image' } } }

test('POST /containers/create then GET /containers/{id}/json returns Docker inspect shape', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  srv.engine.images.add('busybox', busybox)
  const created = await srv.request('POST', '/v1.50/containers/create?name=web', {
    body: { Image: 'busybox', Cmd: ['echo', 'hello world'], Env: ['A=1'], Labels: { app: 'x' }, Tty: false, HostConfig: { NetworkMode: 'host', ShmSize: 1024 } },
  })
  assert.equal(created.status, 201)
  const { Id, Warnings } = created.json<{ Id: string; Warnings: string[] }>()
  assert.match(Id, /^[0-9a-f]{64}$/)
  assert.deepEqual(Warnings, [])
  const spec = srv.engine.containers.calls.find((c) => c[0] === 'create')
  assert.equal(spec?.[2], 'web')
  const inspect = (await srv.request('GET', `/v1.50/containers/${Id.slice(0, 12)}/json`)).json<ContainerInspectResponse>()
  assert.equal(inspect.Id, Id)
  assert.equal(inspect.Name, '/web')
  assert.equal(inspect.Path, 'echo')
  assert.deepEqual(inspect.Args, ['hello world'])
  assert.equal(inspect.State.Status, 'created')
  assert.equal(inspect.State.StartedAt, '0001-01-01T00:00:00Z')
  assert.match(inspect.Image, /^sha256:/)
  assert.deepEqual(inspect.Config.Env, ['A=1', 'PATH=/bin'])
  assert.deepEqual(inspect.Config.Cmd, ['echo', 'hello world'])
  assert.equal(inspect.Config.Image, 'busybox')
  assert.equal(inspect.Config.Hostname, Id.slice(0, 12))
  assert.deepEqual(inspect.Config.Labels, { from: 'image', app: 'x' })
  assert.equal(inspect.HostConfig.NetworkMode, 'host')
  assert.equal(inspect.HostConfig.ShmSize, 1024)
  assert.deepEqual(inspect.HostConfig.RestartPolicy, { Name: 'no', MaximumRetryCount: 0 })
  assert.deepEqual(Object.keys(inspect.NetworkSettings.Networks), ['host'])
  assert.equal(inspect.GraphDriver.Data?.MergedDir, `/fake/containers/${Id}/rootfs`)
  assert.deepEqual(inspect.Mounts, [])
})

test('POST /containers/create keeps the engine\'s "No such image" message for the CLI to pull', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const res = await srv.request('POST', '/containers/create', { body: { Image: 'busybox:latest' } })
  assert.equal(res.status, 404)
  assert.deepEqual(res.json(), { message: 'No such image: busybox:latest' })
})

test('GET /containers/json passes all, limit and filters through and renders the list shape', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  srv.engine.images.add('busybox', busybox)
  await srv.request('POST', '/containers/create?name=a', { body: { Image: 'busybox', Cmd: ['sleep', '1 2'] } })
  const filters = encodeURIComponent(JSON.stringify({ status: { created: true }, label: { 'a=b': true } }))
  const res = await srv.request('GET', `/v1.50/containers/json?all=1&limit=5&filters=${filters}`)
  assert.equal(res.status, 200)
  const listCall = srv.engine.containers.calls.filter((c) => c[0] === 'list').pop()
  assert.deepEqual(listCall?.[1], { all: true, limit: 5, size: false, filters: { status: ['created'], label: ['a=b'] }, readOnly: true })
  const [item] = res.json<ContainerSummary[]>()
  assert.deepEqual(item?.Names, ['/a'])
  assert.equal(item?.Command, "sleep '1 2'")
  assert.equal(item?.State, 'created')
  assert.equal(item?.Status, 'Created')
  assert.equal(item?.Image, 'busybox')
  assert.deepEqual(item?.Ports, [])
  assert.equal(typeof item?.Created, 'number')
  assert.equal(item?.HostConfig.NetworkMode, 'bridge') // dockerd reports the default network mode as bridge
  const none = await srv.request('GET', '/containers/json')
  assert.deepEqual(none.json(), [])
})

test('container lifecycle routes answer 204 and pass their parameters', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  srv.engine.images.add('busybox', busybox)
  srv.engine.containers.script = { output: [], exitCode: 0, keepRunning: true }
  await srv.request('POST', '/containers/create?name=c1', { body: { Image: 'busybox' } })
  assert.equal((await srv.request('POST', '/containers/c1/start')).status, 204)
  assert.equal((await srv.request('POST', '/containers/c1/stop?t=0&signal=SIGKILL')).status, 204)
  assert.deepEqual(srv.engine.containers.calls.find((c) => c[0] === 'stop'), ['stop', 'c1', { timeout: 0, signal: 'SIGKILL' }])
  assert.equal((await srv.request('POST', '/containers/c1/stop')).status, 304)
  assert.equal((await srv.request('POST', '/containers/c1/restart?t=1')).status, 204)
  assert.equal((await srv.request('POST', '/containers/c1/kill?signal=SIGTERM')).status, 204)
  const killAgain = await srv.request('POST', '/containers/c1/kill')
  assert.equal(killAgain.status, 409)
  assert.match(killAgain.json<{ message: string }>().message, /is not running/)
  assert.equal((await srv.request('POST', '/containers/c1/rename?name=c2')).status, 204)
  assert.equal((await srv.request('POST', '/containers/c2/resize?h=40&w=120')).status, 200)
  assert.deepEqual(srv.engine.containers.calls.find((c) => c[0] === 'resize'), ['resize', 'c2', 40, 120])
  assert.equal((await srv.request('POST', '/containers/c2/resize?h=x&w=1')).status, 400)
  assert.equal((await srv.request('DELETE', '/containers/c2?force=1&v=1')).status, 204)
  assert.equal((await srv.request('GET', '/containers/c2/json')).status, 404)
})

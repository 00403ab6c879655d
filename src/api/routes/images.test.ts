import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestServer } from '../testing/http-harness.js'
import type { ImageInspectResponse, ImageSummary } from '../types/index.js'

const config = { architecture: 'amd64', os: 'linux', created: '2024-01-02T03:04:05.123456789Z', config: { Cmd: ['sh'], Env: ['PATH=/bin'], Labels: { l: 'v' } } }

test('GET /images/json and /images/{name}/json render Docker shapes, also for names with slashes', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const img = srv.engine.images.add('ghcr.io/org/app:1', config, 4096)
  const list = (await srv.request('GET', '/v1.50/images/json?all=1')).json<ImageSummary[]>()
  assert.deepEqual(list, [{
    Id: img.id, ParentId: '', RepoTags: ['ghcr.io/org/app:1'], RepoDigests: [], Created: 1704164645, Size: 4096,
    SharedSize: -1, Labels: { l: 'v' }, Containers: -1,
  }])
  assert.deepEqual(srv.engine.images.lastListOptions, { all: true, filters: {} })
  const res = await srv.request('GET', '/v1.50/images/ghcr.io/org/app:1/json')
  assert.equal(res.status, 200)
  const inspect = res.json<ImageInspectResponse>()
  assert.equal(inspect.Id, img.id)
  assert.equal(inspect.Created, '2024-01-02T03:04:05.123456789Z')
  assert.deepEqual(inspect.Config.Cmd, ['sh'])
  assert.equal(inspect.Config.WorkingDir, '')
  assert.deepEqual(inspect.RootFS, { Type: 'layers', Layers: img.config.rootfs.diff_ids })
  assert.equal(inspect.Os, 'linux')
  const missing = await srv.request('GET', '/images/nope/json')
  assert.equal(missing.status, 404)
  assert.deepEqual(missing.json(), { message: 'No such image: nope' })
})

test('POST /images/{name}/tag, GET history and DELETE /images/{name} round-trip', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const img = srv.engine.images.add('busybox', config)
  assert.equal((await srv.request('POST', '/images/busybox/tag?repo=me/bb&tag=v1')).status, 201)
  assert.deepEqual((await srv.request('GET', '/images/me/bb:v1/json')).json<ImageInspectResponse>().RepoTags, ['busybox:latest', 'me/bb:v1'])
  const history = (await srv.request('GET', '/images/me/bb:v1/history')).json<Array<Record<string, unknown>>>()
  assert.equal(history[0]?.Id, img.id)
  assert.deepEqual(history[0]?.Tags, ['busybox:latest', 'me/bb:v1'])
  const untag = await srv.request('DELETE', '/images/me/bb:v1')
  assert.deepEqual(untag.json(), [{ Untagged: 'me/bb:v1' }])
  await srv.request('POST', '/containers/create', { body: { Image: 'busybox' } })
  const inUse = await srv.request('DELETE', '/images/busybox')
  assert.equal(inUse.status, 409)
  const forced = await srv.request('DELETE', '/images/busybox?force=1')
  assert.deepEqual(forced.json(), [{ Untagged: 'busybox:latest' }, { Deleted: img.id }])
})

test('POST /images/create?fromSrc=- imports the body and streams the new id', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const res = await srv.request('POST', '/v1.50/images/create?fromSrc=-&repo=imported&tag=v2&message=hello&changes=CMD%20%5B%22sh%22%5D', {
    body: Buffer.alloc(2048, 1), headers: { 'Content-Type': 'application/x-tar' },
  })
  assert.equal(res.status, 200)
  assert.equal(res.headers['content-type'], 'application/json')
  const text = res.body.toString()
  assert.match(text, /^\{"status":"sha256:[0-9a-f]{64}"\}\r\n$/)
  const id = (JSON.parse(text) as { status: string }).status
  const img = await srv.engine.images.resolve('imported:v2')
  assert.equal(img.id, id)
  assert.equal(img.size, 2048)
  assert.deepEqual(img.config.config?.Cmd, ['sh'])
})

test('POST /images/create?fromImage= answers 501 with a one-line reason', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const res = await srv.request('POST', '/v1.50/images/create?fromImage=docker.io%2Flibrary%2Fbusybox&tag=latest')
  assert.equal(res.status, 501)
  assert.match(res.json<{ message: string }>().message, /^Cannot pull "docker.io\/library\/busybox:latest": pulling images .* not available/)
})

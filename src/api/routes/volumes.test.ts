import { test } from 'node:test'
import assert from 'node:assert/strict'
import { startTestServer } from '../testing/http-harness.js'
import type { VolumeListResponse, VolumePruneResponse, VolumeWire } from '../types/index.js'

test('POST /volumes/create, GET /volumes and GET /volumes/{name} render Docker shapes', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const created = await srv.request('POST', '/v1.50/volumes/create', { body: { Name: 'dbdata', Labels: { tier: 'db' } } })
  assert.equal(created.status, 201)
  const expected: VolumeWire = {
    CreatedAt: '2026-01-02T03:04:05Z', Driver: 'local', Labels: { tier: 'db' }, Mountpoint: '/fake/volumes/dbdata/_data',
    Name: 'dbdata', Options: null, Scope: 'local',
  }
  assert.deepEqual(created.json(), expected)
  assert.deepEqual((await srv.request('GET', '/volumes/dbdata')).json(), expected)
  const list = (await srv.request('GET', '/volumes?filters=' + encodeURIComponent('{"label":{"tier=db":true}}'))).json<VolumeListResponse>()
  assert.deepEqual(list, { Volumes: [expected], Warnings: null })
  const bad = await srv.request('GET', '/volumes?filters=' + encodeURIComponent('{"colour":{"red":true}}'))
  assert.equal(bad.status, 400)
  assert.deepEqual(bad.json(), { message: "invalid filter 'colour'" })
  const missing = await srv.request('GET', '/volumes/nope')
  assert.equal(missing.status, 404)
  assert.deepEqual(missing.json(), { message: 'get nope: no such volume' })
})

test('DELETE /volumes/{name} answers 409 while in use and POST /volumes/prune reports what it removed', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  await srv.engine.volumes.create({ name: 'busy' })
  srv.engine.volumes.inUse.set('busy', ['abc'])
  const conflict = await srv.request('DELETE', '/volumes/busy')
  assert.equal(conflict.status, 409)
  assert.deepEqual(conflict.json(), { message: 'remove busy: volume is in use - [abc]' })
  assert.equal((await srv.request('DELETE', '/volumes/ghost?force=1')).status, 204)
  const anon = await srv.engine.volumes.create({})
  await srv.engine.volumes.create({ name: 'named' })
  assert.deepEqual((await srv.request('POST', '/volumes/prune')).json<VolumePruneResponse>(), { VolumesDeleted: [anon.name], SpaceReclaimed: 0 })
  const all = await srv.request('POST', '/volumes/prune?filters=' + encodeURIComponent('{"all":["true"]}'))
  assert.deepEqual(all.json<VolumePruneResponse>(), { VolumesDeleted: ['named'], SpaceReclaimed: 0 })
  assert.deepEqual((await srv.request('POST', '/volumes/prune')).json<VolumePruneResponse>(), { VolumesDeleted: null, SpaceReclaimed: 0 })
  srv.engine.volumes.inUse.delete('busy')
  assert.equal((await srv.request('DELETE', '/volumes/busy')).status, 204)
})

test('GET /system/df reports volumes with UsageData and rejects unknown types', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  await srv.engine.volumes.create({ name: 'sized' })
  srv.engine.volumes.inUse.set('sized', ['abc'])
  const res = await srv.request('GET', '/system/df?type=volume')
  assert.equal(res.status, 200)
  const body = res.json<{ Volumes: VolumeWire[]; Images?: unknown }>()
  assert.equal(body.Images, undefined)
  assert.deepEqual(body.Volumes.map((v) => [v.Name, v.UsageData]), [['sized', { Size: 0, RefCount: 1 }]])
  const all = (await srv.request('GET', '/system/df')).json<Record<string, unknown>>()
  assert.deepEqual(Object.keys(all).sort(), ['BuildCache', 'Containers', 'Images', 'LayersSize', 'Volumes'])
  assert.equal((await srv.request('GET', '/system/df?type=bogus')).status, 400)
})

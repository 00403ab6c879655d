import { test } from 'node:test'
import assert from 'node:assert/strict'
import { request } from 'node:http'
import { startTestServer } from '../testing/http-harness.js'

test('GET /events replays history since a time and ends at until', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  srv.engine.events.publish('container', 'create', 'c1', { name: 'one', image: 'busybox' })
  srv.engine.events.publish('image', 'tag', 'sha256:aa', { name: 'busybox:latest' })
  const until = Math.ceil(Date.now() / 1000) - 0
  const filters = encodeURIComponent(JSON.stringify({ type: { container: true } }))
  const res = await srv.request('GET', `/v1.50/events?since=0&until=${until}.999999999&filters=${filters}`)
  assert.equal(res.status, 200)
  const lines = res.body.toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  assert.deepEqual(lines.map((l) => [l.Type, l.Action, l.id, l.from]), [['container', 'create', 'c1', 'busybox']])
  assert.equal((lines[0]?.Actor as { Attributes: Record<string, string> }).Attributes.name, 'one')
  const bad = await srv.request('GET', '/events?since=yesterday')
  assert.equal(bad.status, 400)
})

test('GET /events streams new events to a connected client until it leaves', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const line = await new Promise<string>((resolve, reject) => {
    const req = request({ socketPath: srv.socketPath, method: 'GET', path: '/events' }, (res) => {
      assert.equal(res.statusCode, 200)
      res.once('data', (c: Buffer) => {
        resolve(c.toString())
        req.destroy()
      })
      srv.engine.events.publish('container', 'start', 'c9', { name: 'nine' })
    })
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)))
    req.end()
  })
  const event = JSON.parse(line) as { Action: string; Actor: { ID: string }; timeNano: number }
  assert.equal(event.Action, 'start')
  assert.equal(event.Actor.ID, 'c9')
})

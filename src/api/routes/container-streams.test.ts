import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { createDemuxer } from '../stream/index.js'
import { startTestServer, type TestServer } from '../testing/http-harness.js'

const busybox = { architecture: 'amd64', os: 'linux', config: { Cmd: ['sh'] } }

async function ranContainer(srv: TestServer, tty: boolean): Promise<string> {
  srv.engine.images.add('busybox', busybox)
  srv.engine.containers.script = {
    output: [{ stream: 'stdout', text: 'out line\n' }, { stream: 'stderr', text: 'err line\n' }], exitCode: 3, keepRunning: false,
  }
  const { Id } = (await srv.request('POST', '/containers/create', { body: { Image: 'busybox', Tty: tty } })).json<{ Id: string }>()
  const waited = srv.request('POST', `/containers/${Id}/wait?condition=next-exit`)
  await srv.request('POST', `/containers/${Id}/start`)
  await waited
  return Id
}

test('GET /containers/{id}/logs frames stdout and stderr with 8-byte headers when there is no TTY', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const id = await ranContainer(srv, false)
  const res = await srv.request('GET', `/v1.50/containers/${id}/logs?stdout=1&stderr=1&timestamps=1&tail=all`)
  assert.equal(res.status, 200)
  assert.equal(res.headers['content-type'], 'application/vnd.docker.multiplexed-stream')
  const frames = createDemuxer().push(res.body)
  assert.deepEqual(frames.map((f) => f.stream), [1, 2])
  assert.match(frames[0]?.data.toString() ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z out line\n$/)
  assert.match(frames[1]?.data.toString() ?? '', / err line\n$/)
  const old = await srv.request('GET', `/v1.41/containers/${id}/logs?stdout=1`)
  assert.equal(old.headers['content-type'], 'application/vnd.docker.raw-stream')
  assert.deepEqual(createDemuxer().push(old.body).map((f) => f.data.toString()), ['out line\n'])
  const logsCall = srv.engine.containers.calls.filter((c) => c[0] === 'logs').pop()
  assert.equal((logsCall?.[2] as { tail: unknown }).tail, 'all')
  const none = await srv.request('GET', `/containers/${id}/logs`)
  assert.equal(none.status, 400)
  assert.deepEqual(none.json(), { message: 'Bad parameters: you must choose at least one stream' })
})

test('GET /containers/{id}/logs sends raw bytes for a TTY container', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const id = await ranContainer(srv, true)
  const res = await srv.request('GET', `/containers/${id}/logs?stdout=1&stderr=1`)
  assert.equal(res.headers['content-type'], 'application/vnd.docker.raw-stream')
  assert.equal(res.body.toString(), 'out line\nerr line\n')
})

test('POST /containers/{id}/wait sends headers at once and the exit code when the container exits', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  srv.engine.images.add('busybox', busybox)
  srv.engine.containers.script = { output: [], exitCode: 7, keepRunning: true }
  const { Id } = (await srv.request('POST', '/containers/create', { body: { Image: 'busybox' } })).json<{ Id: string }>()
  await srv.request('POST', `/containers/${Id}/start`)
  const { request } = await import('node:http')
  const body = await new Promise<string>((resolve, reject) => {
    const req = request({ socketPath: srv.socketPath, method: 'POST', path: `/v1.50/containers/${Id}/wait` }, (res) => {
      assert.equal(res.statusCode, 200)
      // Headers arrived while the container still runs; now let it exit.
      void srv.request('POST', `/containers/${Id}/kill`)
      let text = ''
      res.on('data', (c: Buffer) => (text += c.toString()))
      res.on('end', () => resolve(text))
    })
    req.on('error', reject)
    req.end()
  })
  assert.deepEqual(JSON.parse(body), { StatusCode: 137, Error: null })
  const missing = await srv.request('POST', '/containers/nope/wait')
  assert.equal(missing.status, 404)
  const bad = await srv.request('POST', `/containers/${Id}/wait?condition=sometime`)
  assert.equal(bad.status, 400)
})

test('POST /containers/{id}/attach with Upgrade: tcp answers 101 and streams frames both ways', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  srv.engine.images.add('busybox', busybox)
  srv.engine.containers.script = { output: [{ stream: 'stdout', text: 'hi\n' }, { stream: 'stderr', text: 'warn\n' }], exitCode: 0, keepRunning: false }
  const { Id } = (await srv.request('POST', '/containers/create', { body: { Image: 'busybox', OpenStdin: true } })).json<{ Id: string }>()
  const sock = connect(srv.socketPath)
  t.after(() => sock.destroy())
  const received: Buffer[] = []
  const ended = new Promise<void>((resolve) => sock.on('end', resolve))
  sock.on('data', (c: Buffer) => received.push(c))
  sock.write(`POST /v1.50/containers/${Id}/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n`)
  await new Promise<void>((resolve) => {
    const check = (): void => (Buffer.concat(received).includes('\r\n\r\n') ? resolve() : void sock.once('data', check))
    check()
  })
  sock.write('typed input\n')
  await srv.request('POST', `/containers/${Id}/start`)
  await ended
  const all = Buffer.concat(received)
  const split = all.indexOf('\r\n\r\n')
  const head = all.subarray(0, split).toString()
  assert.match(head, /^HTTP\/1\.1 101 UPGRADED\r\n/)
  assert.match(head, /\r\nContent-Type: application\/vnd\.docker\.multiplexed-stream\r\n/)
  assert.match(head, /\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n/)
  assert.match(head, /\r\nApi-Version: 1\.50/)
  const frames = createDemuxer().push(all.subarray(split + 4))
  assert.deepEqual(frames.map((f) => [f.stream, f.data.toString()]), [[1, 'hi\n'], [2, 'warn\n']])
  assert.equal(Buffer.concat(srv.engine.containers.stdin).toString(), 'typed input\n')
})

test('POST /containers/{id}/attach with Upgrade answers errors as plain HTTP', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const sock = connect(srv.socketPath)
  t.after(() => sock.destroy())
  let text = ''
  sock.on('data', (c: Buffer) => (text += c.toString()))
  const ended = new Promise<void>((resolve) => sock.on('end', resolve))
  sock.write('POST /v1.50/containers/nope/attach?stream=1&stdout=1 HTTP/1.1\r\nHost: api\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n')
  await ended
  assert.match(text, /^HTTP\/1\.1 404 Not Found\r\n/)
  assert.match(text, /\{"message":"No such container: nope"\}/)
})

test('GET /containers/{id}/logs?follow=1 aborts the engine stream when the client disconnects', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  srv.engine.images.add('busybox', busybox)
  const { Id } = (await srv.request('POST', '/containers/create', { body: { Image: 'busybox' } })).json<{ Id: string }>()
  let aborted!: () => void
  const sawAbort = new Promise<void>((resolve) => (aborted = resolve))
  srv.engine.containers.logs = async function* (_id, opts) {
    yield [{ stream: 'stdout', time: '2024-01-01T00:00:00Z', line: Buffer.from('first\n') }]
    await new Promise<void>((resolve) => opts.signal?.addEventListener('abort', () => resolve(), { once: true }))
    aborted()
  }
  const { request } = await import('node:http')
  await new Promise<void>((resolve, reject) => {
    const req = request({ socketPath: srv.socketPath, path: `/containers/${Id}/logs?stdout=1&follow=1` }, (res) => {
      res.once('data', () => {
        req.destroy()
        resolve()
      })
    })
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)))
    req.end()
  })
  await sawAbort
})

test('POST /containers/{id}/attach without Upgrade streams frames on a 200 response', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  srv.engine.images.add('busybox', busybox)
  srv.engine.containers.script = { output: [{ stream: 'stdout', text: 'plain\n' }], exitCode: 0, keepRunning: false }
  const { Id } = (await srv.request('POST', '/containers/create', { body: { Image: 'busybox' } })).json<{ Id: string }>()
  const { request } = await import('node:http')
  const body = await new Promise<Buffer>((resolve, reject) => {
    const req = request({ socketPath: srv.socketPath, method: 'POST', path: `/containers/${Id}/attach?stream=1&stdout=1` }, (res) => {
      assert.equal(res.statusCode, 200)
      assert.equal(res.headers['content-type'], 'application/vnd.docker.raw-stream')
      void srv.request('POST', `/containers/${Id}/start`)
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve(Buffer.concat(chunks)))
    })
    req.on('error', reject)
    req.end()
  })
  assert.deepEqual(createDemuxer().push(body).map((f) => [f.stream, f.data.toString()]), [[1, 'plain\n']])
})

import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable, Writable } from 'node:stream'
import type { Socket } from 'node:net'
import { isEngineError } from '../common/index.js'
import { HttpEngineClient } from './http-engine-client.js'
import { DaemonError } from './errors.js'
import { encodeFrame, demultiplex } from './frames.js'

interface Seen {
  method: string
  url: string
  body: string
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void

/** A fake daemon on a temporary unix socket that answers with canned responses. */
async function fakeDaemon(
  t: TestContext,
  handler: Handler,
  options: { apiVersion?: string; onUpgrade?: (req: http.IncomingMessage, socket: Socket) => void } = {},
): Promise<{ client: HttpEngineClient; seen: Seen[]; host: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-client-'))
  const socketPath = join(dir, 'd.sock')
  const seen: Seen[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString()
      seen.push({ method: req.method ?? '', url: req.url ?? '', body })
      if (req.url === '/_ping') {
        if (options.apiVersion) res.setHeader('Api-Version', options.apiVersion)
        res.setHeader('OSType', 'linux')
        res.end('OK')
        return
      }
      handler(req, res, body)
    })
  })
  server.on('upgrade', (req: http.IncomingMessage, socket: Socket) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', body: '' })
    options.onUpgrade?.(req, socket)
  })
  await new Promise<void>((resolve) => server.listen(socketPath, resolve))
  const host = `unix://${socketPath}`
  const client = new HttpEngineClient({ host })
  t.after(async () => {
    client.close()
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
    await rm(dir, { recursive: true, force: true })
  })
  return { client, seen, host }
}

function json(res: http.ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(value))
}

test('HttpEngineClient negotiates the API version down to the daemon and caps it at 1.50', async (t) => {
  const older = await fakeDaemon(t, (_req, res) => json(res, 200, []), { apiVersion: '1.45' })
  await older.client.containerList()
  assert.equal(older.seen.at(-1)?.url, '/v1.45/containers/json')

  const newer = await fakeDaemon(t, (_req, res) => json(res, 200, []), { apiVersion: '1.52' })
  await newer.client.containerList()
  await newer.client.imageList()
  assert.deepEqual(newer.seen.map((s) => s.url), ['/_ping', '/v1.50/containers/json', '/v1.50/images/json'])

  const silent = await fakeDaemon(t, (_req, res) => json(res, 200, []))
  await silent.client.containerList()
  assert.equal(silent.seen.at(-1)?.url, '/v1.24/containers/json')
})

test('HttpEngineClient maps error statuses back to EngineError kinds with the daemon message', async (t) => {
  const statuses: Record<string, number> = { a: 404, b: 409, c: 400, d: 500, e: 501, f: 503, g: 401, h: 403 }
  const { client } = await fakeDaemon(
    t,
    (req, res) => {
      const name = /containers\/(\w)\//.exec(req.url ?? '')?.[1] ?? ''
      json(res, statuses[name] ?? 500, { message: `failed ${name}` })
    },
    { apiVersion: '1.50' },
  )
  const expected: Record<string, string> = {
    a: 'NotFound', b: 'Conflict', c: 'InvalidArgument', d: 'Internal',
    e: 'NotImplemented', f: 'Unavailable', g: 'Unauthorized', h: 'Forbidden',
  }
  for (const [name, kind] of Object.entries(expected)) {
    await assert.rejects(client.containerKill(name), (err: unknown) => {
      assert.ok(err instanceof DaemonError)
      assert.equal(err.kind, kind)
      assert.equal(err.statusCode, statuses[name])
      assert.equal(err.message, `failed ${name}`)
      return true
    })
  }
})

test('HttpEngineClient.containerStart() throws NotModified for a 304 without a body', async (t) => {
  const { client } = await fakeDaemon(t, (_req, res) => { res.writeHead(304); res.end() }, { apiVersion: '1.50' })
  await assert.rejects(client.containerStart('web'), (err: unknown) => isEngineError(err, 'NotModified'))
})

test('HttpEngineClient reports an unreachable daemon as Unavailable with berth wording', async () => {
  const host = 'unix:///nonexistent/berth-test.sock'
  const client = new HttpEngineClient({ host })
  await assert.rejects(client.version(), (err: unknown) => {
    assert.ok(isEngineError(err, 'Unavailable'))
    assert.equal(err.code, 'DAEMON_UNREACHABLE')
    assert.equal(err.message, `Cannot connect to the berth daemon at ${host}. Is berthd running?`)
    return true
  })
  client.close()
})

test('HttpEngineClient sends Docker-style query parameters and JSON bodies', async (t) => {
  const { client, seen } = await fakeDaemon(
    t,
    (req, res) => {
      if (req.url?.includes('/containers/create')) json(res, 201, { Id: 'abc', Warnings: [] })
      else if (req.method === 'GET') json(res, 200, [])
      else { res.writeHead(204); res.end() }
    },
    { apiVersion: '1.50' },
  )
  await client.containerList({ all: true, limit: 3, filters: { status: ['exited'], label: ['a=b'] } })
  const created = await client.containerCreate({ Image: 'busybox', Cmd: ['ls'] }, { name: 'web' })
  await client.containerStop('web', { timeoutSeconds: 0, signal: 'SIGKILL' })
  await client.containerRemove('web', { force: true, volumes: true })
  await client.imageTag('library/busybox:latest', { repo: 'me/box', tag: 'v1' })
  assert.equal(created.Id, 'abc')
  const urls = seen.slice(1).map((s) => decodeURIComponent(s.url))
  assert.deepEqual(urls, [
    '/v1.50/containers/json?all=1&limit=3&filters={"status":{"exited":true},"label":{"a=b":true}}',
    '/v1.50/containers/create?name=web',
    '/v1.50/containers/web/stop?t=0&signal=SIGKILL',
    '/v1.50/containers/web?v=1&force=1',
    '/v1.50/images/library/busybox:latest/tag?repo=me/box&tag=v1',
  ])
  assert.deepEqual(JSON.parse(seen[2]!.body), { Image: 'busybox', Cmd: ['ls'] })
})

test('HttpEngineClient.containerInspect() returns the raw body next to the decoded value', async (t) => {
  const raw = '{"Id":"abc","Name":"/web","State":{"Status":"running"}}'
  const { client } = await fakeDaemon(t, (_req, res) => { res.writeHead(200); res.end(raw) }, { apiVersion: '1.50' })
  const result = await client.containerInspect('web')
  assert.equal(result.raw, raw)
  assert.equal(result.value.Name, '/web')
})

test('HttpEngineClient.containerWait() resolves on headers and yields the exit code later', async (t) => {
  let finish: (() => void) | undefined
  const { client } = await fakeDaemon(
    t,
    (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.flushHeaders()
      finish = () => res.end('{"StatusCode":3}\n')
    },
    { apiVersion: '1.50' },
  )
  const handle = await client.containerWait('web', 'next-exit')
  assert.ok(finish, 'the daemon has the wait request before the handle resolves')
  finish()
  assert.deepEqual(await handle.result, { StatusCode: 3, Error: null })
})

test('HttpEngineClient.containerAttach() hijacks the connection for stdin and framed output', async (t) => {
  const { client, seen } = await fakeDaemon(t, () => {}, {
    apiVersion: '1.50',
    onUpgrade: (_req, socket) => {
      socket.write(
        'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\n' +
          'Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n',
      )
      socket.write(encodeFrame(2, 'ready\n'))
      socket.on('data', (data: Buffer) => socket.write(encodeFrame(1, `echo:${data.toString()}`)))
      socket.on('end', () => socket.end())
    },
  })
  const conn = await client.containerAttach('web', { stdin: true, stdout: true, stderr: true })
  assert.equal(conn.multiplexed, true)
  assert.match(seen.at(-1)?.url ?? '', /^\/v1\.50\/containers\/web\/attach\?stream=1&stdin=1&stdout=1&stderr=1$/)
  const out: string[] = []
  const err: string[] = []
  const sink = (into: string[], onData?: () => void): Writable =>
    new Writable({ write(chunk: Buffer, _enc, cb) { into.push(chunk.toString()); onData?.(); cb() } })
  // Half-close once the echo arrived: the daemon then ends the output side too.
  const copying = demultiplex(conn.stream, sink(out, () => conn.closeWrite()), sink(err))
  conn.stream.write('hi')
  await copying
  assert.equal(out.join(''), 'echo:hi')
  assert.equal(err.join(''), 'ready\n')
})

test('HttpEngineClient.containerAttach() rejects with the daemon error when it does not upgrade', async (t) => {
  const { client } = await fakeDaemon(t, () => {}, {
    apiVersion: '1.50',
    onUpgrade: (_req, socket) => {
      const body = '{"message":"No such container: web"}'
      socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
    },
  })
  await assert.rejects(client.containerAttach('web', { stdout: true }), (err: unknown) => {
    assert.ok(isEngineError(err, 'NotFound'))
    assert.equal(err.message, 'No such container: web')
    return true
  })
})

test('HttpEngineClient.imageImport() streams the tarball and yields the JSON messages', async (t) => {
  const { client, seen } = await fakeDaemon(
    t,
    (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.end('{"status":"sha256:1234"}\r\n')
    },
    { apiVersion: '1.50' },
  )
  const messages = []
  const stream = await client.imageImport(Readable.from([Buffer.from('tar-bytes')]), { repo: 'me/img:v1', changes: ['CMD ["sh"]'] })
  for await (const message of stream) messages.push(message)
  assert.deepEqual(messages, [{ status: 'sha256:1234' }])
  const last = seen.at(-1)!
  assert.equal(last.body, 'tar-bytes')
  assert.equal(decodeURIComponent(last.url.replace(/\+/g, ' ')), '/v1.50/images/create?fromSrc=-&repo=me/img:v1&tag=&message=&changes=CMD ["sh"]')
})

test('HttpEngineClient.containerLogs() reports whether the stream is multiplexed', async (t) => {
  const { client } = await fakeDaemon(
    t,
    (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/vnd.docker.raw-stream' })
      res.end('plain text')
    },
    { apiVersion: '1.50' },
  )
  const logs = await client.containerLogs('web', { stdout: true, tail: 'all' })
  assert.equal(logs.multiplexed, false)
  const chunks: Buffer[] = []
  for await (const c of logs.stream) chunks.push(c as Buffer)
  assert.equal(Buffer.concat(chunks).toString(), 'plain text')
})

test('HttpEngineClient.containerWait() cancel() closes the wait request at the daemon', async (t) => {
  let closed: Promise<void> | undefined
  const { client } = await fakeDaemon(
    t,
    (req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' })
      res.flushHeaders()
      closed = new Promise((resolve) => res.on('close', () => resolve()))
    },
    { apiVersion: '1.50' },
  )
  const handle = await client.containerWait('web', 'removed')
  handle.cancel()
  await closed
  assert.ok(closed, 'the daemon saw the wait request')
})

/** Options for fakeDaemon(): serves API versions up to `max` and rejects newer ones like moby does. */
function versionedDaemon(max: string): [Handler, Parameters<typeof fakeDaemon>[2]] {
  const tooNew = (url: string | undefined): string | undefined => {
    const version = /^\/v([\d.]+)\//.exec(url ?? '')?.[1] ?? max
    const [major, minor] = version.split('.').map(Number)
    const [maxMajor, maxMinor] = max.split('.').map(Number)
    const newer = major! > maxMajor! || (major === maxMajor && minor! > maxMinor!)
    return newer ? JSON.stringify({ message: `client version ${version} is too new. Maximum supported API version is ${max}` }) : undefined
  }
  const handler: Handler = (req, res) => {
    const rejection = tooNew(req.url)
    if (rejection) {
      res.writeHead(400, { 'Content-Type': 'application/json' })
      res.end(rejection)
    } else if (req.url?.includes('/images/create')) json(res, 200, { status: 'done' })
    else json(res, 200, [])
  }
  const onUpgrade = (req: http.IncomingMessage, socket: Socket): void => {
    const rejection = tooNew(req.url)
    if (rejection) socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${rejection.length}\r\n\r\n${rejection}`)
    else socket.end('HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n')
  }
  return [handler, { apiVersion: max, onUpgrade }]
}

test('HttpEngineClient with lazyNegotiation sends the first request at 1.50 without a ping', async (t) => {
  const { host, seen } = await fakeDaemon(t, ...versionedDaemon('1.50'))
  const client = new HttpEngineClient({ host, lazyNegotiation: true })
  t.after(() => client.close())
  await client.containerList()
  await client.imageList()
  assert.deepEqual(seen.map((s) => s.url), ['/v1.50/containers/json', '/v1.50/images/json'])
})

test('HttpEngineClient with lazyNegotiation negotiates down when the daemon finds 1.50 too new', async (t) => {
  const { host, seen } = await fakeDaemon(t, ...versionedDaemon('1.43'))
  const client = new HttpEngineClient({ host, lazyNegotiation: true })
  t.after(() => client.close())
  assert.deepEqual(await client.containerList(), [])
  assert.deepEqual(seen.map((s) => s.url), ['/v1.50/containers/json', '/_ping', '/v1.43/containers/json'])
  assert.equal(await client.apiVersion(), '1.43')
})

test('HttpEngineClient with lazyNegotiation negotiates down for a hijacked first request', async (t) => {
  const { host, seen } = await fakeDaemon(t, ...versionedDaemon('1.43'))
  const client = new HttpEngineClient({ host, lazyNegotiation: true })
  t.after(() => client.close())
  const conn = await client.containerAttach('web', { stdout: true })
  conn.close()
  assert.deepEqual(seen.map((s) => s.url), [
    '/v1.50/containers/web/attach?stream=1&stdout=1',
    '/_ping',
    '/v1.43/containers/web/attach?stream=1&stdout=1',
  ])
})

test('HttpEngineClient with lazyNegotiation pings before a request whose body is a stream', async (t) => {
  const { host, seen } = await fakeDaemon(t, ...versionedDaemon('1.43'))
  const client = new HttpEngineClient({ host, lazyNegotiation: true })
  t.after(() => client.close())
  const messages = []
  for await (const message of await client.imageImport(Readable.from([Buffer.from('tar')]), { repo: 'me/img' })) messages.push(message)
  assert.deepEqual(messages, [{ status: 'done' }])
  assert.deepEqual(seen.map((s) => s.url.replace(/\?.*/, '')), ['/_ping', '/v1.43/images/create'])
  assert.equal(seen[1]!.body, 'tar')
})

test('HttpEngineClient with lazyNegotiation: once a request went through at 1.50, a streamed body needs no ping', async (t) => {
  const { host, seen } = await fakeDaemon(t, ...versionedDaemon('1.50'))
  const client = new HttpEngineClient({ host, lazyNegotiation: true })
  t.after(() => client.close())
  await client.containerList()
  for await (const message of await client.imageImport(Readable.from([Buffer.from('tar')]), { repo: 'me/img' })) assert.deepEqual(message, { status: 'done' })
  assert.deepEqual(seen.map((s) => s.url.replace(/\?.*/, '')), ['/v1.50/containers/json', '/v1.50/images/create'])
})

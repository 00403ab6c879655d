import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger, type Logger } from '../../common/index.js'
import { createApiServer } from '../server.js'
import { createFakeEngine, type FakeEngine } from './fake-engine.js'

export interface TestResponse {
  status: number
  headers: IncomingHttpHeaders
  body: Buffer
  json<T = unknown>(): T
}

export interface TestServer {
  engine: FakeEngine
  server: Server
  socketPath: string
  request(method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string> }): Promise<TestResponse>
  close(): Promise<void>
}

/** The API server over a fake engine, listening on a unix socket in a fresh temp dir. */
export async function startTestServer(opts: { engine?: FakeEngine; logger?: Logger } = {}): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-api-'))
  const socketPath = join(dir, 'api.sock')
  const engine = opts.engine ?? createFakeEngine()
  const server = createApiServer({ engine, logger: opts.logger ?? silentLogger, versionInfo: { version: '0.1.0', gitCommit: 'abc1234' } })
  await new Promise<void>((resolve) => server.listen(socketPath, resolve))
  return {
    engine, server, socketPath,
    request: (method, path, o = {}) =>
      new Promise((resolve, reject) => {
        const body = o.body === undefined ? undefined : Buffer.isBuffer(o.body) ? o.body : typeof o.body === 'string' ? Buffer.from(o.body) : Buffer.from(JSON.stringify(o.body))
        const headers: Record<string, string | number> = { ...(o.headers ?? {}) }
        if (body) {
          headers['Content-Length'] = body.length
          if (!Buffer.isBuffer(o.body) && headers['Content-Type'] === undefined) headers['Content-Type'] = 'application/json'
        }
        const req = httpRequest({ socketPath, method, path, headers }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const buf = Buffer.concat(chunks)
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, json: <T>() => JSON.parse(buf.toString()) as T })
          })
          res.on('error', reject)
        })
        req.on('error', reject)
        req.end(body)
      }),
    async close() {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
      await rm(dir, { recursive: true, force: true })
    },
  }
}

import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createUrlFetcher } from './url-fetcher.js'

function openssl(dir: string, args: string[]): void {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

async function text(body: AsyncIterable<Uint8Array>): Promise<string> {
  const parts: Buffer[] = []
  for await (const chunk of body) parts.push(Buffer.from(chunk))
  return Buffer.concat(parts).toString()
}

describe('createUrlFetcher', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-url-fetcher-'))
  const caFile = join(dir, 'ca.pem')
  let httpsBase = ''
  let httpBase = ''
  const servers: Server[] = []
  // /file: the file; /moved: 302 to /file; /loop: redirects to itself; /slow: headers, then no body.
  const handler: RequestListener = (req, res) => {
    if (req.url === '/file') res.writeHead(200, { 'Last-Modified': 'Tue, 14 Nov 2023 22:13:20 GMT' }).end('over tls\n')
    else if (req.url === '/moved') res.writeHead(302, { Location: '/file' }).end()
    else if (req.url === '/loop') res.writeHead(301, { Location: '/loop' }).end()
    else if (req.url === '/slow') res.writeHead(200).write('start')
    else res.writeHead(404).end('no')
  }

  before(async () => {
    openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=url-fetcher test CA', '-keyout', 'ca-key.pem', '-out', 'ca.pem'])
    writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n')
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', 'server-key.pem', '-out', 'server.csr'])
    openssl(dir, ['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-days', '2', '-extfile', 'server.ext', '-out', 'server.pem'])
    const tlsServer = createHttpsServer({ key: readFileSync(join(dir, 'server-key.pem')), cert: readFileSync(join(dir, 'server.pem')) }, handler)
    servers.push(tlsServer)
    httpsBase = `https://127.0.0.1:${await listen(tlsServer)}`
    // Plain HTTP that sends everything to the TLS server.
    const plain = createHttpServer((req, res) => res.writeHead(301, { Location: `${httpsBase}/moved` }).end())
    servers.push(plain)
    httpBase = `http://127.0.0.1:${await listen(plain)}`
  })
  after(() => {
    for (const s of servers) s.closeAllConnections?.()
    for (const s of servers) s.close()
    rmSync(dir, { recursive: true, force: true })
  })

  test('trusts the extra CA file, read on the first https request only', async () => {
    let reads = 0
    const fetchUrl = createUrlFetcher({ extraCaFile: () => (reads++, caFile) })
    assert.equal(reads, 0)
    const res = await fetchUrl(`${httpsBase}/file`)
    assert.equal(res.status, 200)
    assert.equal(res.lastModified, 'Tue, 14 Nov 2023 22:13:20 GMT')
    assert.equal(await text(res.body), 'over tls\n')
    await text((await fetchUrl(`${httpsBase}/file`)).body)
    assert.equal(reads, 1)
  })

  test('follows redirects across schemes, relative ones against the URL that sent them', async () => {
    const fetchUrl = createUrlFetcher({ extraCaFile: () => caFile })
    const res = await fetchUrl(`${httpBase}/anything`)
    assert.equal(res.status, 200)
    assert.equal(await text(res.body), 'over tls\n')
  })

  test('rejects a server signed by a CA it was not given, or when the file is unreadable', async () => {
    for (const extraCaFile of [() => undefined, () => join(dir, 'missing.pem')]) {
      const fetchUrl = createUrlFetcher({ extraCaFile })
      await assert.rejects(fetchUrl(`${httpsBase}/file`), /certificate/)
    }
  })

  test('returns a failing status with its text; too many redirects reject', async () => {
    const fetchUrl = createUrlFetcher({ extraCaFile: () => caFile })
    const res = await fetchUrl(`${httpsBase}/nothing-here`)
    assert.deepEqual([res.status, res.statusText], [404, 'Not Found'])
    await text(res.body)
    await assert.rejects(fetchUrl(`${httpsBase}/loop`), /redirect count exceeded/)
  })

  test('an abort stops the request and its body', async () => {
    const fetchUrl = createUrlFetcher({ extraCaFile: () => caFile })
    const aborted = new AbortController()
    aborted.abort()
    await assert.rejects(fetchUrl(`${httpsBase}/file`, aborted.signal), { name: 'AbortError' })
    const ctl = new AbortController()
    const res = await fetchUrl(`${httpsBase}/slow`, ctl.signal)
    const reading = text(res.body)
    ctl.abort()
    await assert.rejects(reading)
  })
})

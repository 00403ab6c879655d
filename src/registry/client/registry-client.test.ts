import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { HttpRegistryClient } from './registry-client.js'

test('HttpRegistryClient answers a Bearer challenge through the token service with Basic credentials and scope', async (t) => {
  const tokenRequests: Array<{ url: string; auth: string | undefined }> = []
  const server = createServer((req, res) => {
    const port = (server.address() as AddressInfo).port
    if (req.url?.startsWith('/token')) {
      tokenRequests.push({ url: req.url, auth: req.headers.authorization })
      const ok = req.headers.authorization === `Basic ${Buffer.from('bob:pw').toString('base64')}`
      res.writeHead(ok ? 200 : 401, { 'Content-Type': 'application/json' })
      return res.end(ok ? JSON.stringify({ token: 'T0K3N' }) : '{}')
    }
    if (req.headers.authorization !== 'Bearer T0K3N') {
      res.writeHead(401, { 'WWW-Authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="test-registry",scope="repository:lib/app:pull"` })
      return res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }))
    }
    res.writeHead(200, { 'Content-Type': 'application/vnd.oci.image.manifest.v1+json' })
    res.end('{"schemaVersion":2}')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => server.close())
  const addr = `127.0.0.1:${(server.address() as AddressInfo).port}`
  const client = new HttpRegistryClient()
  const m = await client.repository(addr, 'lib/app', { username: 'bob', password: 'pw' }, 'pull').getManifest('1')
  assert.equal(m.bytes.toString(), '{"schemaVersion":2}')
  const url = new URL(tokenRequests[0]?.url ?? '', 'http://x')
  assert.equal(url.searchParams.get('service'), 'test-registry')
  assert.equal(url.searchParams.get('scope'), 'repository:lib/app:pull')
  await assert.rejects(client.login(addr, { username: 'bob', password: 'wrong' }), { kind: 'Unauthorized', message: /failed with status: 401 Unauthorized/ })
})

test('HttpRegistryClient with loopbackOnly refuses other registries before any network access', async () => {
  const client = new HttpRegistryClient({ loopbackOnly: true })
  await assert.rejects(client.repository('docker.io', 'library/busybox', undefined, 'pull').getManifest('latest'), {
    kind: 'Unavailable',
    message: /registry registry-1\.docker\.io is not reachable: this daemon only contacts registries on loopback/,
  })
})

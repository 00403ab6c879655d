import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import https from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import bcrypt from 'bcryptjs'
import { HttpRegistryClient } from '../client/registry-client.js'
import { createRegistryServer, listenRegistry } from './registry-server.js'
import type { Digest } from '../../common/index.js'

const sha = (b: Buffer): Digest => `sha256:${createHash('sha256').update(b).digest('hex')}`

async function serve(t: { after(fn: () => unknown): void }, htpasswd?: string): Promise<{ addr: string; root: string }> {
  const root = mkdtempSync(join(tmpdir(), 'berth-registry-test-'))
  const server = createRegistryServer({ root, htpasswd })
  const port = await listenRegistry(server, '127.0.0.1:0')
  t.after(() => {
    server.closeAllConnections()
    server.close()
    rmSync(root, { recursive: true, force: true })
  })
  return { addr: `127.0.0.1:${port}`, root }
}

async function* chunks(b: Buffer): AsyncGenerator<Buffer> {
  yield b
}

async function readAllOf(src: AsyncIterable<Buffer>): Promise<Buffer> {
  const out: Buffer[] = []
  for await (const c of src) out.push(c)
  return Buffer.concat(out)
}

test('registry server and client: monolithic and chunked uploads, Range reads, mounts, manifests, catalog', async (t) => {
  const { addr } = await serve(t)
  const client = new HttpRegistryClient()
  const repo = client.repository(addr, 'team/app', undefined, 'push')
  const blob = Buffer.alloc(300_000, 7)
  const digest = sha(blob)
  assert.equal(await repo.statBlob(digest), undefined)
  await repo.uploadBlob(digest, blob.length, async () => chunks(blob))
  assert.equal(await repo.statBlob(digest), blob.length)

  const other = Buffer.from('chunked upload body '.repeat(5000))
  const sent: number[] = []
  await repo.uploadBlob(sha(other), other.length, async () => chunks(other), { chunkSize: 32 * 1024, onProgress: (n) => sent.push(n) })
  assert.equal(sent.at(-1), other.length)
  assert.ok(sent.length > 2)

  const range = await repo.openBlob(digest, 1000)
  assert.equal(range.offset, 1000)
  assert.deepEqual(await readAllOf(range.stream), blob.subarray(1000))

  const config = Buffer.from('{"rootfs":{"type":"layers","diff_ids":[]}}')
  await repo.uploadBlob(sha(config), config.length, async () => chunks(config))
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest, size: blob.length }],
  }))
  assert.equal(await repo.putManifest('v1', 'application/vnd.oci.image.manifest.v1+json', manifest), sha(manifest))
  const byTag = await repo.getManifest('v1')
  assert.deepEqual(byTag.bytes, manifest)
  assert.equal(byTag.mediaType, 'application/vnd.oci.image.manifest.v1+json')
  assert.deepEqual((await repo.getManifest(sha(manifest))).bytes, manifest)

  const mirror = client.repository(addr, 'mirror', undefined, 'push')
  assert.equal(await mirror.mountBlob(digest, 'team/app'), true)
  assert.equal(await mirror.statBlob(digest), blob.length)
  assert.equal(await mirror.mountBlob(sha(Buffer.from('absent')), 'team/app'), false)
  assert.deepEqual(await client.catalog(addr, undefined), ['team/app'])
  await assert.rejects(repo.getManifest('nope'), { kind: 'NotFound', message: /manifest unknown/ })
})

test('registry server rejects an upload whose digest does not match and a manifest naming missing blobs', async (t) => {
  const { addr, root } = await serve(t)
  const repo = new HttpRegistryClient().repository(addr, 'x', undefined, 'push')
  const body = Buffer.from('real bytes')
  await assert.rejects(repo.uploadBlob(sha(Buffer.from('other bytes')), body.length, async () => chunks(body)), /provided digest did not match/)
  assert.deepEqual(readdirSync(join(root, '_uploads')), [])
  assert.equal(readdirSync(join(root)).includes('blobs'), false)
  const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, config: { digest: sha(body), size: 1, mediaType: 'x' }, layers: [] }))
  await assert.rejects(repo.putManifest('t', 'application/vnd.oci.image.manifest.v1+json', manifest), /blob unknown/)
})

test('registry server with htpasswd: login refuses a wrong password with Docker\'s message and accepts the right one', async (t) => {
  const line = `alice:${bcrypt.hashSync('s3cret', 4).replace(/^\$2b\$/, '$2y$')}`
  const { addr } = await serve(t, line)
  const client = new HttpRegistryClient()
  await assert.rejects(client.login(addr, { username: 'alice', password: 'nope' }), {
    kind: 'Unauthorized',
    message: `login attempt to http://${addr}/v2/ failed with status: 401 Unauthorized`,
  })
  assert.deepEqual(await client.login(addr, { username: 'alice', password: 's3cret' }), {})
  await assert.rejects(client.repository(addr, 'a', undefined, 'pull').getManifest('x'), { kind: 'Unauthorized' })
  await assert.rejects(client.repository(addr, 'a', { username: 'alice', password: 's3cret' }, 'pull').getManifest('x'), { kind: 'NotFound' })
})

test('registry server serves HTTPS with --tls-cert/--tls-key', { skip: !existsSync('/usr/bin/openssl') && 'needs openssl to make a certificate' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-registry-tls-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const cert = join(dir, 'cert.pem')
  const key = join(dir, 'key.pem')
  const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { encoding: 'utf8' })
  assert.equal(r.status, 0, r.stderr)
  const server = createRegistryServer({ root: join(dir, 'data'), tls: { cert, key } })
  const port = await listenRegistry(server, '127.0.0.1:0')
  t.after(() => {
    server.closeAllConnections()
    server.close()
  })
  const status = await new Promise<{ code: number; api: string | undefined }>((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path: '/v2/', ca: readFileSync(cert) }, (res) => {
      res.resume()
      resolve({ code: res.statusCode ?? 0, api: res.headers['docker-distribution-api-version'] as string | undefined })
    }).on('error', reject)
  })
  assert.deepEqual(status, { code: 200, api: 'registry/2.0' })
})

test('registry server with deleteEnabled false answers manifest and blob DELETE with 405 UNSUPPORTED, as registry:2', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'berth-registry-test-'))
  const server = createRegistryServer({ root, deleteEnabled: false })
  const port = await listenRegistry(server, '127.0.0.1:0')
  t.after(() => {
    server.closeAllConnections()
    server.close()
    rmSync(root, { recursive: true, force: true })
  })
  for (const path of ['/v2/x/y/manifests/latest', `/v2/x/y/blobs/sha256:${'0'.repeat(64)}`]) {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method: 'DELETE' })
    assert.equal(res.status, 405)
    assert.equal(((await res.json()) as { errors: Array<{ code: string }> }).errors[0]?.code, 'UNSUPPORTED')
  }
})

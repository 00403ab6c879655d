import { test } from 'node:test'
import assert from 'node:assert/strict'
import { choosePlatform, layerCompression, MediaTypes, parseManifest } from './manifest.js'

const d = (c: string): `sha256:${string}` => `sha256:${c.repeat(64)}`

test('parseManifest() tells manifests from indexes and refuses schema 1', () => {
  const m = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: { mediaType: MediaTypes.ociConfig, digest: d('a'), size: 2 }, layers: [] })))
  assert.equal(m.kind, 'manifest')
  const i = parseManifest(Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaTypes.dockerManifest, digest: d('b'), size: 3, platform: { os: 'linux', architecture: 'arm64' } }] })), MediaTypes.dockerList)
  assert.equal(i.kind, 'index')
  assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":1}')), /schema 1 support has been removed/)
  assert.throws(() => parseManifest(Buffer.from('{"schemaVersion":2,"config":{"digest":"bad"},"layers":[]}')), { kind: 'InvalidArgument' })
})

test('choosePlatform() picks linux/amd64 and names the platform when none matches', () => {
  const index = {
    schemaVersion: 2 as const,
    manifests: [
      { mediaType: MediaTypes.ociManifest, digest: d('1'), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { mediaType: MediaTypes.ociManifest, digest: d('2'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  }
  assert.equal(choosePlatform(index, { os: 'linux', architecture: 'amd64' }).digest, d('2'))
  assert.equal(choosePlatform(index, { os: 'linux', architecture: 'arm64' }).digest, d('1'))
  assert.throws(() => choosePlatform(index, { os: 'linux', architecture: 's390x' }), /no matching manifest for linux\/s390x/)
})

test('layerCompression() maps layer media types', () => {
  assert.equal(layerCompression(MediaTypes.dockerLayerGzip), 'gzip')
  assert.equal(layerCompression(MediaTypes.ociLayerZstd), 'zstd')
  assert.equal(layerCompression(MediaTypes.ociLayer), 'none')
  assert.equal(layerCompression('application/json'), undefined)
})

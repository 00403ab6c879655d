import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { sha256 } from '../../common/index.js'
import { LayerSources } from './layer-sources.js'

test('LayerSources.addAll() records every layer of an image in the repository, kept across instances', async (t) => {
  const dir = await mkdtemp('/tmp/berth-layer-sources-test-')
  t.after(() => rm(dir, { recursive: true, force: true }))
  const sources = new LayerSources(join(dir, 'distribution'))
  const source = (x: string): { digest: ReturnType<typeof sha256>; size: number; mediaType: string } => ({ digest: sha256(`${x}.gz`), size: 10, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' })
  await sources.add(sha256('a'), source('a'), 'reg/old')
  await sources.addAll([{ diffId: sha256('a'), source: source('a') }, { diffId: sha256('b'), source: source('b') }], 'reg/app')
  const again = new LayerSources(join(dir, 'distribution'))
  assert.deepEqual(await again.get(sha256('a')), [{ ...source('a'), repositories: ['reg/old', 'reg/app'] }])
  assert.deepEqual(await again.get(sha256('b')), [{ ...source('b'), repositories: ['reg/app'] }])
})

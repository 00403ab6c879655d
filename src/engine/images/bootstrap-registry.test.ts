import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import tarStream from 'tar-stream'
import { EventBus } from '../events/index.js'
import { FakeSnapshotter } from '../layers/index.js'
import { BOOTSTRAP_SOURCE_LABEL, bootstrapRegistry, registryDirs, registryFiles } from './bootstrap-registry.js'
import { ImageStore } from './image-store.js'

async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp('/tmp/berth-bootstrap-registry-test-')
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

/** name -> { mode, body } of every entry of a tar stream. */
async function tarEntries(tar: NodeJS.ReadableStream): Promise<Map<string, { type: string; mode: number; body: string }>> {
  const extract = tarStream.extract()
  const entries = new Map<string, { type: string; mode: number; body: string }>()
  tar.pipe(extract)
  for await (const entry of extract) {
    const parts: Buffer[] = []
    for await (const c of entry) parts.push(c as Buffer)
    entries.set(entry.header.name, { type: entry.header.type ?? 'file', mode: entry.header.mode ?? 0, body: Buffer.concat(parts).toString() })
  }
  return entries
}

test('registryFiles() puts node, its libraries at their own paths and the server script, skipping odd paths', () => {
  const files = registryFiles({ nodePath: '/usr/bin/node', libraries: ['/lib64/ld-linux-x86-64.so.2', '/lib/x86_64-linux-gnu/libc.so.6', 'relative.so', '/lib/../etc/x', '/lib64/ld-linux-x86-64.so.2'], serverScript: '/repo/bin/berth-registry' })
  assert.deepEqual(files.map((f) => [f.src, f.dest]), [
    ['/usr/bin/node', 'usr/local/bin/node'],
    ['/lib/x86_64-linux-gnu/libc.so.6', 'lib/x86_64-linux-gnu/libc.so.6'],
    ['/lib64/ld-linux-x86-64.so.2', 'lib64/ld-linux-x86-64.so.2'],
    ['/repo/bin/berth-registry', 'usr/local/lib/berth-registry/registry.cjs'],
  ])
  const dirs = registryDirs(files)
  for (const d of ['lib', 'lib/x86_64-linux-gnu', 'lib64', 'usr', 'usr/local', 'usr/local/bin', 'var/lib/registry', 'tmp']) assert.ok(dirs.includes(d), d)
  assert.ok(dirs.indexOf('usr') < dirs.indexOf('usr/local/bin'), 'parents first')
})

test('bootstrapRegistry() makes berth/registry like registry:2 and rebuilds only when its inputs change', async (t) => {
  const dir = await tempDir(t)
  const node = join(dir, 'node')
  const lib = join(dir, 'libfake.so.1')
  const script = join(dir, 'berth-registry')
  await writeFile(node, '#!fake node\n')
  await writeFile(lib, 'fake library\n')
  await writeFile(script, 'console.log("registry")\n')
  const when = new Date('2026-01-02T03:04:05Z')
  for (const f of [node, lib, script]) await utimes(f, when, when)
  const snapshotter = new FakeSnapshotter()
  const images = new ImageStore({ dataRoot: join(dir, 'data'), snapshotter, events: new EventBus() })
  const opts = { nodePath: node, libraries: [lib], serverScript: script, nodeVersion: 'v20.0.0' }

  const first = await bootstrapRegistry(images, opts)
  assert.deepEqual(first.repoTags, ['docker.io/berth/registry:latest'])
  const config = first.config.config
  assert.deepEqual(config?.Entrypoint, ['/usr/local/bin/node', '/usr/local/lib/berth-registry/registry.cjs'])
  assert.deepEqual(config?.ExposedPorts, { '5000/tcp': {} })
  assert.deepEqual(config?.Volumes, { '/var/lib/registry': {} })
  assert.match(config?.Labels?.[BOOTSTRAP_SOURCE_LABEL] ?? '', /^sha256:[0-9a-f]{64}$/)
  assert.equal(first.config.created, '2026-01-02T03:04:05Z')
  assert.equal(first.config.history?.[0]?.created_by, 'BERTH bootstrap: berth registry server on node v20.0.0')

  const diffId = first.config.rootfs.diff_ids[0]
  assert.ok(diffId)
  const entries = await tarEntries(await images.content.openRead(diffId))
  assert.equal(entries.get('usr/local/bin/node')?.body, '#!fake node\n')
  assert.equal(entries.get('usr/local/bin/node')?.mode, 0o755)
  assert.equal(entries.get(`${lib.slice(1)}`)?.body, 'fake library\n')
  assert.equal(entries.get('usr/local/lib/berth-registry/registry.cjs')?.body, 'console.log("registry")\n')
  assert.equal(entries.get('var/lib/registry/')?.type, 'directory')
  assert.equal(entries.get('tmp/')?.mode, 0o1777)

  assert.equal((await bootstrapRegistry(images, opts)).id, first.id, 'same inputs, same image')
  await writeFile(script, 'console.log("registry v2")\n')
  await utimes(script, when, when)
  const rebuilt = await bootstrapRegistry(images, opts)
  assert.notEqual(rebuilt.id, first.id)
  assert.equal((await images.resolve('berth/registry')).id, rebuilt.id)
})

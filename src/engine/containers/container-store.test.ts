import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EngineError } from '../../common/index.js'
import { ContainerStore, validateContainerName } from './container-store.js'
import { sampleRecord } from './testing/fixtures.js'

async function withStore(fn: (store: ContainerStore, root: string) => Promise<void>): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'berth-store-'))
  try {
    await fn(new ContainerStore(join(root, 'containers')), root)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

const isKind = (kind: string, message?: string) => (e: unknown) =>
  e instanceof EngineError && e.kind === kind && (message === undefined || e.message === message)

test('validateContainerName() follows Docker\'s pattern and strips the leading "/"', () => {
  assert.equal(validateContainerName('/web-1'), 'web-1')
  assert.equal(validateContainerName('a.b_c'), 'a.b_c')
  for (const bad of ['x', '-x', 'a b', 'a/b', '', '/']) {
    assert.throws(() => validateContainerName(bad), isKind('InvalidArgument', `Invalid container name (${bad}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`))
  }
})

test('ContainerStore.save() writes container.json and load() indexes it again', async () => {
  await withStore(async (store) => {
    await store.load()
    const r = sampleRecord({ id: 'ab'.repeat(32), name: 'web' })
    await store.save(r)
    const onDisk = JSON.parse(await readFile(join(store.dir(r.id), 'container.json'), 'utf8'))
    assert.equal(onDisk.name, 'web')
    const again = new ContainerStore(store.root)
    await again.load()
    assert.equal(again.resolve('web').id, r.id)
  })
})

test('ContainerStore.resolve() takes full id, name, "/name" and unique prefixes', async () => {
  await withStore(async (store) => {
    await store.load()
    const a = sampleRecord({ id: 'abc1'.padEnd(64, '0'), name: 'first' })
    const b = sampleRecord({ id: 'abc2'.padEnd(64, '0'), name: 'second' })
    await store.save(a)
    await store.save(b)
    assert.equal(store.resolve(a.id).name, 'first')
    assert.equal(store.resolve('/second').id, b.id)
    assert.equal(store.resolve('abc2').id, b.id)
    assert.throws(() => store.resolve('abc'), isKind('InvalidArgument', 'multiple IDs found with provided prefix: abc'))
    assert.throws(() => store.resolve('nope'), isKind('NotFound', 'No such container: nope'))
    assert.throws(() => store.resolve(''), isKind('NotFound'))
  })
})

test('ContainerStore.reserveName() rejects a taken name with Docker\'s conflict message', async () => {
  await withStore(async (store) => {
    await store.load()
    const a = sampleRecord({ id: '1'.repeat(64), name: 'web' })
    await store.save(a)
    assert.throws(
      () => store.reserveName('web', '2'.repeat(64)),
      isKind('Conflict', `Conflict. The container name "/web" is already in use by container "${a.id}". You have to remove (or rename) that container to be able to reuse that name.`),
    )
    store.reserveName('db', '2'.repeat(64))
    assert.throws(() => store.reserveName('db', '3'.repeat(64)), isKind('Conflict'))
    store.releaseName('db', '2'.repeat(64))
    store.reserveName('db', '3'.repeat(64))
  })
})

test('ContainerStore.reserveGeneratedName() retries with a digit when the name is taken', async () => {
  await withStore(async (store) => {
    await store.load()
    const first = store.reserveGeneratedName('1'.repeat(64), () => 0)
    assert.equal(first, 'admiring_agnesi')
    const second = store.reserveGeneratedName('2'.repeat(64), () => 0)
    assert.equal(second, 'admiring_agnesi0')
  })
})

test('ContainerStore.rename() moves the name and delete() frees it and the directory', async () => {
  await withStore(async (store) => {
    await store.load()
    const r = sampleRecord({ id: '1'.repeat(64), name: 'old' })
    await store.save(r)
    await store.rename(r, 'new')
    assert.equal(store.resolve('new').id, r.id)
    assert.throws(() => store.resolve('old'), isKind('NotFound'))
    await store.delete(r.id)
    assert.throws(() => store.resolve('new'), isKind('NotFound'))
    await assert.rejects(stat(store.dir(r.id)), { code: 'ENOENT' })
  })
})

test('ContainerStore.moveAside() forgets the record and renames its directory away; load() deletes what is left of it', async () => {
  await withStore(async (store) => {
    await store.load()
    const r = sampleRecord({ id: 'cd'.repeat(32), name: 'gone' })
    await store.save(r)
    const aside = await store.moveAside(r.id)
    assert.ok(aside)
    assert.throws(() => store.resolve('gone'), isKind('NotFound'))
    await assert.rejects(stat(store.dir(r.id)), { code: 'ENOENT' })
    assert.equal(JSON.parse(await readFile(join(aside, 'container.json'), 'utf8')).id, r.id)
    // The name is free again at once.
    await store.save(sampleRecord({ id: 'ef'.repeat(32), name: 'gone' }))
    // A berthd stopped before deleting it: the next load() finishes the job and skips the record.
    const again = new ContainerStore(store.root)
    await again.load()
    await assert.rejects(stat(aside), { code: 'ENOENT' })
    assert.deepEqual(again.all().map((x) => x.id), ['ef'.repeat(32)])
    assert.equal(await store.moveAside('12'.repeat(32)), undefined)
  })
})

test('ContainerStore.delete() removes the directory through the removeTree it was given', async () => {
  await withStore(async (store) => {
    const removed: string[] = []
    const custom = new ContainerStore(store.root, undefined, async (path) => {
      removed.push(path)
      await rm(path, { recursive: true, force: true })
    })
    await custom.load()
    const r = sampleRecord({ id: '34'.repeat(32), name: 'tree' })
    await custom.save(r)
    await custom.delete(r.id)
    assert.deepEqual(removed, [join(store.root, `.removed-${r.id}`)])
    await assert.rejects(stat(custom.dir(r.id)), { code: 'ENOENT' })
  })
})

test('ContainerStore.revision() grows at every save, rename and removal, and only then', async () => {
  await withStore(async (store) => {
    await store.load()
    const r = sampleRecord({ id: 'cd'.repeat(32), name: 'web' })
    const other = sampleRecord({ id: 'ef'.repeat(32), name: 'other' })
    assert.equal(store.revision(r.id), 0)
    await store.save(r)
    const saved = store.revision(r.id)
    assert.ok(saved > 0)
    await store.save(other)
    assert.equal(store.revision(r.id), saved, 'another record\'s save leaves it alone')
    await store.rename(r, 'web2')
    const renamed = store.revision(r.id)
    assert.ok(renamed > saved)
    r.state = { ...r.state, status: 'running', running: true }
    await store.save(r)
    assert.ok(store.revision(r.id) > renamed)
    await store.delete(r.id)
    assert.equal(store.revision(r.id), 0)
  })
})

import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { lstat, mkdir, mkdtemp, readFile, readlink, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { sha256 } from '../../common/index.js'
import { makeSpecialFiles } from '../../sys/mount.js'
import { FakeMounter } from './fake-mounter.js'
import { packTar, type TarEntry } from './pack-tar.js'
import { cleanPath, unpackLayer } from './unpack-layer.js'
import { sampleTree } from './testing/sample-layer.js'

const isRoot = process.getuid?.() === 0
const mtime = new Date(1_500_000_000_000)

async function scratch(t: TestContext): Promise<string> {
  const dir = await mkdtemp('/tmp/berth-unpack-test-')
  t.after(() => rm(dir, { recursive: true, force: true }))
  const root = join(dir, 'diff')
  await mkdir(root)
  return root
}

test('cleanPath() normalizes and rejects escapes', () => {
  assert.equal(cleanPath('./a//b/'), 'a/b')
  assert.equal(cleanPath('./'), '')
  assert.throws(() => cleanPath('/etc/passwd'), { kind: 'InvalidArgument' })
  assert.throws(() => cleanPath('a/../../b'), { kind: 'InvalidArgument' })
})

test('unpackLayer() keeps modes, owners, mtimes, symlinks, hard links and devices', { skip: !isRoot && 'needs root' }, async (t) => {
  const root = await scratch(t)
  const entries: TarEntry[] = [
    ...sampleTree(mtime),
    { header: { name: 'dev/null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3, mtime } },
    { header: { name: 'dev/nullink', type: 'link', linkname: 'dev/null', mtime } },
    { header: { name: 'run/fifo', type: 'fifo', mode: 0o600, mtime } },
    { header: { name: 'tmp/', type: 'directory', mode: 0o1777, mtime } },
  ]
  const tar = await packTar(entries)
  const result = await unpackLayer(Readable.from(tar), root, makeSpecialFiles)
  assert.equal(result.diffId, sha256(tar))
  assert.equal(result.size, 'binary'.length + 'tool'.length)
  const tool = await lstat(join(root, 'bin/tool'))
  assert.equal(tool.mode & 0o7777, 0o4755)
  assert.equal(tool.uid, 1000)
  assert.equal(tool.gid, 1001)
  assert.equal(tool.mtimeMs, mtime.getTime())
  assert.equal(tool.nlink, 2)
  assert.equal((await lstat(join(root, 'bin/hard'))).ino, tool.ino)
  assert.equal(await readlink(join(root, 'bin/alias')), 'tool')
  const bin = await lstat(join(root, 'bin'))
  assert.equal(bin.mode & 0o7777, 0o711)
  assert.equal(bin.uid, 3)
  assert.equal(bin.mtimeMs, mtime.getTime())
  const dev = await lstat(join(root, 'dev/null'))
  assert.ok(dev.isCharacterDevice())
  assert.equal(dev.rdev, (1 << 8) | 3)
  assert.equal((await lstat(join(root, 'dev/nullink'))).ino, dev.ino)
  assert.ok((await lstat(join(root, 'run/fifo'))).isFIFO())
  assert.equal((await lstat(join(root, 'tmp'))).mode & 0o7777, 0o1777)
  assert.equal((await lstat(join(root, 'dev'))).mode & 0o7777, 0o755)
})

test('unpackLayer() turns OCI whiteouts into overlay whiteouts and opaque dirs', async (t) => {
  const root = await scratch(t)
  const mounter = new FakeMounter()
  const tar = await packTar([
    { header: { name: 'etc/.wh.motd', mtime }, data: '' },
    { header: { name: 'var/cache/.wh..wh..opq', mtime }, data: '' },
    { header: { name: 'var/cache/new', mtime }, data: 'n' },
    { header: { name: '.wh..wh.plnk/123', mtime }, data: '' },
  ])
  await unpackLayer(Readable.from(tar), root, (r, f) => mounter.makeSpecialFiles(r, f))
  const call = mounter.calls.find((c) => c.op === 'makeSpecialFiles')
  assert.ok(call && call.op === 'makeSpecialFiles')
  assert.deepEqual(
    call.files.map((f) => [f.path, f.type, f.devmajor ?? null, f.devminor ?? null]),
    [['etc/motd', 'character-device', 0, 0], ['var/cache', 'opaque-dir', null, null]],
  )
  assert.equal(await readFile(join(root, 'var/cache/new'), 'utf8'), 'n')
  assert.deepEqual((await readdir(root)).sort(), ['etc', 'var'])
})

test('unpackLayer() lets later entries replace earlier ones', async (t) => {
  const root = await scratch(t)
  const tar = await packTar([
    { header: { name: 'a/b/c', mtime }, data: 'deep' },
    { header: { name: 'a', mtime }, data: 'now a file' },
    { header: { name: 'x', type: 'symlink', linkname: '/etc', mtime } },
    { header: { name: 'x', type: 'directory', mtime } },
    { header: { name: 'x/y', mtime }, data: 'inside' },
  ])
  await unpackLayer(Readable.from(tar), root, new FakeMounter().makeSpecialFiles.bind(new FakeMounter()))
  assert.equal(await readFile(join(root, 'a'), 'utf8'), 'now a file')
  assert.ok((await lstat(join(root, 'x'))).isDirectory())
  assert.equal(await readFile(join(root, 'x/y'), 'utf8'), 'inside')
})

for (const [label, entries] of [
  ['a ".." path', [{ header: { name: '../evil', mtime }, data: 'x' }]],
  ['an absolute path', [{ header: { name: '/evil', mtime }, data: 'x' }]],
  ['a write through a symlink', [
    { header: { name: 'link', type: 'symlink', linkname: '/tmp', mtime } },
    { header: { name: 'link/evil', mtime }, data: 'x' },
  ]],
  ['a hard link out of the layer', [{ header: { name: 'h', type: 'link', linkname: '../../etc/passwd', mtime } }]],
  ['a hard link through a symlink', [
    { header: { name: 'link', type: 'symlink', linkname: '/etc', mtime } },
    { header: { name: 'h', type: 'link', linkname: 'link/passwd', mtime } },
  ]],
  ['a whiteout of ".."', [{ header: { name: 'd/.wh...', mtime }, data: '' }]],
] as Array<[string, TarEntry[]]>) {
  test(`unpackLayer() rejects ${label}`, async (t) => {
    const root = await scratch(t)
    const tar = await packTar(entries)
    await assert.rejects(unpackLayer(Readable.from(tar), root, async () => {}), { kind: 'InvalidArgument' })
    const outside = await readdir(join(root, '..'))
    assert.deepEqual(outside, ['diff'])
  })
}

test('unpackLayer() hashes trailing bytes after the end-of-archive blocks', async (t) => {
  const root = await scratch(t)
  const tar = Buffer.concat([await packTar([{ header: { name: 'f', mtime }, data: 'x' }]), Buffer.alloc(10240)])
  const result = await unpackLayer(Readable.from([tar.subarray(0, 700), tar.subarray(700)]), root, async () => {})
  assert.equal(result.diffId, sha256(tar))
})

test('unpackLayer() with shiftOwner stores every owner shifted, implicit dirs as the shifted root', { skip: !isRoot && 'needs root' }, async (t) => {
  const root = await scratch(t)
  const entries: TarEntry[] = [
    { header: { name: 'etc/', type: 'directory', mode: 0o755, uid: 0, gid: 0, mtime } },
    { header: { name: 'etc/passwd', mode: 0o644, uid: 0, gid: 0, mtime }, data: 'root:x:0:0' },
    { header: { name: 'home/user/file', mode: 0o600, uid: 1000, gid: 100, mtime }, data: 'x' },
    { header: { name: 'etc/link', type: 'symlink', linkname: 'passwd', uid: 5, gid: 6, mtime } },
  ]
  const tar = await packTar(entries)
  await unpackLayer(Readable.from([tar]), root, makeSpecialFiles, { shiftOwner: (uid, gid) => ({ uid: uid + 100000, gid: gid + 200000 }) })
  const owner = async (rel: string): Promise<[number, number]> => {
    const st = await lstat(join(root, rel))
    return [st.uid, st.gid]
  }
  assert.deepEqual(await owner('etc'), [100000, 200000])
  assert.deepEqual(await owner('etc/passwd'), [100000, 200000])
  assert.deepEqual(await owner('home/user/file'), [101000, 200100])
  assert.deepEqual(await owner('home'), [100000, 200000])
  assert.deepEqual(await owner('etc/link'), [100005, 200006])
})

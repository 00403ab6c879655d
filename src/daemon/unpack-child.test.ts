import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { EngineError, isEngineError, RuntimeError, sha256 } from '../common/index.js'
import { inProcessUnpacker, packTar, type TarEntry } from '../engine/layers/index.js'
import { makeSpecialFiles } from '../sys/mount.js'
import { sampleTree } from '../engine/layers/testing/sample-layer.js'
import { ChildUnpacker, findUnpackScript, layerUnpacker, replyError } from './unpack-child.js'

const isRoot = process.getuid?.() === 0
const skip = !isRoot && 'needs root (owners, device nodes)'
const here = dirname(fileURLToPath(import.meta.url))
const script = join(here, 'unpack-main.js')
const mtime = new Date(1_500_000_000_000)

async function scratch(t: TestContext): Promise<string> {
  const dir = await mkdtemp('/tmp/berth-unpack-child-test-')
  t.after(() => rm(dir, { recursive: true, force: true }))
  return dir
}

async function emptyDir(parent: string, name: string): Promise<string> {
  const root = join(parent, name)
  await mkdir(root)
  return root
}

/** Every path under root with its type, mode, owner, mtime, device, link target and content digest. */
async function listing(root: string): Promise<string[]> {
  const out: string[] = []
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await readdir(join(root, rel))).sort()) {
      const path = join(rel, name)
      const st = await lstat(join(root, path))
      let extra = ''
      if (st.isSymbolicLink()) extra = `-> ${await readlink(join(root, path))}`
      else if (st.isFile()) extra = sha256(await readFile(join(root, path)))
      else if (st.isCharacterDevice()) extra = `dev ${st.rdev}`
      // Directories the tar does not list are made with the time of the unpack.
      const time = st.mtimeMs === mtime.getTime() ? 'tar-mtime' : 'unpack-time'
      out.push(`${path} ${st.mode.toString(8)} ${st.uid}:${st.gid} ${time} nlink=${st.isDirectory() ? '-' : st.nlink} ${extra}`)
      if (st.isDirectory()) await walk(path)
    }
  }
  await walk('')
  return out
}

const entries: TarEntry[] = [
  ...sampleTree(mtime),
  { header: { name: 'etc/.wh.gone', mtime }, data: '' },
  { header: { name: 'big', mode: 0o644, mtime }, data: 'x'.repeat(3 << 20) },
]

/** A script that notes every start of the child in `marker`, then is the real unpacker. */
async function countingScript(dir: string): Promise<{ script: string; starts: () => Promise<number> }> {
  const marker = join(dir, 'starts')
  await writeFile(marker, '')
  const wrapper = join(dir, 'wrapper.mjs')
  await writeFile(wrapper, `import { appendFileSync } from 'node:fs'\nappendFileSync(${JSON.stringify(marker)}, 'start\\n')\nawait import(${JSON.stringify(script)})\n`)
  return { script: wrapper, starts: async () => (await readFile(marker, 'utf8')).split('\n').filter(Boolean).length }
}

test('the child unpacks stored files as berthd itself would, one child for a burst of layers', { skip }, async (t) => {
  const dir = await scratch(t)
  const tar = await packTar(entries)
  const file = join(dir, 'layer.tar')
  await writeFile(file, tar)
  const mappings = { uids: [{ containerId: 0, hostId: 100000, size: 65536 }], gids: [{ containerId: 0, hostId: 100000, size: 65536 }] }
  const { script: counted, starts } = await countingScript(dir)
  // idleMs long enough that the in-process comparisons between the layers below never outlast it.
  const child = new ChildUnpacker(counted, process.execPath, 5000)
  t.after(() => child.close())
  const cases: Array<[string, { idMappings?: typeof mappings }]> = [['plain', {}], ['remapped', { idMappings: mappings }], ['again', {}]]
  const got = await Promise.all(cases.map(async ([name, opts]) => {
    const there = await emptyDir(dir, `child-${name}`)
    return { name, opts, there, result: await child.unpack(file, there, opts.idMappings) }
  }))
  for (const { name, opts, there, result } of got) {
    const here = await emptyDir(dir, `in-${name}`)
    assert.deepEqual(result, await inProcessUnpacker(makeSpecialFiles)({ kind: 'file', path: file }, here, opts), name)
    assert.equal(result.diffId, sha256(tar))
    assert.deepEqual(await listing(there), await listing(here), name)
  }
  const remapped = await lstat(join(dir, 'child-remapped', 'bin/tool'))
  assert.deepEqual([remapped.uid, remapped.gid], [101000, 101001])
  assert.ok((await lstat(join(dir, 'child-plain', 'etc/gone'))).isCharacterDevice())
  await child.unpack(file, await emptyDir(dir, 'sequential'))
  assert.equal(await starts(), 1, 'one child for layers that come one after another')
  await new Promise((r) => setTimeout(r, 5500)) // idleMs 5000: the child has ended
  await child.unpack(file, await emptyDir(dir, 'later'))
  assert.equal(await starts(), 2, 'a new child after it went idle')
})

test('an invalid layer fails in the child with the error berthd itself gives', { skip }, async (t) => {
  const dir = await scratch(t)
  const outside = await emptyDir(dir, 'outside')
  const tar = await packTar([
    { header: { name: 'link', type: 'symlink', linkname: outside, mtime } },
    { header: { name: 'link/passwd', mode: 0o644, mtime }, data: 'root::0:0' },
  ])
  await writeFile(join(dir, 'bad.tar'), tar)
  const source = { kind: 'file' as const, path: join(dir, 'bad.tar') }
  const expected = await inProcessUnpacker(makeSpecialFiles)(source, await emptyDir(dir, 'here'), {}).catch((e: unknown) => e)
  assert.ok(isEngineError(expected, 'InvalidArgument'), String(expected))
  const child = new ChildUnpacker(script)
  t.after(() => child.close())
  await assert.rejects(child.unpack(source.path, await emptyDir(dir, 'there')), (err: unknown) => {
    assert.ok(err instanceof EngineError)
    assert.equal(err.kind, 'InvalidArgument')
    assert.equal(err.code, (expected as EngineError).code)
    assert.equal(err.message, (expected as EngineError).message)
    return true
  })
  assert.deepEqual(await readdir(outside), [])
  const missing = await child.unpack(join(dir, 'no-such.tar'), await emptyDir(dir, 'none')).catch((e: unknown) => e) as NodeJS.ErrnoException
  assert.equal(missing.code, 'ENOENT', String(missing))
  assert.equal(isEngineError(missing), false)
})

test('an unpacker that dies or cannot start is a clear RuntimeError', async (t) => {
  const dir = await scratch(t)
  const killer = join(dir, 'killer.sh')
  await writeFile(killer, 'echo dying >&2; kill -9 $$\n')
  await chmod(killer, 0o755)
  const dying = new ChildUnpacker(killer, '/bin/sh')
  const killed = await dying.unpack(killer, dir).catch((e: unknown) => e)
  assert.ok(killed instanceof RuntimeError, String(killed))
  assert.match(killed.message, /^Cannot unpack layer: the unpacker was killed by SIGKILL: dying$/)
  const absent = new ChildUnpacker(script, join(dir, 'no-such-node'))
  const missing = await absent.unpack(killer, dir).catch((e: unknown) => e)
  assert.ok(missing instanceof RuntimeError, String(missing))
  assert.match(missing.message, /^Cannot unpack layer: cannot start .*no-such-node: .*ENOENT/)
})

test('replyError() rebuilds engine errors and keeps the errno of others', () => {
  const e = replyError({ kind: 'InvalidArgument', code: 'INVALID_LAYER', message: 'bad' })
  assert.ok(e instanceof EngineError)
  assert.deepEqual([e.kind, e.code, e.message], ['InvalidArgument', 'INVALID_LAYER', 'bad'])
  const full = replyError({ message: 'ENOSPC: no space left on device, write', errno: 'ENOSPC' }) as NodeJS.ErrnoException
  assert.equal(full instanceof EngineError, false)
  assert.equal(full.code, 'ENOSPC')
  assert.equal(full.message, 'ENOSPC: no space left on device, write')
})

test('findUnpackScript() finds the bundle beside berthd, or unpack-main.js beside the compiled module', async (t) => {
  const dir = await scratch(t)
  assert.equal(findUnpackScript(join(dir, 'berthd'), {}), undefined)
  await writeFile(join(dir, 'unpack-main.js'), '')
  assert.equal(findUnpackScript(join(dir, 'main.js'), {}), join(dir, 'unpack-main.js'))
  await writeFile(join(dir, 'berth-unpack'), '')
  assert.equal(findUnpackScript(join(dir, 'berthd'), {}), join(dir, 'berth-unpack'))
  assert.equal(findUnpackScript(join(dir, 'berthd'), { BERTH_UNPACK_BUNDLE: join(dir, 'main.js') }), join(dir, 'berth-unpack'), 'an override that does not exist is skipped')
  assert.equal(findUnpackScript(join(dir, 'berthd'), { BERTH_UNPACK_BUNDLE: join(dir, 'unpack-main.js') }), join(dir, 'unpack-main.js'))
})

test('layerUnpacker() gives stored layer files to the child and unpacks streams itself', { skip }, async (t) => {
  const dir = await scratch(t)
  const { script: counted, starts } = await countingScript(dir)
  const warnings: string[] = []
  const logger = { debug: () => undefined, info: () => undefined, warn: (m: string) => void warnings.push(m), error: () => undefined }
  const tar = await packTar(entries)
  await writeFile(join(dir, 'layer.tar'), tar)
  const { unpack, close } = layerUnpacker(logger, counted)
  t.after(close)
  const fromStream = await emptyDir(dir, 'from-stream')
  assert.equal((await unpack(Readable.from([tar]), fromStream, {})).diffId, sha256(tar))
  assert.equal(await starts(), 0, 'a stream is unpacked in berthd')
  const fromFile = await emptyDir(dir, 'from-file')
  assert.equal((await unpack({ kind: 'file', path: join(dir, 'layer.tar') }, fromFile, {})).diffId, sha256(tar))
  assert.equal(await starts(), 1, 'a stored file goes to the child')
  assert.deepEqual(await listing(fromStream), await listing(fromFile))
  assert.deepEqual(warnings, [])

  const alone = layerUnpacker(logger, undefined).unpack
  assert.match(warnings.join('\n'), /berth-unpack not found beside berthd: image layers are unpacked in berthd itself/)
  const here = await emptyDir(dir, 'here')
  assert.equal((await alone({ kind: 'file', path: join(dir, 'layer.tar') }, here, {})).diffId, sha256(tar))
  assert.equal(await starts(), 1)
})

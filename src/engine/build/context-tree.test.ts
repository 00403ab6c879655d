import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { randomBytes } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { ContextTree } from './context-tree.js'
import { hashSources, resolveSources } from './file-ops.js'
import { executeCopy, planCopy } from './copy-step.js'

function tmp(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync('/tmp/berth-ctxtree-')
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

/** A context directory with what contexts hold: nested dirs, modes, symlinks, a hard link, a long name. */
function contextDir(base: string): string {
  const dir = join(base, 'src')
  const long = 'd'.repeat(120)
  mkdirSync(join(dir, 'app', long), { recursive: true })
  chmodSync(dir, 0o700) // what the tree's root reports, as an unpacked context's directory had
  writeFileSync(join(dir, 'app/main.js'), 'main')
  writeFileSync(join(dir, 'app/run.sh'), '#!/bin/sh\n', { mode: 0o755 })
  writeFileSync(join(dir, 'app', long, 'f'.repeat(110)), randomBytes(70_000))
  writeFileSync(join(dir, 'big.bin'), randomBytes(300_000))
  linkSync(join(dir, 'big.bin'), join(dir, 'app/big-link.bin'))
  symlinkSync('app/main.js', join(dir, 'main-link'))
  symlinkSync('../..', join(dir, 'app/up'))
  writeFileSync(join(dir, 'empty'), '')
  return dir
}

/** The directory as tar(1) writes it, fed in `chunk`-byte pieces. */
function archive(dir: string, format: string, chunk: number): Readable {
  const tar = execFileSync('tar', ['-C', dir, `--format=${format}`, '-cf', '-', '.'], { maxBuffer: 64 << 20 })
  const pieces: Buffer[] = []
  for (let i = 0; i < tar.length; i += chunk) pieces.push(tar.subarray(i, i + chunk))
  return Readable.from(pieces)
}

for (const [format, memoryLimit] of [['gnu', undefined], ['pax', 0], ['ustar', 100_000]] as const) {
  test(`ContextTree gives COPY the sources and cache hash an unpacked context gives (${format} tar, memory limit ${memoryLimit ?? 'default'})`, async (t) => {
    const base = tmp(t)
    const dir = contextDir(base)
    const root = join(base, 'virtual')
    const tree = await ContextTree.read(archive(dir, format === 'ustar' ? 'gnu' : format, format === 'ustar' ? 777 : 65536), {
      root, spillPath: join(base, 'spill'), scratchDir: base, ...(memoryLimit !== undefined ? { memoryLimit } : {}),
    })
    t.after(() => tree.close())
    assert.equal(existsSync(root), false)
    assert.equal(existsSync(join(base, 'spill')), memoryLimit !== undefined)
    for (const source of ['.', 'app', 'app/*.js', 'main-link', 'app/d*/*', 'big.bin', 'app/big-link.bin', 'empty']) {
      const fromDisk = await resolveSources(dir, source, true, 'COPY')
      const fromTree = await resolveSources(root, source, true, 'COPY', tree)
      assert.deepEqual(fromTree.map((s) => s.rel), fromDisk.map((s) => s.rel), source)
      assert.equal(await hashSources(fromTree, tree), await hashSources(fromDisk), source)
    }
    await assert.rejects(resolveSources(root, 'app/up/x', true, 'COPY', tree), /forbidden path outside the build context/)
    await assert.rejects(resolveSources(root, 'nope', true, 'COPY', tree), /file not found in build context/)
    const out = join(base, 'out.bin')
    await tree.copyFile(join(root, 'app/big-link.bin'), out)
    assert.ok(readFileSync(out).equals(readFileSync(join(dir, 'big.bin'))))
    const st = await tree.lstat(join(root, 'app/run.sh'))
    assert.equal(st.mode & 0o7777, 0o755)
    assert.ok(Math.abs(st.mtime.getTime() - statSync(join(dir, 'app/run.sh')).mtimeMs) < 1000)
  })
}

test('ContextTree.read() lets a later entry replace an earlier one and makes missing parents 0755 directories', async (t) => {
  const base = tmp(t)
  const dir = join(base, 'src')
  mkdirSync(join(dir, 'a'), { recursive: true })
  writeFileSync(join(dir, 'a/x'), 'first')
  const first = execFileSync('tar', ['-C', dir, '-cf', '-', 'a/x'])
  writeFileSync(join(dir, 'a/x'), 'second')
  chmodSync(join(dir, 'a/x'), 0o600)
  const second = execFileSync('tar', ['-C', dir, '-cf', '-', 'a/x'])
  // two archives back to back without the first one's end blocks
  const joined = Buffer.concat([first.subarray(0, 1024), second])
  const root = join(base, 'virtual')
  const tree = await ContextTree.read(Readable.from([joined]), { root, spillPath: join(base, 'spill'), scratchDir: base })
  assert.equal(await tree.readText('a/x'), 'second')
  assert.equal((await tree.lstat(join(root, 'a/x'))).mode & 0o777, 0o600)
  assert.equal((await tree.lstat(join(root, 'a'))).mode & 0o777, 0o755)
  const host = await tree.hostFile(join(root, 'a/x'))
  assert.equal(readFileSync(host, 'utf8'), 'second')
})

test('ContextTree.read() refuses an archive cut short', async (t) => {
  const base = tmp(t)
  const dir = join(base, 'src')
  mkdirSync(dir)
  writeFileSync(join(dir, 'x'), randomBytes(5000))
  const tar = execFileSync('tar', ['-C', dir, '-cf', '-', 'x'])
  await assert.rejects(ContextTree.read(Readable.from([tar.subarray(0, 2000)]), { root: join(base, 'v'), spillPath: join(base, 's'), scratchDir: base }), /Error processing tar file: unexpected end of data/)
})

/** Every path under `dir` with its type, mode, owner and content or link target. */
function listing(dir: string, rel = ''): string[] {
  const out: string[] = []
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const path = join(dir, rel, name)
    const st = lstatSync(path)
    const what = st.isSymbolicLink() ? `-> ${readlinkSync(path)}` : st.isDirectory() ? 'dir' : readFileSync(path).toString('base64').slice(0, 40)
    out.push(`${rel}/${name} ${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ${what}`)
    if (st.isDirectory()) out.push(...listing(dir, `${rel}/${name}`))
  }
  return out
}

test('executeCopy() copies from a ContextTree what it copies from the unpacked context', async (t) => {
  const base = tmp(t)
  const dir = contextDir(base)
  const root = join(base, 'virtual')
  const tree = await ContextTree.read(archive(dir, 'pax', 65536), { root, spillPath: join(base, 'spill'), scratchDir: base, memoryLimit: 100_000 })
  t.after(() => tree.close())
  const copy = async (into: string, fromTree: boolean, sources: string[], dest: string): Promise<string> => {
    mkdirSync(into, { recursive: true })
    const plan = await planCopy({
      kind: 'COPY', sources, heredocs: [], root: fromTree ? root : dir, ...(fromTree ? { fs: tree } : {}), fromContext: true,
      scratchDir: base, expandHeredoc: (x) => x,
    })
    await executeCopy({ plan, rootfs: into, dest, owner: { uid: 12, gid: 34 }, mode: undefined, exec: async () => undefined })
    return plan.description
  }
  for (const [i, [sources, dest]] of ([[['.'], '/ctx/'], [['app', 'main-link'], '/multi/'], [['big.bin'], '/one'], [['app/*.js'], '/glob/']] as const).entries()) {
    const fromDisk = join(base, `disk-${i}`)
    const fromTree = join(base, `tree-${i}`)
    const d1 = await copy(fromDisk, false, [...sources], dest)
    const d2 = await copy(fromTree, true, [...sources], dest)
    assert.equal(d2, d1)
    assert.deepEqual(listing(fromTree), listing(fromDisk), sources.join(' '))
  }
})

/** An archive built entry by entry with tar-stream (PAX records as the berth CLI writes them). */
async function paxArchive(entries: Array<{ name: string; data?: string; pax?: Record<string, string>; type?: 'file' | 'directory' }>): Promise<Readable> {
  const { default: tarStream } = await import('tar-stream')
  const pack = tarStream.pack()
  const chunks: Buffer[] = []
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer))
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()))
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '')
    const header = { name: e.name, type: e.type ?? 'file', mode: 0o644, mtime: new Date(1_700_000_000_000), size: e.type === 'directory' ? 0 : data.length, ...(e.pax ? { pax: e.pax } : {}) }
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null): void => (err ? reject(err) : resolve())
      if (e.type === 'directory') pack.entry(header, done)
      else pack.entry(header, data, done)
    })
  }
  pack.finalize()
  await ended
  return Readable.from([Buffer.concat(chunks)])
}

test('ContextTree with a context store: cached entries read from the store, fingerprinted files are listed for it', async (t) => {
  const base = tmp(t)
  const blob = join(base, 'blob')
  writeFileSync(blob, 'stored content')
  const looked: string[] = []
  const tree = await ContextTree.read(await paxArchive([
    { name: 'dir', type: 'directory' },
    { name: 'dir/kept.txt', pax: { 'BERTH.fingerprint': 'fp-kept', 'BERTH.cached': '1' } },
    { name: 'new.txt', data: 'new content', pax: { 'BERTH.fingerprint': 'fp-new' } },
    { name: 'plain.txt', data: 'no fingerprint' },
  ]), {
    root: join(base, 'ctx'), spillPath: join(base, 'spill'), scratchDir: base,
    stored: (name, fp) => {
      looked.push(`${name}=${fp}`)
      return name === 'dir/kept.txt' && fp === 'fp-kept' ? { path: blob, digest: 'd'.repeat(64), size: 14 } : undefined
    },
  })
  t.after(() => tree.close())
  assert.deepEqual(looked, ['dir/kept.txt=fp-kept'])
  assert.equal(await tree.readText('dir/kept.txt'), 'stored content')
  assert.equal((await tree.lstat(join(base, 'ctx/dir/kept.txt'))).size, 14)
  assert.equal(await tree.digest(join(base, 'ctx/dir/kept.txt')), 'd'.repeat(64))
  await tree.copyFile(join(base, 'ctx/dir/kept.txt'), join(base, 'copied'))
  assert.equal(readFileSync(join(base, 'copied'), 'utf8'), 'stored content')
  const files = tree.receivedFiles()
  assert.deepEqual(files.map((f) => [f.name, f.fingerprint, f.size, f.write !== undefined]), [['dir/kept.txt', 'fp-kept', 14, false], ['new.txt', 'fp-new', 11, true]])
  const fresh = files[1] as { write: (dest: string) => Promise<void>; digest: string }
  await fresh.write(join(base, 'written'))
  assert.equal(readFileSync(join(base, 'written'), 'utf8'), 'new content')
  assert.equal(fresh.digest, (await import('node:crypto')).createHash('sha256').update('new content').digest('hex'))
})

test('ContextTree: a cached entry the store cannot give fails the read with a Conflict once the whole archive is read', async (t) => {
  const base = tmp(t)
  const input = await paxArchive([
    { name: 'gone.txt', pax: { 'BERTH.fingerprint': 'fp', 'BERTH.cached': '1' } },
    { name: 'after.txt', data: 'x'.repeat(100_000) },
  ])
  let ended = false
  input.on('end', () => (ended = true))
  await assert.rejects(
    ContextTree.read(input, { root: join(base, 'ctx'), spillPath: join(base, 'spill'), scratchDir: base, stored: () => undefined }),
    (err: Error & { kind?: string }) => {
      assert.equal(err.kind, 'Conflict')
      assert.match(err.message, /^build context cache: 1 file\(s\) sent as cached are not stored here \(gone.txt\); send the context again$/)
      return true
    },
  )
  assert.equal(ended, true, 'the request body was read to its end')
})

test('ContextTree without a context store ignores berth\'s PAX records: a cached entry is an empty file', async (t) => {
  const base = tmp(t)
  const tree = await ContextTree.read(await paxArchive([{ name: 'f', pax: { 'BERTH.fingerprint': 'fp', 'BERTH.cached': '1' } }]), {
    root: join(base, 'ctx'), spillPath: join(base, 'spill'), scratchDir: base,
  })
  t.after(() => tree.close())
  assert.equal(await tree.readText('f'), '')
  assert.deepEqual(tree.receivedFiles(), [])
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readFile, readlink, rm, symlink, writeFile, lstat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Readable } from 'node:stream'
import tar from 'tar-stream'
import { archiveContainerPath, extractIntoContainer, statContainerPath, upperChanges } from './container-fs.js'

async function dirs(t: { after(fn: () => Promise<void>): void }): Promise<{ rootfs: string; host: string }> {
  const base = await mkdtemp(join(tmpdir(), 'berth-cfs-'))
  t.after(() => rm(base, { recursive: true, force: true }))
  const rootfs = join(base, 'rootfs')
  const host = join(base, 'host')
  await mkdir(join(rootfs, 'etc'), { recursive: true })
  await mkdir(host)
  await writeFile(join(rootfs, 'etc/shadow'), 'container shadow\n')
  await writeFile(join(host, 'shadow'), 'HOST SECRET\n')
  return { rootfs, host }
}

async function entries(write: (out: PassThrough) => Promise<void>): Promise<Map<string, { type: string; body: string; linkname?: string }>> {
  const out = new PassThrough()
  const extract = tar.extract()
  const got = new Map<string, { type: string; body: string; linkname?: string }>()
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, stream, next) => {
      let body = ''
      stream.on('data', (d) => (body += (d as Buffer).toString()))
      stream.on('end', () => {
        got.set(h.name, { type: h.type ?? 'file', body, linkname: h.linkname ?? undefined })
        next()
      })
    })
    extract.on('finish', resolve)
    extract.on('error', reject)
  })
  out.pipe(extract)
  await write(out)
  await done
  return got
}

test('statContainerPath() and archiveContainerPath() never follow a symlink to the host', async (t) => {
  const { rootfs, host } = await dirs(t)
  await symlink(join(host, 'shadow'), join(rootfs, 'evil'))
  await symlink('/etc/shadow', join(rootfs, 'good'))
  const st = await statContainerPath(rootfs, '/evil')
  assert.equal(st.name, 'evil')
  assert.ok(st.mode >= 2 ** 27) // a symlink, in Go's mode bits
  // The link target is resolved inside the container: the host path does not exist there.
  assert.equal(st.linkTarget, join(host, 'shadow'))
  assert.equal((await statContainerPath(rootfs, '/good')).linkTarget, '/etc/shadow')
  const tarred = await entries((out) => archiveContainerPath(rootfs, '/evil', out))
  assert.deepEqual([...tarred.keys()], ['evil'])
  assert.equal(tarred.get('evil')?.type, 'symlink')
  // Through a parent link: ../../ stays inside the rootfs.
  await symlink('../../../../..', join(rootfs, 'up'))
  const viaUp = await entries((out) => archiveContainerPath(rootfs, '/up/etc/shadow', out))
  assert.equal(viaUp.get('shadow')?.body, 'container shadow\n')
  await assert.rejects(statContainerPath(rootfs, '/nope/x'), /Could not find the file \/nope\/x in container/)
})

test('archiveContainerPath() tars a directory under its base name, or its contents with /.', async (t) => {
  const { rootfs } = await dirs(t)
  await mkdir(join(rootfs, 'data/sub'), { recursive: true })
  await writeFile(join(rootfs, 'data/sub/f'), 'x')
  await writeFile(join(rootfs, 'data/empty'), '')
  assert.deepEqual([...(await entries((out) => archiveContainerPath(rootfs, '/data', out))).keys()], ['data', 'data/empty', 'data/sub', 'data/sub/f'])
  assert.deepEqual([...(await entries((out) => archiveContainerPath(rootfs, '/data/.', out))).keys()], ['.', 'empty', 'sub', 'sub/f'])
})

async function tarOf(files: Array<{ name: string; type?: 'file' | 'directory' | 'symlink'; body?: string; linkname?: string }>): Promise<Readable> {
  const pack = tar.pack()
  for (const f of files) {
    if (f.type === 'directory') pack.entry({ name: f.name, type: 'directory', mode: 0o755 })
    else if (f.type === 'symlink') pack.entry({ name: f.name, type: 'symlink', linkname: f.linkname ?? '' })
    else pack.entry({ name: f.name, mode: 0o644 }, f.body ?? '')
  }
  pack.finalize()
  return pack as unknown as Readable
}

test('extractIntoContainer() keeps ../ and symlinked paths inside the rootfs and replaces links instead of writing through them', async (t) => {
  const { rootfs, host } = await dirs(t)
  await mkdir(join(rootfs, 'dst'))
  await symlink(host, join(rootfs, 'dst/escape'))
  await symlink(join(host, 'shadow'), join(rootfs, 'dst/victim'))
  await extractIntoContainer(rootfs, '/dst', await tarOf([
    { name: '../../../../etc/passwd', body: 'clamped\n' },
    { name: 'escape/planted', body: 'through a link\n' },
    { name: 'victim', body: 'replaced\n' },
    { name: 'sub', type: 'directory' },
    { name: 'sub/ok', body: 'fine\n' },
  ]))
  assert.equal(await readFile(join(host, 'shadow'), 'utf8'), 'HOST SECRET\n')
  await assert.rejects(lstat(join(host, 'planted')))
  // ../ cannot leave the extraction directory.
  assert.equal(await readFile(join(rootfs, 'dst/etc/passwd'), 'utf8'), 'clamped\n')
  assert.equal(await readFile(join(rootfs, 'dst/victim'), 'utf8'), 'replaced\n')
  assert.equal(await readFile(join(rootfs, 'dst/sub/ok'), 'utf8'), 'fine\n')
  // escape -> host resolves inside the rootfs: the file lands under <rootfs><host>/planted.
  assert.equal(await readFile(join(rootfs, host, 'planted'), 'utf8'), 'through a link\n')
  assert.equal(await readlink(join(rootfs, 'dst/escape')), host)
  await assert.rejects(extractIntoContainer(rootfs, '/etc/shadow', await tarOf([{ name: 'x', body: '' }])), /extraction point is not a directory/)
})

test('upperChanges() reports A, C and D like docker diff', async (t) => {
  const base = await mkdtemp(join(tmpdir(), 'berth-changes-'))
  t.after(() => rm(base, { recursive: true, force: true }))
  const lower = join(base, 'lower')
  const upper = join(base, 'upper')
  await mkdir(join(lower, 'etc'), { recursive: true })
  await writeFile(join(lower, 'etc/hosts'), '')
  await writeFile(join(lower, 'gone'), '')
  await mkdir(join(upper, 'etc'), { recursive: true })
  await writeFile(join(upper, 'etc/hosts'), 'changed')
  await writeFile(join(upper, 'etc/new'), 'added')
  const { spawnSync } = await import('node:child_process')
  assert.equal(spawnSync('mknod', [join(upper, 'gone'), 'c', '0', '0']).status, 0)
  assert.deepEqual(await upperChanges(upper, [lower]), [
    { Path: '/etc', Kind: 0 }, { Path: '/etc/hosts', Kind: 0 }, { Path: '/etc/new', Kind: 1 }, { Path: '/gone', Kind: 2 },
  ])
})

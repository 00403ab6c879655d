import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, open, readFile, rm, stat, writeFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { isMountpoint, makeSpecialFiles, mountOverlay, mountPoints, overlayMountArgs, overlayMountRequest, unmount, useMountHelper } from './mount.js'
import { MountHelper, MS_RDONLY } from './mount-helper.js'

const isRoot = process.getuid?.() === 0

async function tmpDir(t: { after: (fn: () => Promise<void>) => void }, mounts: string[] = []): Promise<string> {
  const dir = await mkdtemp('/tmp/berth-mount-test-')
  t.after(async () => {
    for (const m of mounts.reverse()) await unmount(m, { lazy: true })
    await rm(dir, { recursive: true, force: true })
  })
  return dir
}

test('overlayMountArgs() builds an overlay with index=off, upper and work', () => {
  const { argv, cwd } = overlayMountArgs({ lowerdirs: ['/l/2', '/l/1'], upperdir: '/c/u', workdir: '/c/w', target: '/m' })
  assert.deepEqual(argv, ['mount', '-t', 'overlay', 'overlay', '-o', 'index=off,lowerdir=/l/2:/l/1,upperdir=/c/u,workdir=/c/w', '/m'])
  assert.equal(cwd, undefined)
})

test('overlayMountArgs() uses a read-only bind mount for one lower without upper', () => {
  const { argv } = overlayMountArgs({ lowerdirs: ['/l/1'], target: '/m' })
  assert.deepEqual(argv, ['mount', '--bind', '-o', 'ro', '/l/1', '/m'])
})

test('overlayMountArgs() adds ro for a read-only mount', () => {
  const { argv } = overlayMountArgs({ lowerdirs: ['/a', '/b'], target: '/m', readonly: true })
  assert.equal(argv[5], 'index=off,lowerdir=/a:/b,ro')
})

test('overlayMountArgs() adds volatile only to a mount with an upper', () => {
  const base = { lowerdirs: ['/l/a', '/l/b'], target: '/t', volatile: true }
  assert.match(overlayMountArgs({ ...base, upperdir: '/u', workdir: '/w' }).argv.join(' '), /,volatile /)
  assert.doesNotMatch(overlayMountArgs(base).argv.join(' '), /volatile/)
})

test('overlayMountArgs() switches to paths relative to a cwd when options exceed a page', () => {
  const root = '/var/lib/berth-with-a-rather-long-data-root-name'
  const lowers = Array.from({ length: 50 }, (_, i) => `${root}/layers/${String(i).padStart(64, 'a')}/diff`)
  const { argv, cwd } = overlayMountArgs({ lowerdirs: lowers, upperdir: `${root}/containers/c/upper`, workdir: `${root}/containers/c/work`, target: '/m' })
  assert.equal(cwd, `${root}/layers`)
  const data = argv[5] as string
  assert.ok(data.length < 4096)
  assert.ok(data.startsWith(`index=off,lowerdir=${'a'.repeat(63)}0/diff:`))
  assert.ok(data.endsWith(`,upperdir=${root}/containers/c/upper,workdir=${root}/containers/c/work`))
})

test('overlayMountArgs() rejects option data that cannot fit even with relative paths', () => {
  const lowers = Array.from({ length: 200 }, (_, i) => `/x/${String(i).padStart(64, '0')}/diff`)
  assert.throws(() => overlayMountArgs({ lowerdirs: lowers, target: '/m' }), { kind: 'InvalidArgument' })
})

test('overlayMountArgs() rejects paths with separators and a lone upperdir', () => {
  assert.throws(() => overlayMountArgs({ lowerdirs: ['/a,b', '/c'], target: '/m' }), { kind: 'InvalidArgument' })
  assert.throws(() => overlayMountArgs({ lowerdirs: ['/a'], upperdir: '/u', target: '/m' }), { kind: 'InvalidArgument' })
  assert.throws(() => overlayMountArgs({ lowerdirs: [], target: '/m' }), { kind: 'InvalidArgument' })
})

test('overlayMountRequest() is the same overlay as mount(2) arguments: ro is MS_RDONLY, not an option', () => {
  const opts = { lowerdirs: ['/l/2', '/l/1'], upperdir: '/c/u', workdir: '/c/w', target: '/m', volatile: true }
  assert.deepEqual(overlayMountRequest(opts), {
    source: 'overlay', fstype: 'overlay', flags: 0, data: 'index=off,lowerdir=/l/2:/l/1,upperdir=/c/u,workdir=/c/w,volatile', target: '/m',
  })
  const ro = overlayMountRequest({ lowerdirs: ['/a', '/b'], target: '/m', readonly: true })
  assert.equal(ro?.flags, MS_RDONLY)
  assert.equal(ro?.data, 'index=off,lowerdir=/a:/b')
  // The read-only bind mount stays with mount(8) (a bind, then a read-only remount).
  assert.equal(overlayMountRequest({ lowerdirs: ['/l/1'], target: '/m' }), undefined)
})

test('overlayMountRequest() gives relative lowerdirs and their cwd when options exceed a page, as overlayMountArgs()', () => {
  const lowers = Array.from({ length: 50 }, (_, i) => `/var/lib/berth/layers/${String(i).padStart(64, 'a')}/diff`)
  const req = overlayMountRequest({ lowerdirs: lowers, target: '/m' })
  const args = overlayMountArgs({ lowerdirs: lowers, target: '/m' })
  assert.equal(req?.cwd, '/var/lib/berth/layers')
  assert.equal(req?.cwd, args.cwd)
  assert.equal(req?.data, args.argv[5])
  assert.throws(() => overlayMountRequest({ lowerdirs: ['/a,b', '/c'], target: '/m' }), /comma, colon or space/)
})

test('mountPoints() decodes octal escapes in mountinfo', () => {
  const info = '36 35 98:0 /mnt1 /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw\n'
  assert.deepEqual([...mountPoints(info)], ['/mnt/with space'])
})

// The daemon mounts through its MountHelper (mount(2) from perl); without it, mount(8) runs.
for (const via of ['mount(8)', 'the mount helper'] as const) {
  const useHelper = (t: { after: (fn: () => void) => void }): void => {
    if (via === 'mount(8)') return
    const helper = new MountHelper()
    useMountHelper(helper)
    t.after(() => {
      useMountHelper(undefined)
      helper.close()
    })
  }

  test(`mountOverlay() mounts lowers read-only and upper copy-on-write (${via})`, { skip: !isRoot && 'needs root' }, async (t) => {
    useHelper(t)
    const mounts: string[] = []
    const dir = await tmpDir(t, mounts)
    for (const d of ['l1', 'l2', 'u', 'w', 'm', 'ro']) await mkdir(join(dir, d))
    await writeFile(join(dir, 'l1/a'), 'from l1')
    await writeFile(join(dir, 'l2/a'), 'from l2')
    await writeFile(join(dir, 'l1/b'), 'only l1')
    mounts.push(join(dir, 'm'))
    await mountOverlay({ lowerdirs: [join(dir, 'l2'), join(dir, 'l1')], upperdir: join(dir, 'u'), workdir: join(dir, 'w'), target: join(dir, 'm') })
    assert.equal(await isMountpoint(join(dir, 'm')), true)
    assert.equal(await readFile(join(dir, 'm/a'), 'utf8'), 'from l2')
    await writeFile(join(dir, 'm/b'), 'changed')
    assert.equal(await readFile(join(dir, 'l1/b'), 'utf8'), 'only l1')
    assert.equal(await readFile(join(dir, 'u/b'), 'utf8'), 'changed')

    mounts.push(join(dir, 'ro'))
    await mountOverlay({ lowerdirs: [join(dir, 'l1')], target: join(dir, 'ro') })
    assert.equal(await readFile(join(dir, 'ro/b'), 'utf8'), 'only l1')
    await assert.rejects(writeFile(join(dir, 'ro/new'), 'x'), { code: 'EROFS' })

    await unmount(join(dir, 'm'))
    await unmount(join(dir, 'ro'))
    assert.equal(await isMountpoint(join(dir, 'm')), false)
    await unmount(join(dir, 'm'))
    await unmount(join(dir, 'does-not-exist'))
  })

  test(`mountOverlay() mounts more layers than fit in a page of absolute paths (${via})`, { skip: !isRoot && 'needs root' }, async (t) => {
    useHelper(t)
    const mounts: string[] = []
    const dir = await tmpDir(t, mounts)
    const lowers: string[] = []
    for (let i = 0; i < 50; i++) {
      const l = join(dir, 'layers', String(i).padStart(64, 'f'), 'diff')
      await mkdir(l, { recursive: true })
      await writeFile(join(l, `file${i}`), String(i))
      lowers.unshift(l)
    }
    assert.ok(lowers.join(':').length > 4096)
    await mkdir(join(dir, 'm'))
    mounts.push(join(dir, 'm'))
    await mountOverlay({ lowerdirs: lowers, target: join(dir, 'm') })
    assert.equal((await readdir(join(dir, 'm'))).length, 50)
    assert.equal(await readFile(join(dir, 'm/file0'), 'utf8'), '0')
  })

  test(`unmount() of a busy mount fails with the reason and leaves it mounted; lazy detaches it (${via})`, { skip: !isRoot && 'needs root' }, async (t) => {
    useHelper(t)
    const mounts: string[] = []
    const dir = await tmpDir(t, mounts)
    for (const d of ['l1', 'l2', 'm']) await mkdir(join(dir, d))
    await writeFile(join(dir, 'l1/f'), 'x')
    mounts.push(join(dir, 'm'))
    await mountOverlay({ lowerdirs: [join(dir, 'l2'), join(dir, 'l1')], target: join(dir, 'm') })
    const busy = await open(join(dir, 'm/f'))
    t.after(() => busy.close())
    await assert.rejects(unmount(join(dir, 'm')), (err: Error) => {
      assert.match(err.message, /can't unmount .*\/m: Device or resource busy/)
      return true
    })
    assert.equal(await isMountpoint(join(dir, 'm')), true)
    await unmount(join(dir, 'm'), { lazy: true })
    assert.equal(await isMountpoint(join(dir, 'm')), false)
  })
}

test('makeSpecialFiles() creates whiteouts and opaque dirs that overlay honours', { skip: !isRoot && 'needs root' }, async (t) => {
  const mounts: string[] = []
  const dir = await tmpDir(t, mounts)
  for (const d of ['low/d', 'top/d', 'm']) await mkdir(join(dir, d), { recursive: true })
  await writeFile(join(dir, 'low/gone'), 'x')
  await writeFile(join(dir, 'low/d/hidden'), 'x')
  await writeFile(join(dir, 'top/d/kept'), 'x')
  const mtime = new Date(1_600_000_000_000)
  await makeSpecialFiles(join(dir, 'top'), [
    { path: 'gone', type: 'character-device', mode: 0, uid: 0, gid: 0, mtime, devmajor: 0, devminor: 0 },
    { path: 'd', type: 'opaque-dir', mode: 0o750, uid: 12, gid: 34, mtime },
    { path: 'fifo', type: 'fifo', mode: 0o600, uid: 0, gid: 0, mtime },
  ])
  const wh = await stat(join(dir, 'top/gone'))
  assert.ok(wh.isCharacterDevice())
  assert.equal(wh.rdev, 0)
  assert.ok((await stat(join(dir, 'top/fifo'))).isFIFO())
  const d = await stat(join(dir, 'top/d'))
  assert.equal(d.uid, 12)
  assert.equal(d.mode & 0o7777, 0o750)
  mounts.push(join(dir, 'm'))
  await mountOverlay({ lowerdirs: [join(dir, 'top'), join(dir, 'low')], target: join(dir, 'm') })
  assert.deepEqual((await readdir(join(dir, 'm'))).sort(), ['d', 'fifo'])
  assert.deepEqual(await readdir(join(dir, 'm/d')), ['kept'])
})

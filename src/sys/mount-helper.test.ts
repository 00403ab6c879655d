import { test } from 'node:test'
import assert from 'node:assert/strict'
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isMountpoint, unmount } from './mount.js'
import { MNT_DETACH, MountHelper, MountHelperUnavailable, MountSyscallError, MS_RDONLY, mountHelperRequest } from './mount-helper.js'

const isRoot = process.getuid?.() === 0

/** A scratch dir with l1, l2, u, w and m in it; whatever is mounted at `m` is detached at the end. */
async function scratch(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp('/tmp/berth-mount-helper-test-')
  t.after(async () => {
    await unmount(join(dir, 'm'), { lazy: true })
    await rm(dir, { recursive: true, force: true })
  })
  for (const d of ['l1', 'l2', 'u', 'w', 'm']) await mkdir(join(dir, d))
  await writeFile(join(dir, 'l1/a'), 'from l1')
  await writeFile(join(dir, 'l2/b'), 'from l2')
  return dir
}

function helperFor(t: { after: (fn: () => void) => void }, opts: ConstructorParameters<typeof MountHelper>[0] = {}): MountHelper {
  const helper = new MountHelper(opts)
  t.after(() => helper.close())
  return helper
}

/** The pid of the helper's perl (the one process whose command line it set to its name). */
async function helperPids(): Promise<number[]> {
  const { readdir } = await import('node:fs/promises')
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '')
    if (cmdline.startsWith('berth-mount-helper')) pids.push(Number(entry))
  }
  return pids
}

test('mountHelperRequest() hex-encodes every field: one line whatever the bytes', () => {
  const line = mountHelperRequest(7, 'umount', ['2', '/a b\nc'])
  assert.equal(line, `7 umount 32 ${Buffer.from('/a b\nc').toString('hex')}\n`)
  assert.equal(line.split('\n').length, 2)
  assert.equal(mountHelperRequest(1, 'mount', ['overlay', '']), '1 mount 6f7665726c6179 \n')
})

test('MountHelper mounts an overlay with mount(2) and unmounts it with umount2(2)', { skip: !isRoot && 'needs root' }, async (t) => {
  const dir = await scratch(t)
  const helper = helperFor(t)
  const data = `index=off,lowerdir=${join(dir, 'l2')}:${join(dir, 'l1')},upperdir=${join(dir, 'u')},workdir=${join(dir, 'w')}`
  await helper.mount({ source: 'overlay', fstype: 'overlay', flags: 0, data, target: join(dir, 'm') })
  assert.equal(await isMountpoint(join(dir, 'm')), true)
  assert.equal(await readFile(join(dir, 'm/a'), 'utf8'), 'from l1')
  assert.equal(await readFile(join(dir, 'm/b'), 'utf8'), 'from l2')
  await writeFile(join(dir, 'm/new'), 'written')
  assert.equal(await readFile(join(dir, 'u/new'), 'utf8'), 'written')
  await helper.umount(join(dir, 'm'))
  assert.equal(await isMountpoint(join(dir, 'm')), false)
  // Not a mount point any more: umount2 says EINVAL, with its strerror text.
  await assert.rejects(helper.umount(join(dir, 'm')), (err: unknown) => {
    assert.ok(err instanceof MountSyscallError)
    assert.equal(err.code, 'EINVAL')
    assert.equal(err.errno, 22)
    assert.equal(err.message, 'Invalid argument')
    return true
  })
  await assert.rejects(helper.umount(join(dir, 'missing')), { code: 'ENOENT', message: 'No such file or directory' })
  assert.equal(helper.failed, false)
})

test('MountHelper passes flags (MS_RDONLY, MNT_DETACH) and reports a refused mount as its errno', { skip: !isRoot && 'needs root' }, async (t) => {
  const dir = await scratch(t)
  const helper = helperFor(t)
  await helper.mount({ source: 'overlay', fstype: 'overlay', flags: MS_RDONLY, data: `lowerdir=${join(dir, 'l2')}:${join(dir, 'l1')}`, target: join(dir, 'm') })
  await assert.rejects(writeFile(join(dir, 'm/x'), 'x'), { code: 'EROFS' })
  await helper.umount(join(dir, 'm'), MNT_DETACH)
  assert.equal(await isMountpoint(join(dir, 'm')), false)
  // overlay refuses an option it does not know; a missing lower is ENOENT.
  await assert.rejects(helper.mount({ source: 'overlay', fstype: 'overlay', flags: 0, data: `lowerdir=${join(dir, 'l1')}:${join(dir, 'l2')},nonsense=1`, target: join(dir, 'm') }), { code: 'EINVAL' })
  await assert.rejects(helper.mount({ source: 'overlay', fstype: 'overlay', flags: 0, data: `lowerdir=${join(dir, 'nope')}:${join(dir, 'l1')}`, target: join(dir, 'm') }), { code: 'ENOENT' })
  assert.equal(await isMountpoint(join(dir, 'm')), false)
})

test('MountHelper resolves relative lowerdirs from the cwd given, and takes any bytes in a path', { skip: !isRoot && 'needs root' }, async (t) => {
  const dir = await scratch(t)
  const odd = join(dir, 'a dir, with: "odd"\nname')
  await mkdir(odd)
  t.after(() => unmount(odd, { lazy: true }))
  const helper = helperFor(t)
  await helper.mount({ source: 'overlay', fstype: 'overlay', flags: 0, data: 'lowerdir=l2:l1', target: odd, cwd: dir })
  assert.equal(await readFile(join(odd, 'a'), 'utf8'), 'from l1')
  await helper.umount(odd)
  assert.equal(await isMountpoint(odd), false)
  // A cwd that does not exist fails the job, not the helper.
  await assert.rejects(helper.mount({ source: 'overlay', fstype: 'overlay', flags: 0, data: 'lowerdir=l2:l1', target: odd, cwd: join(dir, 'gone') }), { code: 'ENOENT' })
  await helper.mount({ source: 'overlay', fstype: 'overlay', flags: 0, data: `lowerdir=${join(dir, 'l2')}:${join(dir, 'l1')}`, target: odd })
  await helper.umount(odd)
})

test('one perl serves a burst of jobs, also concurrent ones, and ends once idle', { skip: !isRoot && 'needs root' }, async (t) => {
  const dir = await scratch(t)
  const before = await helperPids()
  const helper = helperFor(t, { idleMs: 300 })
  const targets = await Promise.all([1, 2, 3, 4].map(async (i) => {
    const target = join(dir, `m${i}`)
    await mkdir(target)
    t.after(() => unmount(target, { lazy: true }))
    return target
  }))
  await Promise.all(targets.map((target) => helper.mount({ source: 'overlay', fstype: 'overlay', flags: MS_RDONLY, data: `lowerdir=${join(dir, 'l2')}:${join(dir, 'l1')}`, target })))
  const during = (await helperPids()).filter((p) => !before.includes(p))
  assert.equal(during.length, 1)
  for (const target of targets) assert.equal(await isMountpoint(target), true)
  await Promise.all(targets.map((target) => helper.umount(target)))
  for (const target of targets) assert.equal(await isMountpoint(target), false)
  // Idle for 300 ms: perl reads the end of its input and exits; the next job starts another.
  await new Promise((resolve) => setTimeout(resolve, 1500))
  assert.deepEqual((await helperPids()).filter((p) => during.includes(p)), [])
  await helper.mount({ source: 'overlay', fstype: 'overlay', flags: MS_RDONLY, data: `lowerdir=${join(dir, 'l2')}:${join(dir, 'l1')}`, target: targets[0] as string })
  const after = (await helperPids()).filter((p) => !before.includes(p))
  assert.equal(after.length, 1)
  assert.notEqual(after[0], during[0])
  await helper.umount(targets[0] as string)
})

test('without perl, or on an architecture it has no syscall numbers for, the helper is unavailable', async (t) => {
  const reasons: string[] = []
  const missing = helperFor(t, { perl: '/nonexistent/perl', onUnavailable: (r) => reasons.push(r) })
  assert.equal(missing.failed, false)
  await assert.rejects(missing.umount('/tmp/x'), MountHelperUnavailable)
  assert.equal(missing.failed, true)
  await assert.rejects(missing.umount('/tmp/x'), MountHelperUnavailable)
  assert.equal(reasons.length, 1)
  assert.match(reasons[0] as string, /cannot start \/nonexistent\/perl: .*ENOENT/)

  const unknown = helperFor(t, { arch: 'mips' })
  assert.equal(unknown.failed, true)
  await assert.rejects(unknown.mount({ source: 'overlay', fstype: 'overlay', flags: 0, data: '', target: '/tmp/x' }), MountHelperUnavailable)
})

test('a job sent to a helper that dies is a failure, not a retry, and the next job starts a new helper', async (t) => {
  const dir = await mkdtemp('/tmp/berth-mount-helper-test-')
  t.after(() => rm(dir, { recursive: true, force: true }))
  // Stands in for perl: dies on its first request, then (second start) answers every job with success.
  const fake = join(dir, 'perl')
  await writeFile(fake, `#!/bin/sh
if [ -e ${dir}/started ]; then
  while read -r id rest; do echo "$id 0"; done
else
  touch ${dir}/started
  read -r line
  kill -9 $$
fi
`)
  await chmod(fake, 0o755)
  const helper = helperFor(t, { perl: fake })
  await assert.rejects(helper.umount('/tmp/x'), (err: unknown) => {
    assert.ok(!(err instanceof MountHelperUnavailable))
    assert.match((err as Error).message, /exited before it answered/)
    return true
  })
  assert.equal(helper.failed, false)
  await helper.umount('/tmp/x')
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { access, mkdir, mkdtemp, readdir, readFile, readlink, rename, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentLogger } from '../common/index.js'
import { ensureCgroupsForCrun, removeCgroup } from '../sys/index.js'
import { ConmonRuntime } from './conmon-runtime.js'
import type { ExitInfo } from './oci-runtime.js'
import { busyboxRootfs, ociRuntimeSuite, testOciConfig, waitFor } from './oci-runtime.suite.js'

const CONMON = '/usr/bin/conmon'
const RUNTIMES = { crun: '/usr/bin/crun', runc: '/usr/sbin/runc' } as const

const isRoot = process.getuid?.() === 0
const missing = async (path: string): Promise<string | undefined> =>
  access(path).then(() => undefined, () => `${path} is not installed`)

// crun refuses hybrid-cgroup hosts with unmounted v1 controllers; the daemon runs this at start too.
const cgroups = isRoot ? await ensureCgroupsForCrun(silentLogger) : undefined

for (const name of ['crun', 'runc'] as const) {
  const skip =
    (await missing(CONMON)) ??
    (await missing(RUNTIMES[name])) ??
    (name === 'crun' && cgroups?.crunUsable === false ? `crun cannot run here: ${cgroups.reason}` : undefined)
  ociRuntimeSuite({
    name,
    skip,
    create: (root) =>
      new ConmonRuntime({ runtimePath: RUNTIMES[name], runtimeName: name, conmonPath: CONMON, root, logger: silentLogger }),
  })
}

/** A ConmonRuntime whose binaries are never run: exercises the exit-file side alone. */
async function exitFilesOnly(t: { after(fn: () => Promise<void>): void }): Promise<{ runtime: ConmonRuntime; root: string }> {
  const root = await mkdtemp(join(tmpdir(), 'berth-exits-'))
  t.after(() => rm(root, { recursive: true, force: true }))
  const runtime = new ConmonRuntime({ runtimePath: '/bin/false', runtimeName: 'crun', conmonPath: '/bin/false', root, logger: silentLogger })
  return { runtime, root }
}

test('readExit() reads the bare exit code, the oom marker and the exit file mtime', async (t) => {
  const { runtime, root } = await exitFilesOnly(t)
  await mkdir(join(root, 'exits'))
  await mkdir(join(root, 'persist', 'c1'), { recursive: true })
  assert.equal(await runtime.readExit('c1'), undefined)
  await writeFile(join(root, 'exits', 'c1'), '')
  assert.equal(await runtime.readExit('c1'), undefined, 'an empty exit file is an exit still being written')
  await writeFile(join(root, 'exits', 'c1'), '137')
  await writeFile(join(root, 'persist', 'c1', 'oom'), '')
  const exit = await runtime.readExit('c1')
  assert.equal(exit?.exitCode, 137)
  assert.equal(exit?.oomKilled, true)
  assert.ok(exit?.finishedAt instanceof Date)
})

test('watchExits() reports a file that appears empty once it is written, once per exit', async (t) => {
  const { runtime, root } = await exitFilesOnly(t)
  const seen: Array<[string, ExitInfo]> = []
  const watcher = runtime.watchExits((id, exit) => seen.push([id, exit]))
  t.after(async () => watcher.close())
  const file = join(root, 'exits', 'c1')
  await writeFile(file, '')
  await new Promise((r) => setTimeout(r, 30))
  await writeFile(file, '7')
  await waitFor('exit event', async () => (seen.length > 0 ? true : undefined), 5000)
  // Written through a rename, as a second exit of a restarted container would appear.
  await rm(file)
  await writeFile(join(root, 'c2.tmp'), '0')
  await rename(join(root, 'c2.tmp'), join(root, 'exits', 'c2'))
  await waitFor('second exit event', async () => (seen.length > 1 ? true : undefined), 5000)
  assert.deepEqual(
    seen.map(([id, e]) => [id, e.exitCode]),
    [
      ['c1', 7],
      ['c2', 0],
    ],
  )
})

const crunSkip = !isRoot ? 'needs root to run real containers' : (await missing(CONMON)) ?? (await missing(RUNTIMES.crun)) ??
  (cgroups?.crunUsable === false ? `crun cannot run here: ${cgroups.reason}` : undefined)

/**
 * A ConmonRuntime for crun under a temporary dir and a bundle running `sleep 30` in cgroup /berth/<id>;
 * the container, its cgroup, the runtime (its read-only crun mount) and the dir are removed with `t`.
 * `runtimePath(dir)` may put a wrapper in place of crun.
 */
async function crunContainer(
  t: { after(fn: () => Promise<void>): void },
  prefix: string,
  runtimePath: (dir: string) => Promise<string> = async () => RUNTIMES.crun,
  conmonPath: (dir: string) => Promise<string> = async () => CONMON,
): Promise<{ dir: string; root: string; containerId: string; runtime: ConmonRuntime; create: () => Promise<{ pid: number }> }> {
  const dir = await mkdtemp(join('/tmp', `berth-${prefix}-`))
  const containerId = `${prefix.slice(0, 2)}${Date.now().toString(16)}`
  const root = join(dir, 'runtime')
  const runtime = new ConmonRuntime({ runtimePath: await runtimePath(dir), runtimeName: 'crun', conmonPath: await conmonPath(dir), root, logger: silentLogger })
  t.after(async () => {
    await runtime.delete(containerId, { force: true }).catch(() => undefined)
    await waitFor('cgroup removal', () => removeCgroup(`/berth/${containerId}`).then(() => true, () => undefined), 5000)
    // A started container makes the runtime prepare execs (a read-only mount of the binary under root).
    await runtime.close()
    await rm(dir, { recursive: true, force: true })
  })
  const rootfs = await busyboxRootfs(join(dir, 'rootfs'))
  const bundleDir = join(dir, 'bundle')
  await mkdir(bundleDir)
  await writeFile(join(bundleDir, 'config.json'), JSON.stringify(testOciConfig({ args: ['sleep', '30'], rootfs, terminal: false, cgroupsPath: `/berth/${containerId}` })))
  const create = (): Promise<{ pid: number }> => runtime.create({ containerId, bundleDir, logPath: join(bundleDir, 'container.log'), tty: false, openStdin: false })
  return { dir, root, containerId, runtime, create }
}

test('start() of a crun container opens its exec fifo instead of running `crun start`, and falls back to it', { skip: crunSkip }, async (t) => {
  // crun behind a wrapper that records every command it is run with.
  const { dir, containerId, runtime, create } = await crunContainer(t, 'bfifo', async (dir) => {
    const wrapper = join(dir, 'crun')
    await writeFile(wrapper, `#!/bin/sh\necho "$*" >> ${join(dir, 'calls')}\nexec ${RUNTIMES.crun} "$@"\n`, { mode: 0o755 })
    return wrapper
  })
  const { pid } = await create()
  assert.deepEqual(await runtime.state(containerId), { status: 'created', pid })
  await runtime.start(containerId)
  assert.deepEqual(await runtime.state(containerId), { status: 'running', pid })
  const startRuns = async (): Promise<number> => (await readFile(join(dir, 'calls'), 'utf8')).split('\n').filter((l) => l.split(' ').includes('start')).length
  assert.equal(await startRuns(), 0, 'crun start was not run')
  // Started already: no fifo any more, so `crun start` runs and refuses (crun 1.8 names the missing fifo).
  await assert.rejects(runtime.start(containerId))
  assert.equal(await startRuns(), 1)
})

test('create() has conmon run crun from its read-only mount, marked as cloned, and delete() uses it too', { skip: crunSkip }, async (t) => {
  const { root, containerId, runtime, create } = await crunContainer(t, 'brocrun')
  await create()
  const conmonPid = (await readFile(join(root, 'persist', containerId, 'conmon.pid'), 'utf8')).trim()
  const argv = (await readFile(`/proc/${conmonPid}/cmdline`, 'utf8')).split('\0')
  const crun = join(root, 'crun')
  assert.equal(argv[argv.indexOf('-r') + 1], crun)
  assert.ok((await readFile(`/proc/${conmonPid}/environ`, 'utf8')).split('\0').includes('_LIBCONTAINER_CLONED_BINARY=1'))
  const mount = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').find((l) => l.split(' ')[4] === crun)
  assert.ok(mount, `${crun} is a mount point`)
  assert.ok(mount.split(' ')[5]?.split(',').includes('ro'), `${crun} is mounted read-only: ${mount}`)
  await runtime.start(containerId)
  assert.equal((await runtime.state(containerId))?.status, 'running')
  await runtime.delete(containerId, { force: true })
  assert.equal(await runtime.state(containerId), undefined)
})

/** The parent pid and the command line of a process. */
async function procInfo(pid: string | number): Promise<{ ppid: string; cmdline: string[] }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8')
  return { ppid: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] as string, cmdline: (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0') }
}

test('create() starts conmon through the exec launcher: its monitor is reaped by the launcher\'s tini, in the persist dir', { skip: crunSkip }, async (t) => {
  const { root, containerId, runtime, create } = await crunContainer(t, 'blaunch')
  await create()
  const conmonPid = (await readFile(join(root, 'persist', containerId, 'conmon.pid'), 'utf8')).trim()
  assert.equal(await readlink(`/proc/${conmonPid}/cwd`), join(root, 'persist', containerId))
  // conmon double-forks: its monitor is reparented to the nearest subreaper, the launcher's tini.
  const parent = await procInfo((await procInfo(conmonPid)).ppid)
  assert.ok(parent.cmdline.includes('berth-exec-launcher'), parent.cmdline.join(' '))
  assert.match(parent.cmdline[0] as string, /tini/)
  // No FIFO or stderr file of the handshake is left open or in place for it.
  await runtime.start(containerId)
  assert.equal((await runtime.state(containerId))?.status, 'running')
  const fds = await readdir(`/proc/${conmonPid}/fd`)
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${conmonPid}/fd/${fd}`).catch(() => '')))
  assert.deepEqual(targets.filter((l) => l.includes('conmon-') && l.endsWith('.err') && !l.endsWith('(deleted)')), [])
})

test('a conmon that exits before it reports a pid is an error with what it printed, through the launcher too', { skip: crunSkip }, async (t) => {
  const { create } = await crunContainer(t, 'bbadmon', undefined, async (dir) => {
    const fake = join(dir, 'conmon')
    await writeFile(fake, '#!/bin/sh\necho "conmon: cannot do $1 here" >&2\nexit 3\n', { mode: 0o755 })
    return fake
  })
  await assert.rejects(create(), /conmon exited \(3\) without reporting a pid: conmon: cannot do --api-version here/)
})

test('runForeground() keeps the seccomp filter crun compiled, so the next container of the profile gets it', { skip: crunSkip }, async (t) => {
  const { dir, runtime } = await crunContainer(t, 'bfgsec')
  const rootfs = join(dir, 'rootfs')
  const seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_X86_64'], syscalls: [{ names: ['mkdirat', 'mkdir'], action: 'SCMP_ACT_ERRNO' }] }
  const run = async (containerId: string): Promise<{ annotations: Record<string, string> | undefined; output: string; code: number }> => {
    const bundleDir = join(dir, containerId)
    await mkdir(bundleDir)
    const spec = { ...testOciConfig({ args: ['sh', '-c', 'mkdir /tmp/x || echo denied'], rootfs, terminal: false, cgroupsPath: `/berth/${containerId}` }), linux: undefined } as Record<string, unknown>
    spec['linux'] = { ...(testOciConfig({ args: [], rootfs, terminal: false, cgroupsPath: `/berth/${containerId}` }) as { linux: object }).linux, seccomp }
    const annotations = runtime.specAnnotations(containerId, spec as never)
    await writeFile(join(bundleDir, 'config.json'), JSON.stringify({ ...spec, ...(annotations ? { annotations } : {}) }))
    t.after(() => waitFor('cgroup removal', () => removeCgroup(`/berth/${containerId}`).then(() => true, () => undefined), 5000))
    const proc = await runtime.runForeground!({ containerId, bundleDir })
    let output = ''
    proc.attach.onData((_s, d) => (output += d.toString()))
    const code = await proc.exited
    return { annotations, output, code }
  }
  const first = await run(`bs1${Date.now().toString(16)}`)
  assert.equal(first.annotations, undefined, 'nothing compiled yet')
  assert.deepEqual([first.output, first.code], ['mkdir: can\'t create directory \'/tmp/x\': Operation not permitted\ndenied\n', 0])
  const second = await run(`bs2${Date.now().toString(16)}`)
  assert.ok(second.annotations?.['run.oci.seccomp_bpf_data'], 'the compiled filter is handed over')
  assert.deepEqual([second.output, second.code], [first.output, 0], 'and the container runs under the same filter')
})

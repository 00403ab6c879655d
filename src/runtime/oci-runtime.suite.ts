import { after, before, describe, test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { copyFile, mkdir, mkdtemp, readFile, readdir, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { isEngineError, type Process } from '../common/index.js'
import { removeCgroup } from '../sys/index.js'
import type { AttachConnection, ExitInfo, OciRuntime, RuntimeCreateOptions } from './oci-runtime.js'

/** Contract tests every OciRuntime runs against real containers (root, busybox-static). */
export interface RuntimeSuiteTarget {
  name: string
  /** Builds the runtime under test, keeping its state under `root`. */
  create(root: string): OciRuntime
  /** Why this runtime cannot run on this machine; the suite is skipped with this message. */
  skip?: string
}

const APPLETS = ['sh', 'echo', 'sleep', 'cat', 'stty', 'true', '[', 'touch', 'ls']

/** A read-only busybox rootfs: /bin/busybox plus applet symlinks. */
export async function busyboxRootfs(dir: string): Promise<string> {
  await mkdir(join(dir, 'bin'), { recursive: true })
  await copyFile('/bin/busybox', join(dir, 'bin', 'busybox'))
  for (const applet of APPLETS) await symlink('busybox', join(dir, 'bin', applet))
  for (const d of ['proc', 'dev', 'sys', 'tmp']) await mkdir(join(dir, d))
  return dir
}

/** Minimal OCI runtime config (the shape `crun spec` prints, without rlimits or CAP_SYS_RESOURCE). */
export function testOciConfig(o: { args: string[]; rootfs: string; terminal: boolean; cgroupsPath: string }): object {
  const caps = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE']
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: o.terminal,
      user: { uid: 0, gid: 0 },
      args: o.args,
      env: ['PATH=/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: true,
    },
    root: { path: o.rootfs, readonly: true },
    hostname: 'berth-test',
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev'] },
    ],
    linux: {
      cgroupsPath: o.cgroupsPath,
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      maskedPaths: ['/proc/kcore', '/proc/keys', '/proc/timer_list', '/sys/firmware'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  }
}

/** Polls `probe` until it returns a value; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await probe()
    if (v !== undefined) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** The stream text a k8s-file log holds: `<time> <stream> <P|F> <text>` lines, F ending a line. */
export function joinLogChunks(log: string): string {
  let out = ''
  for (const line of log.split('\n')) {
    const m = /^\S+ (?:stdout|stderr) ([PF]) (.*)$/s.exec(line)
    if (m) out += m[1] === 'F' ? `${m[2]}\n` : m[2]
  }
  return out
}

/** The pids in a container's cgroup (pids controller on cgroup v1, else the unified hierarchy). */
async function cgroupProcs(containerId: string): Promise<string[]> {
  for (const path of [`/sys/fs/cgroup/pids/berth/${containerId}`, `/sys/fs/cgroup/berth/${containerId}`]) {
    const text = await readFile(join(path, 'cgroup.procs'), 'utf8').catch(() => undefined)
    if (text !== undefined) return text.split('\n').filter(Boolean)
  }
  throw new Error(`no cgroup for ${containerId}`)
}

/** Collects an attach connection's output per stream until the container side closes. */
function collect(conn: AttachConnection): Promise<{ stdout: string; stderr: string }> {
  const out: Buffer[] = []
  const err: Buffer[] = []
  conn.onData((stream, data) => (stream === 1 ? out : err).push(data))
  return new Promise((resolve) => conn.onEnd(() => resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() })))
}

export function ociRuntimeSuite(target: RuntimeSuiteTarget): void {
  const notRoot = process.getuid?.() !== 0 ? 'needs root to run real containers' : undefined
  describe(`${target.name} OciRuntime`, { skip: target.skip ?? notRoot ?? false }, () => {
    let dir = ''
    let rootfs = ''
    let runtime: OciRuntime

    before(async () => {
      dir = await mkdtemp(join('/tmp', `berth-rt-${target.name}-`))
      rootfs = await busyboxRootfs(join(dir, 'rootfs'))
      runtime = target.create(join(dir, 'runtime'))
    })
    after(async () => {
      // The /berth parent cgroup stays: it is shared with every other container, and removing it races
      // their creation (crun/runc then fail with ENOENT on mkdir /sys/fs/cgroup/<c>/berth/<id>).
      await runtime?.close?.()
      if (dir) await rm(dir, { recursive: true, force: true })
    })

    /** Writes a bundle for a new container and registers its cleanup on `t`. */
    async function bundle(
      t: TestContext,
      args: string[],
      opts: Partial<Pick<RuntimeCreateOptions, 'tty' | 'openStdin' | 'stdinOnce'>> & { containerId?: string } = {},
    ): Promise<RuntimeCreateOptions> {
      const containerId = opts.containerId ?? `bt${randomBytes(6).toString('hex')}`
      const bundleDir = join(dir, 'bundles', containerId)
      const tty = opts.tty ?? false
      await mkdir(bundleDir, { recursive: true })
      await writeFile(join(bundleDir, 'config.json'), JSON.stringify(testOciConfig({ args, rootfs, terminal: tty, cgroupsPath: `/berth/${containerId}` })))
      t.after(async () => {
        await runtime.delete(containerId, { force: true })
        // crun/runc remove the leaf cgroup on delete; this catches what a failed test left behind.
        await waitFor('cgroup removal', () => removeCgroup(`/berth/${containerId}`).then(() => true, () => undefined), 5000)
        await runtime.purge?.(containerId)
      })
      return { containerId, bundleDir, logPath: join(bundleDir, 'container.log'), tty, openStdin: opts.openStdin ?? false, stdinOnce: opts.stdinOnce }
    }
    /** A running `sleep 100` container, removed with `t`. */
    async function sleeper(t: TestContext): Promise<RuntimeCreateOptions> {
      const c = await bundle(t, ['sleep', '100'])
      await runtime.create(c)
      await runtime.start(c.containerId)
      return c
    }
    /** An exec process run as root in `/` with PATH=/bin. */
    const rootProcess = (args: string[]): Process & { args: string[] } => ({ user: { uid: 0, gid: 0 }, args, env: ['PATH=/bin'], cwd: '/' })
    const newExecId = (): string => `ex${randomBytes(8).toString('hex')}`
    const exited = (id: string): Promise<ExitInfo> => waitFor(`exit of ${id}`, () => runtime.readExit(id))
    const logHas = async (opts: RuntimeCreateOptions, re: RegExp, view: (log: string) => string = (l) => l): Promise<string> => {
      const read = (): Promise<string> => readFile(opts.logPath, 'utf8').catch(() => '')
      try {
        return await waitFor(`log line ${re}`, async () => {
          const text = await read()
          return re.test(view(text)) ? text : undefined
        })
      } catch (err) {
        throw new Error(`${(err as Error).message}; log: ${JSON.stringify(await read())}`)
      }
    }

    test('a container created again under the same id after its exit reports its new exit, not the old one', async (t) => {
      const first = await bundle(t, ['sh', '-c', 'exit 3'])
      await runtime.create(first)
      await runtime.start(first.containerId)
      assert.equal((await exited(first.containerId)).exitCode, 3)
      await runtime.delete(first.containerId)
      await writeFile(join(first.bundleDir, 'config.json'), JSON.stringify(testOciConfig({ args: ['sh', '-c', 'sleep 0.2; exit 5'], rootfs, terminal: false, cgroupsPath: `/berth/${first.containerId}` })))
      await runtime.create(first)
      assert.equal(await runtime.readExit(first.containerId), undefined)
      await runtime.start(first.containerId)
      assert.equal((await exited(first.containerId)).exitCode, 5)
    })

    test('create() and start() run a container whose stdout reaches the k8s-file log', async (t) => {
      const c = await bundle(t, ['echo', 'hello'])
      const { pid } = await runtime.create(c)
      assert.ok(pid > 0)
      assert.deepEqual(await runtime.state(c.containerId), { status: 'created', pid })
      await runtime.start(c.containerId)
      const exit = await exited(c.containerId)
      assert.equal(exit.exitCode, 0)
      assert.equal(exit.oomKilled, false)
      assert.ok(exit.finishedAt instanceof Date)
      const log = await logHas(c, /stdout F hello/)
      assert.match(log, /^\d{4}-\d\d-\d\dT[\d:.]+\+00:00 stdout F hello$/m)
      assert.equal((await runtime.state(c.containerId))?.status, 'stopped')
    })

    test('readExit() and watchExits() report a non-zero exit code once', async (t) => {
      const c = await bundle(t, ['sh', '-c', 'exit 7'])
      const seen: ExitInfo[] = []
      let resolveFirst: (e: ExitInfo) => void = () => {}
      const first = new Promise<ExitInfo>((r) => (resolveFirst = r))
      const watcher = runtime.watchExits((id, exit) => {
        if (id !== c.containerId) return
        seen.push(exit)
        resolveFirst(exit)
      })
      t.after(() => watcher.close())
      await runtime.create(c)
      await runtime.start(c.containerId)
      const watched = await first
      assert.equal(watched.exitCode, 7)
      const read = await runtime.readExit(c.containerId)
      assert.deepEqual(read, watched)
      await runtime.delete(c.containerId)
      await new Promise((r) => setTimeout(r, 200))
      assert.equal(seen.length, 1)
    })

    test('kill() with KILL stops a running container with 137 and delete() removes it', async (t) => {
      const c = await sleeper(t)
      const running = await runtime.state(c.containerId)
      assert.equal(running?.status, 'running')
      assert.ok((running?.pid ?? 0) > 0)
      assert.equal(await runtime.readExit(c.containerId), undefined)
      await runtime.kill(c.containerId, 'KILL')
      assert.equal((await exited(c.containerId)).exitCode, 137)
      assert.deepEqual(await runtime.state(c.containerId), { status: 'stopped', pid: 0 })
      await runtime.delete(c.containerId)
      assert.equal(await runtime.state(c.containerId), undefined)
      await runtime.delete(c.containerId)
    })

    test('delete() with force removes a created container that never started', async (t) => {
      const c = await bundle(t, ['sleep', '100'])
      await runtime.create(c)
      await runtime.delete(c.containerId, { force: true })
      assert.equal(await runtime.state(c.containerId), undefined)
      assert.equal((await exited(c.containerId)).exitCode, 137)
    })

    test('attach() before start() receives stdout as stream 1 and stderr as stream 2', async (t) => {
      const c = await bundle(t, ['sh', '-c', 'echo out; echo err >&2'])
      await runtime.create(c)
      const conn = await runtime.attach(c.containerId)
      t.after(() => conn.close())
      const output = collect(conn)
      await runtime.start(c.containerId)
      assert.deepEqual(await output, { stdout: 'out\n', stderr: 'err\n' })
      assert.equal((await exited(c.containerId)).exitCode, 0)
    })

    test('attach() write() reaches the stdin of a container created with openStdin', async (t) => {
      const c = await bundle(t, ['sh', '-c', 'read x; echo got:$x'], { openStdin: true })
      await runtime.create(c)
      const conn = await runtime.attach(c.containerId)
      t.after(() => conn.close())
      const output = collect(conn)
      await runtime.start(c.containerId)
      conn.write(Buffer.from('abc\n'))
      assert.equal((await output).stdout, 'got:abc\n')
      assert.equal((await exited(c.containerId)).exitCode, 0)
    })

    test('attach() end() closes the stdin of a container created with openStdin and stdinOnce', async (t) => {
      const c = await bundle(t, ['cat'], { openStdin: true, stdinOnce: true })
      await runtime.create(c)
      const conn = await runtime.attach(c.containerId)
      t.after(() => conn.close())
      const output = collect(conn)
      await runtime.start(c.containerId)
      conn.write(Buffer.from('one\n'))
      assert.ok(conn.end, 'ConmonRuntime connections support end()')
      conn.end()
      assert.equal((await exited(c.containerId)).exitCode, 0)
      assert.equal((await output).stdout, 'one\n')
    })

    test('attach() without stdinOnce: stdin stays open when a client goes, for the next one', async (t) => {
      const c = await bundle(t, ['sh', '-c', 'read a; read b; echo "$a-$b"'], { openStdin: true })
      await runtime.create(c)
      const first = await runtime.attach(c.containerId)
      await runtime.start(c.containerId)
      first.write(Buffer.from('one\n'))
      first.end?.()
      first.close()
      const second = await runtime.attach(c.containerId)
      t.after(() => second.close())
      const output = collect(second)
      second.write(Buffer.from('two\n'))
      assert.equal((await exited(c.containerId)).exitCode, 0)
      assert.equal((await output).stdout, 'one-two\n')
    })

    test('resize() sets the terminal size a tty container sees', async (t) => {
      // conmon applies ctl messages asynchronously and never acknowledges them, so the container polls
      // until the pty has a size instead of racing conmon (busybox `stty size` on a 0x0 pty prints
      // nothing to stdout and still exits 0).
      const script = 'i=0; until s=$(stty size 2>/dev/null) && [ -n "$s" ]; do i=$((i+1)); [ $i -gt 200 ] && break; sleep 0.05; done; echo "size:$s"'
      const c = await bundle(t, ['sh', '-c', script], { tty: true })
      await runtime.create(c)
      await runtime.resize(c.containerId, 40, 120)
      await runtime.start(c.containerId)
      assert.equal((await exited(c.containerId)).exitCode, 0)
      // conmon logs each read as a line (P = partial), so "size:40 120\r\n" may be split: join the chunks.
      await logHas(c, /size:40 120\r?\n/, joinLogChunks)
    })

    test('resize() twice in a row: the container ends up with the second size', async (t) => {
      // The docker CLI sends rows+1 cols+1 and then the real size when it attaches; both can reach
      // conmon before it reads them, which conmon 2.1.6 mishandles unless each message is read alone.
      const script = 'i=0; until s=$(stty size 2>/dev/null) && [ "$s" = "40 120" ]; do i=$((i+1)); [ $i -gt 100 ] && break; sleep 0.05; done; echo "size:$s"'
      const c = await bundle(t, ['sh', '-c', script], { tty: true })
      await runtime.create(c)
      await runtime.resize(c.containerId, 41, 121)
      await runtime.resize(c.containerId, 40, 120)
      await runtime.start(c.containerId)
      assert.equal((await exited(c.containerId)).exitCode, 0)
      await logHas(c, /size:40 120\r?\n/, joinLogChunks)
    })

    test('exec() runs a process in the running container: output, stdin, exit code', async (t) => {
      if (!runtime.exec) return t.skip('the runtime has no exec')
      const c = await sleeper(t)
      const proc = await runtime.exec({
        containerId: c.containerId,
        execId: newExecId(),
        process: rootProcess(['sh', '-c', 'read x; echo out:$x; echo err >&2; exit 6']),
        openStdin: true,
      })
      assert.ok(proc.pid > 0)
      const output = collect(proc.attach)
      proc.attach.write(Buffer.from('in\n'))
      assert.equal(await proc.exited, 6)
      assert.deepEqual(await output, { stdout: 'out:in\n', stderr: 'err\n' })
      assert.equal((await runtime.state(c.containerId))?.status, 'running')
    })

    test('exec() with a terminal gets the requested size', async (t) => {
      if (!runtime.exec) return t.skip('the runtime has no exec')
      const c = await sleeper(t)
      const proc = await runtime.exec({
        containerId: c.containerId,
        execId: newExecId(),
        // conmon applies the size asynchronously: poll until the pty has one (a 0x0 pty makes stty fail).
        process: { ...rootProcess(['sh', '-c', 'i=0; until s=$(stty size 2>/dev/null) && [ -n "$s" ]; do i=$((i+1)); [ $i -gt 200 ] && break; sleep 0.05; done; echo "size:$s"']), terminal: true },
        openStdin: false,
        consoleSize: { rows: 33, cols: 77 },
      })
      const output = collect(proc.attach)
      assert.equal(await proc.exited, 0)
      assert.equal((await output).stdout, 'size:33 77\r\n')
    })

    test('exec() of a missing executable rejects with EXEC_NOT_FOUND', async (t) => {
      if (!runtime.exec) return t.skip('the runtime has no exec')
      const c = await sleeper(t)
      await assert.rejects(
        runtime.exec({
          containerId: c.containerId,
          execId: newExecId(),
          process: rootProcess(['nosuchcmd']),
          openStdin: false,
        }),
        (err: unknown) => isEngineError(err) && err.code === 'EXEC_NOT_FOUND',
      )
      // The runtime's child that failed to exec has been reaped: only the container's init is left.
      const init = (await runtime.state(c.containerId))?.pid
      assert.deepEqual(await cgroupProcs(c.containerId), [String(init)])
    })

    test('exec() output goes to pipes (/dev/stdout and /dev/stderr open) and the process is in the container cgroups', async (t) => {
      if (!runtime.exec) return t.skip('the runtime has no exec')
      const c = await sleeper(t)
      const proc = await runtime.exec({
        containerId: c.containerId,
        execId: newExecId(),
        process: rootProcess(['sh', '-c', 'echo o >/dev/stdout; echo e >/dev/stderr; exec sleep 100']),
        openStdin: false,
      })
      const seen = { stdout: '', stderr: '' }
      proc.attach.onData((stream, data) => (seen[stream === 1 ? 'stdout' : 'stderr'] += data.toString()))
      const lines = (await readFile(`/proc/${proc.pid}/cgroup`, 'utf8')).trim().split('\n')
      assert.ok(lines.length > 0)
      for (const line of lines) assert.match(line, new RegExp(`:/berth/${c.containerId}$`), line)
      // The shell has written both lines once it is sleeping: only then is it killed.
      await waitFor('the exec output', async () => (seen.stdout !== '' && seen.stderr !== '' ? true : undefined))
      process.kill(proc.pid, 'SIGKILL')
      assert.equal(await proc.exited, 137)
      assert.deepEqual(seen, { stdout: 'o\n', stderr: 'e\n' })
    })

    test('exec() keeps running after its client closes, and reports its exit code; detach runs without output', async (t) => {
      if (!runtime.exec) return t.skip('the runtime has no exec')
      const c = await sleeper(t)
      const process = rootProcess(['sh', '-c', 'sleep 0.2; echo late; echo late >&2; touch /tmp/done-$0; exit 5'])
      const closed = await runtime.exec({ containerId: c.containerId, execId: newExecId(), process: { ...process, args: [...process.args, 'closed'] }, openStdin: false })
      closed.attach.close()
      const detached = await runtime.exec({ containerId: c.containerId, execId: newExecId(), process: { ...process, args: [...process.args, 'detached'] }, openStdin: false, detach: true })
      detached.attach.close()
      assert.equal(await closed.exited, 5)
      assert.equal(await detached.exited, 5)
      const check = await runtime.exec({
        containerId: c.containerId,
        execId: newExecId(),
        process: rootProcess(['ls', '/tmp']),
        openStdin: false,
      })
      const listing = collect(check.attach)
      assert.equal(await check.exited, 0)
      assert.deepEqual((await listing).stdout.split('\n').filter(Boolean).sort(), ['done-closed', 'done-detached'])
    })

    test('exec() exit status of a process killed by a signal is 128 + the signal', async (t) => {
      if (!runtime.exec) return t.skip('the runtime has no exec')
      const c = await sleeper(t)
      const proc = await runtime.exec({
        containerId: c.containerId,
        execId: newExecId(),
        process: rootProcess(['sh', '-c', 'kill -9 $$']),
        openStdin: false,
      })
      assert.equal(await proc.exited, 137)
    })

    test('runForeground() runs a container to its end: stdout as stream 1, stderr as 2, its exit status; the runtime forgets it', async (t) => {
      if (!runtime.runForeground) return t.skip('the runtime has no foreground run')
      const c = await bundle(t, ['sh', '-c', 'echo out; echo err >&2; exit 5'])
      const proc = await runtime.runForeground({ containerId: c.containerId, bundleDir: c.bundleDir })
      assert.ok(proc.pid > 0)
      const output = collect(proc.attach)
      assert.equal(await proc.exited, 5)
      assert.deepEqual(await output, { stdout: 'out\n', stderr: 'err\n' })
      assert.equal(await runtime.state(c.containerId), undefined)
    })

    test('runForeground() of a missing executable rejects with the runtime message and leaves no container', async (t) => {
      if (!runtime.runForeground) return t.skip('the runtime has no foreground run')
      const c = await bundle(t, ['/no-such-binary'])
      await assert.rejects(runtime.runForeground({ containerId: c.containerId, bundleDir: c.bundleDir }),
        (err: unknown) => isEngineError(err) && /^Cannot create container \S+: .*no-such-binary/.test(err.message))
      assert.equal(await runtime.state(c.containerId), undefined)
    })

    test('runForeground(): the running container is known to state() and kill(); killed, it exits 137 and is gone', async (t) => {
      if (!runtime.runForeground) return t.skip('the runtime has no foreground run')
      const c = await bundle(t, ['sleep', '100'])
      const proc = await runtime.runForeground({ containerId: c.containerId, bundleDir: c.bundleDir })
      assert.deepEqual(await runtime.state(c.containerId), { status: 'running', pid: proc.pid })
      await runtime.kill(c.containerId, 'KILL')
      assert.equal(await proc.exited, 137)
      assert.equal(await runtime.state(c.containerId), undefined)
    })

    test('runForeground(): delete() with force ends the container (what a new daemon does after a crash)', async (t) => {
      if (!runtime.runForeground) return t.skip('the runtime has no foreground run')
      const c = await bundle(t, ['sleep', '100'])
      const proc = await runtime.runForeground({ containerId: c.containerId, bundleDir: c.bundleDir })
      await runtime.delete(c.containerId, { force: true })
      assert.equal(await proc.exited, 137)
      assert.equal(await runtime.state(c.containerId), undefined)
    })

    test('create() rejects with the runtime error when the command does not exist', async (t) => {
      const c = await bundle(t, ['/no-such-binary'])
      await assert.rejects(runtime.create(c), (err: unknown) => isEngineError(err) && /no-such-binary/.test(err.message))
      assert.equal(await runtime.state(c.containerId), undefined)
    })

    test('create() aborted while the runtime creates leaves no container behind', async (t) => {
      const c = await bundle(t, ['sleep', '100'])
      const ac = new AbortController()
      const creating = runtime.create({ ...c, signal: ac.signal })
      ac.abort()
      await assert.rejects(creating, { name: 'AbortError' })
      assert.equal(await runtime.state(c.containerId), undefined)
    })

    test('create() with `ready` reads the bundle only once it resolves', async (t) => {
      const c = await bundle(t, ['sh', '-c', 'exit 6'])
      const config = join(c.bundleDir, 'config.json')
      await rename(config, `${config}.later`)
      let complete: () => void = () => undefined
      const creating = runtime.create({ ...c, ready: new Promise<void>((r) => (complete = r)) })
      await new Promise((r) => setTimeout(r, 50))
      await rename(`${config}.later`, config)
      complete()
      assert.ok((await creating).pid > 0)
      await runtime.start(c.containerId)
      assert.equal((await exited(c.containerId)).exitCode, 6)
    })

    test('create() whose `ready` rejects rejects with its reason and leaves no container or monitor', async (t) => {
      const c = await bundle(t, ['sleep', '100'])
      const reason = new Error('bundle failed')
      await assert.rejects(runtime.create({ ...c, ready: Promise.reject(reason) }), (err: unknown) => err === reason)
      assert.equal(await runtime.state(c.containerId), undefined)
      await waitFor('conmon to go', async () => ((await processesNaming(c.containerId)).length === 0 ? true : undefined), 5000)
    })

    test('state(), readExit() and delete() treat an unknown container as absent; kill() is NotFound', async () => {
      assert.equal(await runtime.state('bt-unknown'), undefined)
      assert.equal(await runtime.readExit('bt-unknown'), undefined)
      await runtime.delete('bt-unknown')
      await assert.rejects(runtime.kill('bt-unknown', 'KILL'), (err: unknown) => isEngineError(err, 'NotFound'))
    })
  })
}

/** Pids of live processes whose command line names `word` (a container id). */
async function processesNaming(word: string): Promise<number[]> {
  const pids: number[] = []
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const [cmdline, stat] = await Promise.all([
      readFile(join('/proc', entry, 'cmdline'), 'utf8').catch(() => ''),
      readFile(join('/proc', entry, 'stat'), 'utf8').catch(() => ''),
    ])
    // A zombie is gone already (conmon's parent reaps it later).
    if (cmdline.includes(word) && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z') pids.push(Number(entry))
  }
  return pids
}

import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EngineError, RuntimeError, silentLogger } from '../../common/index.js'
import { EventBus, type EngineEvent } from '../events/index.js'
import { ContainerManager } from './container-manager.js'
import { FakeImages, fakeImage } from './testing/fake-images.js'
import { FakeRuntime } from './testing/fake-runtime.js'
import { FakeSnapshotter } from './testing/fake-snapshotter.js'
import type { ContainerHooks } from './hooks.js'
import type { ContainerRecord, ContainerSpec } from './types.js'

const busybox = fakeImage('docker.io/library/busybox:latest', { Env: ['PATH=/bin'], Cmd: ['sh'] })
const nginx = fakeImage('docker.io/library/nginx:latest', { Entrypoint: ['/docker-entrypoint.sh'], Cmd: ['nginx'], StopSignal: 'SIGQUIT' })

interface Harness {
  manager: ContainerManager
  runtime: FakeRuntime
  snapshotter: FakeSnapshotter
  events: EngineEvent[]
  dataRoot: string
  /** A second manager over the same data root and runtime, as after a daemon restart. */
  restart(): ContainerManager
}

async function harness(t: TestContext, hooks: ContainerHooks[] = []): Promise<Harness> {
  const dataRoot = await mkdtemp(join(tmpdir(), 'berth-containers-'))
  const hostDir = await mkdtemp(join(tmpdir(), 'berth-host-'))
  await writeFile(join(hostDir, 'resolv.conf'), 'nameserver 127.0.0.53\nnameserver 10.1.2.3\n')
  await writeFile(join(hostDir, 'hosts'), '127.0.0.1 localhost myhost\n')
  const runtime = new FakeRuntime()
  const snapshotter = new FakeSnapshotter()
  const images = new FakeImages([busybox, nginx])
  const events: EngineEvent[] = []
  const managers: ContainerManager[] = []
  const make = (): ContainerManager => {
    const bus = new EventBus()
    bus.subscribe((e) => events.push(e))
    const m = new ContainerManager({
      dataRoot, runtime, snapshotter, images, events: bus, logger: silentLogger, runtimeName: 'crun',
      hostNofileLimit: 4096, hostResolvConfPath: join(hostDir, 'resolv.conf'), hostHostsPath: join(hostDir, 'hosts'),
      hostHostname: () => 'myhost', attachDrainMs: 0, exitPollMs: 50, killTimeoutMs: 5000, hooks,
    })
    managers.push(m)
    return m
  }
  t.after(async () => {
    for (const m of managers) m.close()
    await rm(dataRoot, { recursive: true, force: true })
    await rm(hostDir, { recursive: true, force: true })
  })
  return { manager: make(), runtime, snapshotter, events, dataRoot, restart: make }
}

const spec = (extra: Partial<ContainerSpec> = {}): ContainerSpec => ({ image: 'docker.io/library/busybox:latest', host: {}, ...extra })
const actions = (events: EngineEvent[], id: string) => events.filter((e) => e.actor.id === id).map((e) => e.action)
const isKind = (kind: string, message?: string) => (e: unknown) =>
  e instanceof EngineError && e.kind === kind && (message === undefined || e.message === message)

test('ContainerManager create → start → exit → wait records the run and cleans up the runtime', async (t) => {
  const h = await harness(t)
  const { id, warnings } = await h.manager.create(spec({ cmd: ['echo', 'hi'], env: ['A=1'] }), 'first')
  assert.deepEqual(warnings, [])
  const created = await h.manager.resolve('first')
  assert.equal(created.state.status, 'created')
  assert.equal(created.path, 'echo')
  assert.deepEqual(created.args, ['hi'])
  assert.equal(created.spec.hostname, id.slice(0, 12))
  assert.equal(await readFile(created.hostnamePath, 'utf8'), `${id.slice(0, 12)}\n`)
  assert.equal(await readFile(created.resolvConfPath, 'utf8'), 'nameserver 10.1.2.3\n')
  assert.match(await readFile(created.hostsPath, 'utf8'), /^127\.0\.0\.1\tlocalhost\n/)
  assert.deepEqual(h.snapshotter.calls[0], { op: 'prepare', key: id, arg: busybox.topChainId })

  const exited = h.manager.wait(id, 'next-exit')
  await h.manager.start(id)
  const running = await h.manager.resolve(id)
  assert.equal(running.state.status, 'running')
  assert.ok(running.state.pid > 0)
  const createOpts = h.runtime.callsOf('create', id)[0]?.arg as { bundleDir: string; logPath: string; tty: boolean }
  assert.equal(createOpts.bundleDir, running.bundleDir)
  assert.equal(createOpts.logPath, running.logPath)
  const config = JSON.parse(await readFile(join(running.bundleDir, 'config.json'), 'utf8'))
  assert.deepEqual(config.process.args, ['echo', 'hi'])
  assert.ok(config.process.env.includes('A=1'))
  assert.ok(config.process.env.includes('PATH=/bin'))
  assert.deepEqual(config.process.rlimits, [{ type: 'RLIMIT_NOFILE', hard: 4096, soft: 4096 }])
  assert.equal(config.root.path, 'rootfs')

  h.runtime.exit(id, 3)
  assert.deepEqual(await exited, { statusCode: 3 })
  const done = await h.manager.resolve(id)
  assert.equal(done.state.status, 'exited')
  assert.equal(done.state.exitCode, 3)
  assert.equal(done.state.finishedAt, '2024-01-01T00:00:10.000Z')
  assert.equal(h.runtime.callsOf('delete', id).length, 1)
  assert.ok(h.snapshotter.calls.some((c) => c.op === 'unmount' && c.key === done.rootfsPath))
  assert.deepEqual(await h.manager.wait(id), { statusCode: 3 })
  assert.deepEqual(actions(h.events, id), ['create', 'start', 'die'])
  assert.equal(h.events.find((e) => e.action === 'die')?.actor.attributes['exitCode'], '3')
  assert.equal(h.events.find((e) => e.action === 'die')?.actor.attributes['name'], 'first')
  await assert.rejects(h.manager.start(id).then(() => h.manager.start(id)), isKind('NotModified'))
})

test('ContainerManager autoRemove removes the container after it exits', async (t) => {
  const h = await harness(t)
  const { id } = await h.manager.create(spec({ host: { autoRemove: true } }), 'temp')
  const removed = h.manager.wait(id, 'removed')
  await h.manager.start(id)
  h.runtime.exit(id, 0)
  assert.deepEqual(await removed, { statusCode: 0 })
  await assert.rejects(h.manager.resolve(id), isKind('NotFound', `No such container: ${id}`))
  await assert.rejects(stat(join(h.dataRoot, 'containers', id)), { code: 'ENOENT' })
  assert.deepEqual(actions(h.events, id), ['create', 'start', 'die', 'destroy'])
  assert.equal(h.manager.isImageUsed(busybox.id), false)
  // The name is free as soon as the waiters are told.
  const again = await h.manager.create(spec(), 'temp')
  await h.manager.remove(again.id)
  // The runtime state and files, the snapshot and the directory go after the waiters were told.
  const cleaned = async (): Promise<boolean> => h.snapshotter.calls.some((c) => c.op === 'removeSnapshot' && c.key === id) &&
    h.runtime.callsOf('delete', id).length === 1 && h.runtime.callsOf('purge', id).length === 1 &&
    (await readdir(join(h.dataRoot, 'containers'))).length === 0
  for (let i = 0; i < 200 && !(await cleaned()); i++) await new Promise((r) => setTimeout(r, 10))
  assert.ok(await cleaned(), 'runtime state, snapshot and directory deleted')
})

test('ContainerManager prepares and mounts the rootfs of a --rm container volatile and keeps other containers durable', async (t) => {
  const h = await harness(t)
  const temp = (await h.manager.create(spec({ host: { autoRemove: true } }), 'temp')).id
  const kept = (await h.manager.create(spec(), 'kept')).id
  await h.manager.start(temp)
  await h.manager.start(kept)
  assert.deepEqual(h.snapshotter.prepareOptions, [{ volatile: true }, {}])
  assert.deepEqual(h.snapshotter.mountOptions, [{ volatile: true }, {}])
  h.runtime.exit(temp, 0)
  h.runtime.exit(kept, 0)
})

test('ContainerManager writes the annotations the runtime asks for into config.json', async (t) => {
  const h = await harness(t)
  const seen: string[] = []
  h.runtime.specAnnotations = (containerId, s) => {
    seen.push(containerId)
    return s.process?.args?.[0] === 'sh' ? { 'run.oci.example': 'yes' } : undefined
  }
  const { id } = await h.manager.create(spec(), 'annotated')
  await h.manager.start(id)
  const config = JSON.parse(await readFile(join((await h.manager.resolve(id)).bundleDir, 'config.json'), 'utf8'))
  assert.deepEqual(seen, [id])
  assert.equal(config.annotations['run.oci.example'], 'yes')
  h.runtime.exit(id, 0)
})

test('ContainerManager.remove() refuses a running container without force and kills it with force', async (t) => {
  const h = await harness(t)
  const { id } = await h.manager.create(spec(), 'busy')
  await h.manager.start(id)
  await assert.rejects(
    h.manager.remove('busy'),
    isKind('Conflict', 'cannot remove container "/busy": container is running: stop the container before removing or force remove'),
  )
  assert.equal(h.manager.isImageUsed(busybox.id), true)
  await h.manager.remove('busy', { force: true })
  assert.deepEqual(h.runtime.callsOf('kill', id).map((c) => c.arg), [9])
  await assert.rejects(h.manager.resolve('busy'), isKind('NotFound'))
  assert.deepEqual(actions(h.events, id), ['create', 'start', 'kill', 'die', 'destroy'])
  // The name is free again.
  await h.manager.create(spec(), 'busy')
})

test('ContainerManager.create() rejects duplicate and invalid names and unknown images', async (t) => {
  const h = await harness(t)
  const { id } = await h.manager.create(spec(), 'web')
  await assert.rejects(
    h.manager.create(spec(), '/web'),
    isKind('Conflict', `Conflict. The container name "/web" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`),
  )
  await assert.rejects(h.manager.create(spec(), 'bad name'), isKind('InvalidArgument', 'Invalid container name (bad name), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed'))
  await assert.rejects(h.manager.create(spec({ image: 'nope:latest' }), 'x1'), isKind('NotFound', 'No such image: nope:latest'))
  await assert.rejects(h.manager.create(spec({ entrypoint: [''] }), 'x2'), isKind('InvalidArgument', 'No command specified'))
  const generated = await h.manager.create(spec())
  assert.match((await h.manager.resolve(generated.id)).name, /^[a-z]+_[a-z]+\d?$/)
  assert.equal((await h.manager.list({ all: true })).length, 2)
  assert.deepEqual(h.snapshotter.calls.filter((c) => c.op === 'prepare').length, 2)
})

test('ContainerManager.stop() escalates to SIGKILL after the timeout and uses the image StopSignal', async (t) => {
  const h = await harness(t)
  h.runtime.ignoredSignals.add(3)
  const { id } = await h.manager.create(spec({ image: 'docker.io/library/nginx:latest' }), 'web')
  await h.manager.start(id)
  await h.manager.stop(id, { timeout: 0 })
  assert.deepEqual(h.runtime.callsOf('kill', id).map((c) => c.arg), [3, 9])
  const r = await h.manager.resolve(id)
  assert.equal(r.state.status, 'exited')
  assert.equal(r.state.exitCode, 137)
  assert.deepEqual(actions(h.events, id), ['create', 'start', 'kill', 'kill', 'die', 'stop'])
  await assert.rejects(h.manager.stop(id), isKind('NotModified'))
})

test('ContainerManager.stop() returns once the first signal stops the container', async (t) => {
  const h = await harness(t)
  const { id } = await h.manager.create(spec({ stopSignal: 'SIGUSR1' }), 'quick')
  await h.manager.start(id)
  await h.manager.stop(id, { timeout: -1 })
  assert.deepEqual(h.runtime.callsOf('kill', id).map((c) => c.arg), [10])
  assert.equal((await h.manager.resolve(id)).state.exitCode, 138)
})

test('ContainerManager.kill() validates the signal and requires a running container', async (t) => {
  const h = await harness(t)
  const { id } = await h.manager.create(spec(), 'killme')
  await assert.rejects(h.manager.kill(id, 'SIGBOGUS'), isKind('InvalidArgument', 'Invalid signal: SIGBOGUS'))
  await assert.rejects(h.manager.kill(id), isKind('Conflict', `Container ${id} is not running`))
  await h.manager.start(id)
  h.runtime.ignoredSignals.add(1)
  await h.manager.kill(id, 'HUP')
  assert.equal((await h.manager.resolve(id)).state.running, true)
  await h.manager.kill(id)
  assert.equal((await h.manager.resolve(id)).state.status, 'exited')
  assert.deepEqual(h.events.filter((e) => e.action === 'kill').map((e) => e.actor.attributes['signal']), ['1', '9'])
})

test('ContainerManager.restore() keeps running containers and processes exits that happened while down', async (t) => {
  const h = await harness(t)
  const alive = (await h.manager.create(spec(), 'alive')).id
  const died = (await h.manager.create(spec(), 'died')).id
  const gone = (await h.manager.create(spec({ host: { autoRemove: true } }), 'gone')).id
  const never = (await h.manager.create(spec(), 'never')).id
  for (const id of [alive, died, gone]) await h.manager.start(id)
  h.manager.close()
  h.runtime.exit(died, 42)
  h.runtime.exit(gone, 0)
  await new Promise((r) => setImmediate(r))

  const m2 = h.restart()
  await m2.restore()
  const a = await m2.resolve(alive)
  assert.equal(a.state.status, 'running')
  const d = await m2.resolve(died)
  assert.equal(d.state.status, 'exited')
  assert.equal(d.state.exitCode, 42)
  assert.equal(h.runtime.callsOf('delete', died).length, 1)
  await assert.rejects(m2.resolve(gone), isKind('NotFound'))
  assert.equal((await m2.resolve(never)).state.status, 'created')
  // As dockerd's restore: an exit that happened while the daemon was down sends no 'die'; a --rm one is destroyed.
  assert.deepEqual(actions(h.events, died), ['create', 'start'])
  assert.deepEqual(actions(h.events, gone), ['create', 'start', 'destroy'])
  // The restored manager still sees later exits of the container that kept running.
  const next = m2.wait(alive)
  h.runtime.exit(alive, 5)
  assert.deepEqual(await next, { statusCode: 5 })
})

test('ContainerManager.restore() removes --rm containers found exited or never started, as dockerd', async (t) => {
  const removed: Array<{ id: string; removeVolumes: boolean }> = []
  const hook: ContainerHooks = { name: 'probe', onRemove: async (r, opts) => void removed.push({ id: r.id, removeVolumes: opts.removeVolumes }) }
  const h = await harness(t, [hook])
  const created = (await h.manager.create(spec({ host: { autoRemove: true } }), 'rm-created')).id
  const exited = (await h.manager.create(spec({ host: { autoRemove: true } }), 'rm-exited')).id
  const kept = (await h.manager.create(spec(), 'kept')).id
  // A record saved exited whose removal never happened (berthd went down in between).
  const file = join(h.dataRoot, 'containers', exited, 'container.json')
  const record = JSON.parse(await readFile(file, 'utf8')) as ContainerRecord
  record.state = { ...record.state, status: 'exited', exitCode: 3, startedAt: '2024-01-01T00:00:00.000Z', finishedAt: '2024-01-01T00:00:01.000Z' }
  await writeFile(file, JSON.stringify(record))
  h.manager.close()

  const m2 = h.restart()
  await m2.restore()
  for (const id of [created, exited]) {
    await assert.rejects(m2.resolve(id), isKind('NotFound'))
    assert.deepEqual(actions(h.events, id), ['create', 'destroy'])
    assert.ok(h.snapshotter.calls.some((c) => c.op === 'removeSnapshot' && c.key === id), 'its snapshot goes')
    await assert.rejects(stat(join(h.dataRoot, 'containers', id)), /ENOENT/)
  }
  assert.deepEqual(removed.map((r) => r.removeVolumes), [true, true])
  assert.deepEqual(removed.map((r) => r.id).sort(), [created, exited].sort())
  assert.equal((await m2.resolve(kept)).state.status, 'created')
  assert.deepEqual((await m2.list({ all: true })).map((r) => r.name), ['kept'])
})

test('ContainerManager.attach() before start connects at start and ends when the container exits', async (t) => {
  const h = await harness(t)
  const { id } = await h.manager.create(spec({ openStdin: true }), 'att')
  const attachment = await h.manager.attach(id, { stdin: true, stdout: true, stderr: false, stream: true })
  const got: string[] = []
  attachment.onData((s, d) => got.push(`${s}:${d.toString()}`))
  const ended = new Promise<void>((r) => attachment.onEnd(r))
  attachment.write(Buffer.from('input'))
  await h.manager.start(id)
  h.runtime.output(id, 1, 'out')
  h.runtime.output(id, 2, 'err')
  const conn = h.runtime.containers.get(id)?.conns[0]
  assert.deepEqual(conn?.written.map((b) => b.toString()), ['input'])
  attachment.endStdin?.()
  attachment.write(Buffer.from('dropped'))
  assert.equal(conn?.stdinEnded, true)
  assert.equal(conn?.written.length, 1)
  h.runtime.exit(id, 0)
  await ended
  assert.deepEqual(got, ['1:out'])
  assert.ok(h.runtime.callsOf('attach', id).length === 1)
})

test('ContainerManager.start() failure records Docker\'s exit code and undoes the mount', async (t) => {
  const h = await harness(t)
  const { id } = await h.manager.create(spec({ cmd: ['nope'] }), 'bad')
  h.runtime.failCreate = new RuntimeError(['crun', 'create'], 1, 'executable file `nope` not found in $PATH: No such file or directory')
  await assert.rejects(h.manager.start(id), isKind('InvalidArgument'))
  const r = await h.manager.resolve(id)
  assert.equal(r.state.status, 'created')
  assert.equal(r.state.exitCode, 127)
  assert.match(r.state.error, /not found/)
  assert.equal(h.snapshotter.mounts.size, 0)
})

test('ContainerManager.start() fails for an unknown user', async (t) => {
  const h = await harness(t)
  const { id } = await h.manager.create(spec({ user: 'nobody' }), 'usr')
  await assert.rejects(h.manager.start(id), isKind('InvalidArgument', 'unable to find user nobody: no matching entries in passwd file'))
  // The runtime's create began with the start and was called off before the bundle was complete.
  assert.equal(h.runtime.containers.has(id), false)
})

test('ContainerManager.start() lets the runtime create the container only once config.json is written', async (t) => {
  const h = await harness(t)
  const { id } = await h.manager.create(spec({ cmd: ['echo', 'hi'] }), 'ordered')
  const create = h.runtime.create.bind(h.runtime)
  let argsSeen: unknown
  h.runtime.create = async (opts) => {
    await opts.ready
    argsSeen = JSON.parse(await readFile(join(opts.bundleDir, 'config.json'), 'utf8')).process.args
    return create(opts)
  }
  await h.manager.start(id)
  assert.deepEqual(argsSeen, ['echo', 'hi'])
  h.runtime.exit(id, 0)
})

test('ContainerManager.rename(), list() and logs() work on records', async (t) => {
  const h = await harness(t)
  const { id } = await h.manager.create(spec({ labels: { app: 'x' } }), 'one')
  await h.manager.rename('one', 'two')
  assert.equal((await h.manager.resolve('two')).id, id)
  await assert.rejects(h.manager.rename('two', 'two'), isKind('InvalidArgument'))
  const other = await h.manager.create(spec(), 'three')
  await assert.rejects(h.manager.rename('two', 'three'), isKind('Conflict'))
  assert.deepEqual(h.events.find((e) => e.action === 'rename')?.actor.attributes['oldName'], '/one')
  assert.deepEqual((await h.manager.list({ all: true, filters: { label: ['app=x'] } })).map((r) => r.id), [id])
  assert.deepEqual((await h.manager.list({ all: true, filters: { ancestor: ['docker.io/library/busybox:latest'] } })).length, 2)
  assert.deepEqual(await h.manager.list(), [])
  const r = await h.manager.resolve(other.id)
  await writeFile(r.logPath, '2024-01-01T00:00:00.1Z stdout F hello\n2024-01-01T00:00:00.2Z stderr F oops\n')
  const lines: string[] = []
  for await (const batch of h.manager.logs('three', { stdout: true, stderr: false, follow: true, timestamps: false })) lines.push(...batch.map((e) => e.line.toString()))
  assert.deepEqual(lines, ['hello\n'])
  assert.throws(() => h.manager.logs('missing', { stdout: true, stderr: true, follow: false, timestamps: false }), isKind('NotFound'))
})

/** A hook that records its calls and contributes a mount and a network namespace at start. */
function recordingHook(name: string, calls: string[], opts: { failCreate?: boolean } = {}): ContainerHooks {
  return {
    name,
    async onCreate(record: ContainerRecord) {
      calls.push(`${name}:create`)
      if (opts.failCreate) throw new EngineError('InvalidArgument', 'HOOK_REFUSED', `${name} refuses ${record.name}`)
    },
    async onStart() {
      calls.push(`${name}:start`)
      return name === 'volumes'
        ? { mounts: [{ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind'] }] }
        : { networkNamespacePath: '/run/test-netns' }
    },
    async onStop() {
      calls.push(`${name}:stop`)
    },
    async onRemove(_record: ContainerRecord, o: { removeVolumes: boolean }) {
      calls.push(`${name}:remove:${o.removeVolumes}`)
    },
  }
}

test('ContainerManager hooks take part in create, start, exit and remove, in order', async (t) => {
  const calls: string[] = []
  const h = await harness(t, [recordingHook('volumes', calls), recordingHook('networks', calls)])
  const { id } = await h.manager.create(spec({ cmd: ['true'] }))
  await h.manager.start(id)
  const config = JSON.parse(await readFile(join((await h.manager.resolve(id)).bundleDir, 'config.json'), 'utf8')) as {
    mounts: Array<{ destination: string }>; linux: { namespaces: Array<{ type: string; path?: string }> }
  }
  assert.ok(config.mounts.some((m) => m.destination === '/data'))
  assert.deepEqual(config.linux.namespaces.find((n) => n.type === 'network'), { type: 'network', path: '/run/test-netns' })
  const exited = h.manager.wait(id, 'next-exit')
  h.runtime.exit(id, 0)
  await exited
  await h.manager.remove(id, { removeVolumes: true })
  assert.deepEqual(calls, [
    'volumes:create', 'networks:create', 'volumes:start', 'networks:start', 'networks:stop', 'volumes:stop',
    'networks:remove:true', 'volumes:remove:true',
  ])
})

test('ContainerManager create refused by a hook releases the hooks that ran and leaves no container', async (t) => {
  const calls: string[] = []
  const h = await harness(t, [recordingHook('volumes', calls), recordingHook('networks', calls, { failCreate: true })])
  await assert.rejects(h.manager.create(spec(), 'refused'), isKind('InvalidArgument', 'networks refuses refused'))
  assert.deepEqual(calls, ['volumes:create', 'networks:create', 'networks:remove:true', 'volumes:remove:true'])
  assert.deepEqual(await h.manager.list({ all: true }), [])
  await assert.rejects(h.manager.resolve('refused'), isKind('NotFound'))
})

test('ContainerManager.list() copies records unless the caller only reads them', async (t) => {
  const h = await harness(t)
  const { id } = await h.manager.create(spec(), 'listed')
  const [copy] = await h.manager.list({ all: true })
  copy!.name = 'changed'
  assert.equal((await h.manager.resolve(id)).name, 'listed')
  const [live] = await h.manager.list({ all: true, readOnly: true })
  assert.equal(live, (await h.manager.list({ all: true, readOnly: true }))[0])
  assert.equal(live!.name, 'listed')
})

test('ContainerManager starts a hook that does not read the rootfs while the rootfs is mounted, and undoes it when the mount fails', async (t) => {
  const seen: string[] = []
  // The early hook finishes only once the mount has ended: it must have been started before.
  let mountEnded!: () => void
  let ended = new Promise<void>((r) => (mountEnded = r))
  const early: ContainerHooks = {
    name: 'networks',
    startsBeforeRootfs: true,
    onStart: async () => {
      seen.push('early:start')
      await ended
      seen.push('early:ready')
      return { networkNamespacePath: '/run/test-netns' }
    },
    onStop: async () => void seen.push('early:stop'),
  }
  const late: ContainerHooks = { name: 'volumes', onStart: async () => void seen.push('late:start'), onStop: async () => void seen.push('late:stop') }
  const h = await harness(t, [late, early])
  const mount = h.snapshotter.mount.bind(h.snapshotter)
  let failMount = false
  h.snapshotter.mount = async (...args) => {
    seen.push('mount:begin')
    try {
      if (failMount) throw new Error('mount failed')
      const target = await mount(...args)
      seen.push('mount:done')
      return target
    } finally {
      mountEnded()
    }
  }
  const { id } = await h.manager.create(spec({ cmd: ['true'] }))
  await h.manager.start(id)
  assert.deepEqual(seen, ['early:start', 'mount:begin', 'mount:done', 'early:ready', 'late:start'])
  const config = JSON.parse(await readFile(join((await h.manager.resolve(id)).bundleDir, 'config.json'), 'utf8')) as { linux: { namespaces: Array<{ type: string; path?: string }> } }
  assert.deepEqual(config.linux.namespaces.find((n) => n.type === 'network'), { type: 'network', path: '/run/test-netns' })

  const { id: second } = await h.manager.create(spec({ cmd: ['true'] }))
  seen.length = 0
  ended = new Promise<void>((r) => (mountEnded = r))
  failMount = true
  await assert.rejects(h.manager.start(second), /mount failed/)
  // The early hook finished setting up before it was undone; the late one never started.
  assert.deepEqual(seen, ['early:start', 'mount:begin', 'early:ready', 'early:stop', 'late:stop'])
})

// ContainerManager with restart policies over the recording fake runtime.
import { test, type TestContext } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EngineError, silentLogger } from '../../common/index.js'
import { EventBus, type EngineEvent } from '../events/index.js'
import { ContainerManager } from './container-manager.js'
import { FakeImages, fakeImage } from './testing/fake-images.js'
import { FakeRuntime } from './testing/fake-runtime.js'
import { FakeSnapshotter } from './testing/fake-snapshotter.js'
import type { RestartPolicy } from './types.js'

const busybox = fakeImage('docker.io/library/busybox:latest', { Env: ['PATH=/bin'], Cmd: ['sh'] })

async function setup(t: TestContext): Promise<{ manager: ContainerManager; runtime: FakeRuntime; events: EngineEvent[]; again(): ContainerManager }> {
  const dataRoot = await mkdtemp(join(tmpdir(), 'berth-restart-'))
  await writeFile(join(dataRoot, 'resolv.conf'), 'nameserver 10.0.0.1\n')
  await writeFile(join(dataRoot, 'hosts'), '127.0.0.1 localhost\n')
  const runtime = new FakeRuntime()
  const snapshotter = new FakeSnapshotter()
  const images = new FakeImages([busybox])
  const events: EngineEvent[] = []
  const managers: ContainerManager[] = []
  const make = (): ContainerManager => {
    const bus = new EventBus()
    bus.subscribe((e) => events.push(e))
    const m = new ContainerManager({
      dataRoot, runtime, snapshotter, images, events: bus, logger: silentLogger, runtimeName: 'crun',
      hostResolvConfPath: join(dataRoot, 'resolv.conf'), hostHostsPath: join(dataRoot, 'hosts'), attachDrainMs: 0, exitPollMs: 50,
    })
    managers.push(m)
    return m
  }
  t.after(async () => {
    for (const m of managers) m.close()
    await rm(dataRoot, { recursive: true, force: true })
  })
  return { manager: make(), runtime, events, again: make }
}

const withPolicy = (name: RestartPolicy['name'], maximumRetryCount = 0) =>
  ({ image: 'docker.io/library/busybox:latest', host: { restartPolicy: { name, maximumRetryCount } } })

async function until(what: string, fn: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000
  while (Date.now() < deadline) {
    if (await fn()) return
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`timed out waiting for ${what}`)
}

test('ContainerManager restarts on-failure:2 twice, reporting restarting in between', async (t) => {
  const { manager, runtime, events } = await setup(t)
  const { id } = await manager.create(withPolicy('on-failure', 2))
  await manager.start(id)
  runtime.exit(id, 3)
  await until('restarting', async () => (await manager.resolve(id)).state.status === 'restarting')
  const waiting = await manager.resolve(id)
  assert.deepEqual([waiting.state.restarting, waiting.restartCount, waiting.state.exitCode], [true, 1, 3])
  await until('running again', async () => (await manager.resolve(id)).state.status === 'running')
  runtime.exit(id, 3)
  await until('second restart', async () => (await manager.resolve(id)).restartCount === 2 && (await manager.resolve(id)).state.running)
  runtime.exit(id, 3)
  await until('exited', async () => (await manager.resolve(id)).state.status === 'exited')
  assert.equal((await manager.resolve(id)).restartCount, 2)
  assert.equal(events.filter((e) => e.actor.id === id && e.action === 'start').length, 3)
})

test('ContainerManager does not restart after stop; kill and rm of a restarting container cancel the restart', async (t) => {
  const { manager, runtime } = await setup(t)
  const { id } = await manager.create(withPolicy('always'))
  await manager.start(id)
  await manager.stop(id, { timeout: 0 })
  await new Promise((r) => setTimeout(r, 300))
  const stopped = await manager.resolve(id)
  assert.deepEqual([stopped.state.status, stopped.manuallyStopped], ['exited', true])

  await manager.start(id)
  assert.equal((await manager.resolve(id)).manuallyStopped, false)
  runtime.exit(id, 0)
  await until('restarting', async () => (await manager.resolve(id)).state.restarting)
  await assert.rejects(manager.remove(id), (e: unknown) => e instanceof EngineError && e.kind === 'Conflict' && /is restarting/.test(e.message))
  await manager.kill(id)
  assert.equal((await manager.resolve(id)).state.status, 'exited')
  await new Promise((r) => setTimeout(r, 300))
  assert.equal((await manager.resolve(id)).state.status, 'exited')
  await manager.remove(id)
})

test('ContainerManager.restore() starts always containers and unless-stopped ones not stopped by hand', async (t) => {
  const { manager, again } = await setup(t)
  const always = (await manager.create(withPolicy('always'))).id
  const unless = (await manager.create(withPolicy('unless-stopped'))).id
  const stoppedByHand = (await manager.create(withPolicy('unless-stopped'))).id
  const none = (await manager.create(withPolicy('no'))).id
  for (const id of [always, unless, stoppedByHand, none]) await manager.start(id)
  for (const id of [always, stoppedByHand, none]) await manager.stop(id, { timeout: 0 })
  manager.close()
  // unless-stopped was never stopped by hand but is not running now (as after a host reboot): kill it behind the daemon's back.
  const restarted = again()
  await restarted.restore()
  const status = async (id: string) => (await restarted.resolve(id)).state.status
  assert.equal(await status(always), 'running')
  assert.equal(await status(unless), 'running')
  assert.equal(await status(stoppedByHand), 'exited')
  assert.equal(await status(none), 'exited')
})

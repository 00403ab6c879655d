import { test } from 'node:test'
import assert from 'node:assert/strict'
import { renameSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EngineError, silentLogger } from '../../common/index.js'
import { EventBus, type EngineEvent } from '../events/index.js'
import type { OciRuntime, RuntimeExecOptions } from '../../runtime/oci-runtime.js'
import { ExecManager } from './exec-manager.js'
import { runningState } from './record.js'
import { FakeConnection } from './testing/fake-runtime.js'
import { sampleRecord } from './testing/fixtures.js'
import type { ContainerRecord } from './types.js'

/** A runtime that only execs: each exec gets a FakeConnection and an exit the test settles. */
function execRuntime(opts: { fail?: EngineError } = {}) {
  const calls: RuntimeExecOptions[] = []
  const sessions: Array<{ conn: FakeConnection; exit: (code: number) => void; resizes: Array<[number, number]> }> = []
  const runtime = {
    async exec(o: RuntimeExecOptions) {
      calls.push(o)
      if (opts.fail) throw opts.fail
      const conn = new FakeConnection()
      let exit: (code: number) => void = () => {}
      const exited = new Promise<number>((r) => (exit = r))
      const session = { conn, exit, resizes: [] as Array<[number, number]> }
      sessions.push(session)
      return { pid: 4242, attach: conn, exited, resize: async (rows: number, cols: number) => void session.resizes.push([rows, cols]) }
    },
  } as unknown as OciRuntime
  return { runtime, calls, sessions }
}

function setup(record: ContainerRecord, runtime: OciRuntime) {
  const events = new EventBus()
  const seen: EngineEvent[] = []
  events.subscribe((e) => seen.push(e))
  const manager = new ExecManager({
    containers: { resolve: async () => structuredClone(record) },
    runtime, events, logger: silentLogger, availableCapabilities: ['CAP_CHOWN', 'CAP_SYS_ADMIN'],
    newId: () => 'e'.repeat(64), resizeWaitMs: 200,
  })
  return { manager, events, seen }
}

const running = (): ContainerRecord => {
  const r = sampleRecord({}, '/nonexistent/berth-test/c1')
  r.state = runningState(r.state, 100, '2024-01-01T00:00:00.000Z')
  return r
}

test('ExecManager.create() refuses stopped and paused containers with Docker\'s messages', async () => {
  const stopped = sampleRecord()
  await assert.rejects(setup(stopped, execRuntime().runtime).manager.create('c1', { cmd: ['true'] }),
    (e: unknown) => e instanceof EngineError && e.kind === 'Conflict' && e.message === `container ${stopped.id} is not running`)
  const paused = running()
  paused.state = { ...paused.state, paused: true, status: 'paused' }
  await assert.rejects(setup(paused, execRuntime().runtime).manager.create('c1', { cmd: ['true'] }),
    /Container c1\S* is paused, unpause the container before exec/)
  await assert.rejects(setup(running(), execRuntime().runtime).manager.create('c1', { cmd: [] }), /No exec command specified/)
})

test('ExecManager.start() runs the process and ends the stream only after the exit code is recorded', async () => {
  const rt = execRuntime()
  const { manager, seen } = setup(running(), rt.runtime)
  const { id } = await manager.create('c1', { cmd: ['sh', '-c', 'x'], env: ['A=1'], tty: true, attachStdout: true, attachStdin: true, consoleSize: [20, 60] })
  assert.equal(manager.inspect(id).exitCode, null)
  const attachment = await manager.start(id, { detach: false })
  assert.ok(attachment)
  const call = rt.calls[0]
  assert.deepEqual(call?.process.args, ['sh', '-c', 'x'])
  assert.ok(call?.process.env?.includes('A=1') && call.process.env.includes('TERM=xterm'))
  assert.deepEqual(call?.consoleSize, { rows: 20, cols: 60 })
  assert.equal(call?.openStdin, true)
  assert.equal(manager.inspect(id).running, true)
  assert.equal(manager.inspect(id).pid, 4242)

  const out: string[] = []
  let endedWith: number | null | undefined
  attachment.onData((_s, d) => out.push(d.toString()))
  attachment.onEnd(() => (endedWith = manager.inspect(id).exitCode))
  rt.sessions[0]?.conn.emit(1, Buffer.from('hi'))
  rt.sessions[0]?.conn.finish()
  await new Promise((r) => setImmediate(r))
  assert.equal(endedWith, undefined, 'the stream waits for the exit code')
  rt.sessions[0]?.exit(3)
  await new Promise((r) => setImmediate(r))
  assert.equal(endedWith, 3)
  assert.deepEqual(out, ['hi'])
  assert.deepEqual(seen.map((e) => e.action), ['exec_create: sh -c x', 'exec_start: sh -c x', 'exec_die'])
  assert.equal(seen[2]?.actor.attributes['exitCode'], '3')
  await assert.rejects(manager.start(id, { detach: true }), /has already run/)
})

test('ExecManager.start() of a missing executable records 127 and words the error as Docker', async () => {
  const rt = execRuntime({ fail: new EngineError('InvalidArgument', 'EXEC_NOT_FOUND', 'exec: "nope": executable file not found in $PATH') })
  const { manager } = setup(running(), rt.runtime)
  const { id } = await manager.create('c1', { cmd: ['nope'] })
  await assert.rejects(manager.start(id, { detach: false }), (e: unknown) =>
    e instanceof EngineError && e.message === 'OCI runtime exec failed: exec failed: unable to start container process: exec: "nope": executable file not found in $PATH: unknown')
  assert.equal(manager.inspect(id).exitCode, 127)
  assert.equal(manager.inspect(id).running, false)
})

test('ExecManager.resize() waits for the process, then resizes it', async () => {
  const rt = execRuntime()
  const { manager } = setup(running(), rt.runtime)
  const { id } = await manager.create('c1', { cmd: ['sh'], tty: true })
  await assert.rejects(manager.resize(id, 10, 20), /is not running/)
  const started = manager.start(id, { detach: true })
  const resized = manager.resize(id, 10, 20)
  await started
  await resized
  assert.deepEqual(rt.sessions[0]?.resizes, [[10, 20]])
})

test('ExecManager forgets the execs of a destroyed container', async () => {
  const record = running()
  const { manager, events } = setup(record, execRuntime().runtime)
  const { id } = await manager.create('c1', { cmd: ['true'] })
  events.publish('container', 'destroy', record.id)
  assert.throws(() => manager.inspect(id), /No such exec instance/)
})

test('ExecManager.start() takes the process settings from config.json, read again only once it changed', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-exec-config-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  const record = running()
  record.bundleDir = dir
  const config = join(dir, 'config.json')
  const writeConfig = (rlimit: number, caps: string[]): void =>
    writeFileSync(config, JSON.stringify({ process: { rlimits: [{ type: 'RLIMIT_NOFILE', hard: rlimit, soft: rlimit }], capabilities: { bounding: caps } } }))
  writeConfig(100, ['CAP_CHOWN'])
  const rt = execRuntime()
  const { manager } = setup(record, rt.runtime)
  const exec = async (): Promise<void> => {
    const { id } = await manager.create('c1', { cmd: ['true'] })
    await manager.start(id, { detach: true })
  }
  await exec()
  await exec()
  assert.deepEqual(rt.calls.map((c) => c.process.rlimits?.[0]?.soft), [100, 100])
  assert.deepEqual(rt.calls[1]?.process.capabilities?.bounding, ['CAP_CHOWN'])
  // Replaced (as writeFileAtomic does) and rewritten in place with a different size: both are seen.
  writeFileSync(`${config}.tmp`, '{"process":{"rlimits":[{"type":"RLIMIT_NOFILE","hard":200,"soft":200}]}}')
  renameSync(`${config}.tmp`, config)
  await exec()
  writeConfig(3000, ['CAP_KILL', 'CAP_CHOWN'])
  await exec()
  assert.deepEqual(rt.calls.map((c) => c.process.rlimits?.[0]?.soft), [100, 100, 200, 3000])
  assert.deepEqual(rt.calls[3]?.process.capabilities?.bounding, ['CAP_KILL', 'CAP_CHOWN'])
  // Unreadable: the exec runs with berthd's defaults only, as before.
  await rm(config)
  await exec()
  assert.equal(rt.calls[4]?.process.rlimits, undefined)
})

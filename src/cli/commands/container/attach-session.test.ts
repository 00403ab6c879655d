import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { createContext, type CliContext } from '../../context.js'
import { monitorTtySize } from './attach-session.js'

type Size = { height: number; width: number }

/** A context whose stdout is a terminal of 30x100; what goes to stderr is collected. */
function terminal(): { ctx: CliContext; stdout: PassThrough & { rows: number; columns: number }; stderr: () => string } {
  const stdout = Object.assign(new PassThrough(), { isTTY: true, rows: 30, columns: 100 })
  const stderr = new PassThrough()
  let errors = ''
  stderr.on('data', (chunk: Buffer) => { errors += chunk.toString() })
  const ctx = createContext({
    io: { stdin: new PassThrough(), stdout, stderr, env: {} },
    commandPath: 'berth attach',
    debug: false,
    makeClient: () => { throw new Error('no client in this test') },
  })
  return { ctx, stdout, stderr: () => errors }
}

/** A send() that fails its first `failures` calls and records every call. */
function flakySend(failures: number): { send: (size: Size) => Promise<void>; calls: Size[] } {
  const calls: Size[] = []
  return {
    calls,
    send: async (size) => {
      calls.push(size)
      if (calls.length <= failures) throw new Error('Container is not running')
    },
  }
}

const settle = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Waits (up to 10 s, however busy the machine) until `done()` holds. */
async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await settle(10)
  assert.ok(done(), 'the condition never held')
}

test('monitorTtySize() sends the size once, then on every resize until stopped', async () => {
  const { ctx, stdout } = terminal()
  const { send, calls } = flakySend(0)
  const monitor = monitorTtySize(ctx, send)
  await monitor.initial()
  stdout.rows = 40
  stdout.columns = 120
  stdout.emit('resize')
  await settle(0)
  monitor.stop()
  stdout.emit('resize')
  await settle(0)
  assert.deepEqual(calls, [{ height: 30, width: 100 }, { height: 40, width: 120 }])
})

test('monitorTtySize() retries a failed first resize as the docker CLI does, quietly when one succeeds', async () => {
  const { ctx, stderr } = terminal()
  const { send, calls } = flakySend(3)
  const monitor = monitorTtySize(ctx, send, false)
  await monitor.initial()
  assert.equal(calls.length, 1)
  await until(() => calls.length === 4) // retries after 10, 20, 30 ms; the third succeeds
  await settle(150) // time enough for a wrong fourth retry
  monitor.stop()
  assert.equal(calls.length, 4)
  assert.equal(stderr(), '')
})

test('monitorTtySize() gives up after 10 retries with docker\'s message on stderr', async () => {
  const { ctx, stderr } = terminal()
  const { send, calls } = flakySend(Infinity)
  const monitor = monitorTtySize(ctx, send, false)
  await monitor.initial()
  await until(() => stderr() !== '') // after 10 + 20 + ... + 100 ms
  monitor.stop()
  assert.equal(calls.length, 11)
  assert.equal(stderr(), 'failed to resize tty, using default size\n')
})

test('monitorTtySize() stops retrying when the session ends', async () => {
  const { ctx, stderr } = terminal()
  const { send, calls } = flakySend(Infinity)
  const monitor = monitorTtySize(ctx, send, false)
  await monitor.initial()
  monitor.stop()
  await settle(100)
  assert.equal(calls.length, 1)
  assert.equal(stderr(), '')
})

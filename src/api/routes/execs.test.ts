import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { EngineError } from '../../common/index.js'
import type { ExecConfig, ExecRecord, ExecService } from '../../engine/containers/index.js'
import { Attachment } from '../../engine/containers/attachment.js'
import { createDemuxer } from '../stream/index.js'
import { startTestServer } from '../testing/http-harness.js'

function stubExecs(over: Partial<ExecService> = {}): ExecService & { created: ExecConfig[] } {
  const created: ExecConfig[] = []
  const record = (config: ExecConfig): ExecRecord => ({ id: 'ex1', containerId: 'c1', config, running: false, exitCode: 2, pid: 77, started: true })
  return {
    created,
    create: async (_c, config) => {
      created.push(config)
      return { id: 'ex1' }
    },
    inspect: (id) => {
      if (id !== 'ex1') throw new EngineError('NotFound', 'EXEC_NOT_FOUND', `No such exec instance: ${id}`)
      return record(created[0] ?? { cmd: ['sh', '-c', 'exit 2'], user: 'nobody', attachStdout: true })
    },
    start: async () => undefined,
    resize: async () => {},
    top: async () => ({ titles: ['PID', 'CMD'], processes: [['1', 'sleep 9']] }),
    ...over,
  }
}

test('POST /containers/{id}/exec maps ExecConfig; GET /exec/{id}/json answers Docker\'s ExecInspect', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const execs = stubExecs()
  srv.engine.execs = execs
  const res = await srv.request('POST', '/containers/c1/exec', {
    body: { Cmd: ['sh', '-c', 'exit 2'], Env: ['A=1'], WorkingDir: '/w', User: 'nobody', Tty: false, AttachStdout: true, ConsoleSize: [10, 20] },
  })
  assert.equal(res.status, 201)
  assert.deepEqual(res.json(), { Id: 'ex1' })
  assert.deepEqual(execs.created[0], {
    cmd: ['sh', '-c', 'exit 2'], env: ['A=1'], workingDir: '/w', user: 'nobody', privileged: false, tty: false,
    attachStdin: false, attachStdout: true, attachStderr: false, detachKeys: undefined, consoleSize: [10, 20],
  })
  const inspect = await srv.request('GET', '/exec/ex1/json')
  assert.deepEqual(inspect.json(), {
    CanRemove: false, ContainerID: 'c1', DetachKeys: '', ExitCode: 2, ID: 'ex1', OpenStderr: false, OpenStdin: false, OpenStdout: true,
    ProcessConfig: { arguments: ['-c', 'exit 2'], entrypoint: 'sh', privileged: false, tty: false, user: 'nobody' }, Running: false, Pid: 77,
  })
  assert.equal((await srv.request('GET', '/exec/nope/json')).status, 404)
  const top = await srv.request('GET', '/containers/c1/top?ps_args=-ef')
  assert.deepEqual(top.json(), { Titles: ['PID', 'CMD'], Processes: [['1', 'sleep 9']] })
})

test('POST /exec/{id}/start with Detach answers 200; without, a start error goes into the hijacked stream', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  srv.engine.execs = stubExecs({
    start: async (_id, opts) => {
      if (opts.detach) return undefined
      throw new EngineError('InvalidArgument', 'EXEC_NOT_FOUND', 'OCI runtime exec failed: boom: unknown')
    },
  })
  assert.equal((await srv.request('POST', '/exec/ex1/start', { body: { Detach: true } })).status, 200)
  const raw = await new Promise<Buffer>((resolve, reject) => {
    const sock = connect(srv.socketPath)
    const chunks: Buffer[] = []
    sock.on('data', (c: Buffer) => chunks.push(c))
    sock.on('end', () => resolve(Buffer.concat(chunks)))
    sock.on('error', reject)
    const body = JSON.stringify({ Detach: false, Tty: false })
    sock.write(`POST /v1.50/exec/ex1/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`)
  })
  const split = raw.indexOf('\r\n\r\n')
  assert.match(raw.subarray(0, split).toString(), /^HTTP\/1\.1 101 UPGRADED\r\nContent-Type: application\/vnd\.docker\.multiplexed-stream/)
  const frames = createDemuxer().push(raw.subarray(split + 4))
  assert.deepEqual(frames.map((f) => [f.stream, f.data.toString()]), [[1, 'OCI runtime exec failed: boom: unknown\r\n']])
})

test('POST /exec/{id}/start delivers stdin when the JSON body arrives after the headers', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  const typed: Buffer[] = []
  let gotInput: () => void = () => {}
  const input = new Promise<void>((resolve) => (gotInput = resolve))
  const attachment = new Attachment({ stdin: true, stdout: true, stderr: true })
  const execs = stubExecs({
    start: async () => {
      attachment.connect({
        onData: () => {},
        onEnd: () => {},
        write: (d) => {
          typed.push(d)
          if (Buffer.concat(typed).toString() === 'echo hi\r') gotInput()
        },
        close: () => {},
      })
      return attachment
    },
  })
  await execs.create('c1', { cmd: ['sh'], tty: true, attachStdin: true, attachStdout: true, attachStderr: true })
  srv.engine.execs = execs
  const sock = connect(srv.socketPath)
  t.after(() => sock.destroy())
  const received: Buffer[] = []
  sock.on('data', (c: Buffer) => received.push(c))
  const body = JSON.stringify({ Detach: false, Tty: true })
  // The docker CLI's headers and body can reach the daemon in separate reads.
  sock.write(`POST /v1.50/exec/ex1/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`)
  await new Promise((r) => setTimeout(r, 50))
  sock.write(body)
  while (!Buffer.concat(received).includes('\r\n\r\n')) await new Promise((r) => setTimeout(r, 10))
  assert.match(Buffer.concat(received).toString(), /^HTTP\/1\.1 101 UPGRADED\r\nContent-Type: application\/vnd\.docker\.raw-stream/)
  sock.write('echo hi\r')
  await input
  assert.equal(Buffer.concat(typed).toString(), 'echo hi\r')
  attachment.end()
})

test('exec routes answer 501 when the engine cannot exec', async (t) => {
  const srv = await startTestServer()
  t.after(() => srv.close())
  assert.equal((await srv.request('POST', '/containers/c1/exec', { body: { Cmd: ['true'] } })).status, 501)
})

// exec, top and non-TTY stdin against real containers, with both CLIs, plus the exec API itself.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { Daemon, eventually, isRoot } from './harness.js'

const skip = isRoot() ? false : 'needs root (namespaces, cgroups, overlay mounts)'

for (const cli of ['docker', 'berth'] as const) {
  describe(`exec and top through the ${cli} CLI`, { skip }, () => {
    const d = new Daemon()
    const run = (args: string[], opts?: { input?: string; env?: Record<string, string> }) => d.cli(cli, args, opts)
    const name = `box-${cli}`
    before(async () => {
      await d.startWithBusybox()
      const r = run(['run', '-d', '--name', name, '-e', 'FROM_RUN=run', '-w', '/srv', 'busybox', 'sleep', '1000'])
      assert.equal(r.code, 0, r.stderr)
    })
    after(() => d.stop())

    test('exec streams stdout and stderr apart and exits with the process status', () => {
      const r = run(['exec', name, 'sh', '-c', 'echo out; echo err >&2; exit 3'])
      assert.equal(r.code, 3)
      assert.equal(r.stdout, 'out\n')
      assert.equal(r.stderr, 'err\n')
      assert.equal(run(['exec', name, 'true']).code, 0)
    })

    test('exec of a missing or non-executable command exits 127 / 126 with Docker\'s message', () => {
      const missing = run(['exec', name, 'nosuchcommand'])
      assert.equal(missing.code, 127)
      assert.match(missing.stdout + missing.stderr, /OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuchcommand": executable file not found in \$PATH: unknown/)
      const denied = run(['exec', name, '/etc/passwd'])
      assert.equal(denied.code, 126)
      assert.match(denied.stdout + denied.stderr, /exec: "\/etc\/passwd": permission denied/)
    })

    test('exec inherits the container env and working dir; -e, --env-file, -w and -u override them', () => {
      const defaults = run(['exec', name, 'sh', '-c', 'echo $FROM_RUN $(pwd) $(id -u) $HOME'])
      assert.equal(defaults.stdout, 'run /srv 0 /root\n')
      const envFile = `${d.dataRoot}/exec.env`
      writeFileSync(envFile, 'FROM_FILE=file\n')
      const r = run(['exec', '-e', 'FROM_RUN=exec', '-e', 'EXTRA', '--env-file', envFile, '-w', '/tmp', '-u', 'nobody', name,
        'sh', '-c', 'echo $FROM_RUN $EXTRA $FROM_FILE $(pwd) $(id -u):$(id -g) $HOME'], { env: { EXTRA: 'inherited' } })
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, 'exec inherited file /tmp 65534:65534 /home\n')
    })

    test('exec -i streams stdin to the process; run -i without -t does too', () => {
      assert.equal(run(['exec', '-i', name, 'sh', '-c', 'cat; echo done'], { input: 'line 1\nline 2\n' }).stdout, 'line 1\nline 2\ndone\n')
      assert.equal(run(['run', '--rm', '-i', 'busybox', 'cat'], { input: 'hi\n' }).stdout, 'hi\n')
    })

    test('exec --privileged gets every capability, a plain exec the container\'s', () => {
      const caps = (args: string[]): string => run(['exec', ...args, name, 'sh', '-c', 'grep CapEff /proc/self/status']).stdout
      const plain = caps([])
      const privileged = caps(['--privileged'])
      assert.match(plain, /^CapEff:\s+[0-9a-f]+\n$/)
      assert.notEqual(plain, privileged)
      assert.ok(BigInt('0x' + privileged.split(/\s+/)[1]) > BigInt('0x' + plain.split(/\s+/)[1]))
    })

    test('exec -d runs in the background', async () => {
      const r = run(['exec', '-d', name, 'sh', '-c', 'sleep 0.2; echo bg > /tmp/flag'])
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, '')
      await eventually(() => run(['exec', name, 'cat', '/tmp/flag']).stdout === 'bg\n', 'the detached exec to write its file')
      // Its shell exits right after writing: wait for that, so later tests see only the main process.
      await eventually(() => !/sleep 0\.2/.test(run(['top', name]).stdout), 'the detached exec to exit')
    })

    test('top lists the container processes, with ps options', () => {
      const r = run(['top', name])
      assert.equal(r.code, 0, r.stderr)
      const [header, ...rows] = r.stdout.trimEnd().split('\n')
      assert.match(header ?? '', /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/)
      assert.equal(rows.length, 1)
      assert.match(rows[0] ?? '', /sleep 1000$/)
      const custom = run(['top', name, '-o', 'pid,comm'])
      assert.match(custom.stdout, /^PID\s+COMMAND\n\d+\s+sleep\n$/)
    })

    test('exec and top on a stopped container fail: container is not running', () => {
      const stopped = `stopped-${cli}`
      assert.equal(run(['create', '--name', stopped, 'busybox', 'true']).code, 0)
      const id = run(['inspect', '-f', '{{.Id}}', stopped]).stdout.trim()
      const r = run(['exec', stopped, 'true'])
      assert.equal(r.code, 1)
      assert.match(r.stderr, new RegExp(`Error response from daemon: container ${id} is not running`))
      const top = run(['top', stopped])
      assert.equal(top.code, 1)
      assert.match(top.stderr, /is not running/)
      assert.equal(run(['rm', stopped]).code, 0)
    })
  })
}

describe('exec API', { skip }, () => {
  const d = new Daemon()
  let id = ''
  before(async () => {
    await d.startWithBusybox()
    id = d.berth(['run', '-d', 'busybox', 'sleep', '1000']).stdout.trim()
  })
  after(() => d.stop())

  test('create, start and inspect an exec; it runs once; events name it', async () => {
    const since = Math.floor(Date.now() / 1000)
    const created = await d.api('POST', `/containers/${id}/exec`, JSON.stringify({ Cmd: ['sh', '-c', 'exit 4'], AttachStdout: true, User: 'nobody' }))
    assert.equal(created.status, 201)
    const execId = (JSON.parse(created.body) as { Id: string }).Id
    const before = JSON.parse((await d.api('GET', `/exec/${execId}/json`)).body) as Record<string, unknown>
    assert.equal(before.Running, false)
    assert.equal(before.ExitCode, null)
    assert.equal(before.ContainerID, id)
    assert.deepEqual(before.ProcessConfig, { arguments: ['-c', 'exit 4'], entrypoint: 'sh', privileged: false, tty: false, user: 'nobody' })
    const started = await d.api('POST', `/exec/${execId}/start`, JSON.stringify({ Detach: false, Tty: false }))
    assert.equal(started.status, 200)
    const after = JSON.parse((await d.api('GET', `/exec/${execId}/json`)).body) as Record<string, unknown>
    assert.equal(after.Running, false)
    assert.equal(after.ExitCode, 4)
    assert.ok((after.Pid as number) > 0)
    const again = await d.api('POST', `/exec/${execId}/start`, JSON.stringify({ Detach: true }))
    assert.equal(again.status, 409)
    assert.match(again.body, /has already run/)
    const until = Math.ceil(Date.now() / 1000) + 1
    const events = d.docker(['events', '--since', String(since), '--until', String(until), '--filter', `container=${id}`, '--format', '{{.Action}} {{index .Actor.Attributes "execID"}}'])
    assert.match(events.stdout, new RegExp(`^exec_create: sh -c exit 4 ${execId}$`, 'm'))
    assert.match(events.stdout, new RegExp(`^exec_start: sh -c exit 4 ${execId}$`, 'm'))
    assert.match(events.stdout, new RegExp(`^exec_die ${execId}$`, 'm'))
  })

  test('exec errors: unknown exec 404, no command 400, stopped container 409', async () => {
    assert.equal((await d.api('GET', '/exec/nosuchexec/json')).status, 404)
    const noCmd = await d.api('POST', `/containers/${id}/exec`, JSON.stringify({ Cmd: [] }))
    assert.equal(noCmd.status, 400)
    assert.match(noCmd.body, /No exec command specified/)
    const stopped = d.berth(['create', 'busybox', 'true']).stdout.trim()
    const r = await d.api('POST', `/containers/${stopped}/exec`, JSON.stringify({ Cmd: ['true'] }))
    assert.equal(r.status, 409)
    assert.equal((JSON.parse(r.body) as { message: string }).message, `container ${stopped} is not running`)
  })

  test('berth exec: the exit status, and the docker CLI\'s errors for a missing or stopped container and a missing TTY', () => {
    const stopped = d.berth(['create', 'busybox', 'true']).stdout.trim()
    const cases = [[id, 'sh', '-c', 'echo out; echo err >&2; exit 3'], ['nosuchcontainer', 'true'], [stopped, 'true'], ['-it', id, 'true']]
    for (const args of cases) {
      const ours = d.berth(['exec', ...args])
      const theirs = d.docker(['exec', ...args])
      assert.deepEqual({ code: ours.code, stdout: ours.stdout, stderr: ours.stderr }, { code: theirs.code, stdout: theirs.stdout, stderr: theirs.stderr }, args.join(' '))
    }
    assert.equal(d.berth(['exec', id, 'sh', '-c', 'exit 3']).code, 3)
    assert.equal(d.berth(['rm', stopped]).code, 0)
  })

  test('exec instances go away with their container', async () => {
    const c = d.berth(['run', '-d', 'busybox', 'sleep', '1000']).stdout.trim()
    const created = await d.api('POST', `/containers/${c}/exec`, JSON.stringify({ Cmd: ['true'] }))
    const execId = (JSON.parse(created.body) as { Id: string }).Id
    assert.equal((await d.api('GET', `/exec/${execId}/json`)).status, 200)
    assert.equal(d.berth(['rm', '-f', c]).code, 0)
    assert.equal((await d.api('GET', `/exec/${execId}/json`)).status, 404)
  })

  test('top answers Titles and Processes', async () => {
    const r = await d.api('GET', `/containers/${id}/top?ps_args=-o%20pid,args`)
    assert.equal(r.status, 200)
    const body = JSON.parse(r.body) as { Titles: string[]; Processes: string[][] }
    assert.deepEqual(body.Titles, ['PID', 'COMMAND'])
    assert.equal(body.Processes.length, 1)
    assert.equal(body.Processes[0]?.[1], 'sleep 1000')
  })
})

/** A minimal websocket client: handshake, masked text frames out, unmasked frames in. */
function websocketAttach(socketPath: string, path: string): Promise<{ send(text: string): void; next(): Promise<string>; close(): void }> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath)
    let buf = Buffer.alloc(0)
    let upgraded = false
    const messages: string[] = []
    const waiting: Array<(m: string) => void> = []
    sock.on('error', reject)
    sock.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk])
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n')
        if (end < 0) return
        const head = buf.subarray(0, end).toString()
        buf = buf.subarray(end + 4)
        if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head))
        upgraded = true
        resolve({
          send: (text) => {
            const payload = Buffer.from(text)
            const mask = Buffer.from([9, 8, 7, 6])
            sock.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, Buffer.from(payload.map((b, i) => b ^ (mask[i % 4] as number)))]))
          },
          next: () => new Promise((r) => (messages.length > 0 ? r(messages.shift() as string) : waiting.push(r))),
          close: () => sock.destroy(),
        })
      }
      while (buf.length >= 2 && buf.length >= 2 + ((buf[1] as number) & 0x7f)) {
        const len = (buf[1] as number) & 0x7f
        const text = buf.subarray(2, 2 + len).toString()
        buf = buf.subarray(2 + len)
        const w = waiting.shift()
        if (w) w(text)
        else messages.push(text)
      }
    })
    sock.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`)
  })
}

/** POST with `Upgrade: tcp` on a raw socket; resolves after the 101 with the socket and its output so far. */
function hijackRaw(socketPath: string, path: string, body = ''): Promise<{ write(data: string): void; output(): string; ended: Promise<void>; close(): void }> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath)
    let out = Buffer.alloc(0)
    let upgraded = false
    const ended = new Promise<void>((r) => sock.on('close', () => r()))
    sock.on('error', reject)
    sock.on('data', (chunk: Buffer) => {
      out = Buffer.concat([out, chunk])
      if (upgraded) return
      const end = out.indexOf('\r\n\r\n')
      if (end < 0) return
      const head = out.subarray(0, end).toString()
      out = out.subarray(end + 4)
      if (!head.startsWith('HTTP/1.1 101')) return reject(new Error(head))
      upgraded = true
      resolve({ write: (d) => sock.write(d), output: () => out.toString(), ended, close: () => sock.destroy() })
    })
    sock.write(`POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`)
  })
}

describe('detach keys in the daemon (TTY stdin)', { skip }, () => {
  const d = new Daemon()
  before(() => d.startWithBusybox())
  after(() => d.stop())

  test('attach: Ctrl-P Ctrl-Q ends the stream and the container keeps running', async () => {
    const id = d.berth(['run', '-dit', 'busybox', 'sh']).stdout.trim()
    const conn = await hijackRaw(d.socket, `/v1.50/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1`)
    try {
      conn.write('echo x-$((3*3))\n')
      await eventually(() => conn.output().includes('x-9'), 'output through attach')
      conn.write('\x10\x11')
      await conn.ended
    } finally {
      conn.close()
    }
    assert.equal(d.berth(['inspect', '-f', '{{.State.Running}}', id]).stdout.trim(), 'true')
    // stdin still works for the next client
    const next = await hijackRaw(d.socket, `/v1.50/containers/${id}/attach?stream=1&stdin=1&stdout=1&detachKeys=ctrl-x`)
    try {
      next.write('echo y-$((2*4))\n')
      await eventually(() => next.output().includes('y-8'), 'output through a second attach')
      next.write('\x18')
      await next.ended
    } finally {
      next.close()
    }
  })

  test('exec: the detach sequence ends the stream and the exec keeps running', async () => {
    const id = d.berth(['run', '-d', 'busybox', 'sleep', '1000']).stdout.trim()
    const created = await d.api('POST', `/containers/${id}/exec`, JSON.stringify({ Cmd: ['sh'], Tty: true, AttachStdin: true, AttachStdout: true }))
    const execId = (JSON.parse(created.body) as { Id: string }).Id
    const conn = await hijackRaw(d.socket, `/v1.50/exec/${execId}/start`, JSON.stringify({ Detach: false, Tty: true }))
    try {
      conn.write('echo z-$((5+5))\n')
      await eventually(() => conn.output().includes('z-10'), 'output through exec')
      conn.write('\x10\x11')
      await conn.ended
    } finally {
      conn.close()
    }
    const inspect = JSON.parse((await d.api('GET', `/exec/${execId}/json`)).body) as { Running: boolean; ExitCode: number | null }
    assert.equal(inspect.Running, true)
    assert.equal(inspect.ExitCode, null)
  })
})

describe('websocket attach', { skip }, () => {
  const d = new Daemon()
  before(() => d.startWithBusybox())
  after(() => d.stop())

  test('GET /containers/{id}/attach/ws streams output and takes stdin', async () => {
    const id = d.berth(['run', '-di', 'busybox', 'sh', '-c', 'while read l; do echo got:$l; done']).stdout.trim()
    const ws = await websocketAttach(d.socket, `/v1.50/containers/${id}/attach/ws?stream=1&stdin=1&stdout=1&stderr=1`)
    try {
      ws.send('hello\n')
      assert.equal(await ws.next(), 'got:hello\n')
      ws.send('again\n')
      assert.equal(await ws.next(), 'got:again\n')
    } finally {
      ws.close()
    }
    // The websocket going away leaves the container running.
    assert.equal(d.berth(['inspect', '-f', '{{.State.Running}}', id]).stdout.trim(), 'true')
  })
})

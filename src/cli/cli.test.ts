import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import { EngineError } from '../common/index.js'
import { DaemonError, encodeFrame, type EngineClient } from '../client/index.js'
import { runCli } from './cli.js'
import { fakeEngineClient, memoryIo } from './testing/fake-engine-client.js'

const ID = 'e'.repeat(64)

async function berth(
  argv: string[],
  responses: Parameters<typeof fakeEngineClient>[0] = {},
  options: Parameters<typeof memoryIo>[0] = {},
) {
  const { client, calls } = fakeEngineClient(responses)
  const { io, stdout, stderr } = memoryIo(options)
  const hostFlags: (string[] | undefined)[] = []
  const code = await runCli(argv, io, {
    makeClient: (flags): EngineClient => {
      hostFlags.push(flags.host)
      return client
    },
  })
  return { code, stdout: stdout(), stderr: stderr(), calls, hostFlags }
}

function attachedOutput(...frames: Buffer[]): () => unknown {
  return () => {
    const stream = new PassThrough()
    for (const frame of frames) stream.write(frame)
    stream.end()
    return { stream, multiplexed: true, closeWrite: () => {}, close: () => stream.destroy() }
  }
}

test('berth --help lists the commands and global options like docker --help', async () => {
  const { code, stdout } = await berth(['--help'])
  assert.equal(code, 0)
  assert.match(stdout, /^Usage: {2}berth \[OPTIONS\] COMMAND\n\n/)
  assert.match(stdout, /\nCommon Commands:\n {2}run {9}Create and run a new container from an image\n/)
  assert.match(stdout, /\nManagement Commands:\n {2}container {3}Manage containers\n/)
  assert.match(stdout, /\nGlobal Options:\n {2}-c, --context string {5}Name of the context to use to connect to the\n[^]*\n {2}-D, --debug {14}Enable debug mode\n {2}-H, --host list {10}Daemon socket to connect to\n/)
  assert.match(stdout, /\n {6}--tlsverify {10}Use TLS and verify the remote\n/)
  // Listings show the first line of a description, without its final period (docker's Short).
  assert.match(stdout, /\n {2}login {7}Authenticate to a registry\n {2}logout {6}Log out from a registry\n/)
  assert.match(stdout, /\nRun 'berth COMMAND --help' for more information on a command\.\n$/)
  assert.equal((await berth([])).stdout, stdout)
})

test('berth run --help shows usage, aliases and flags with --help but -h as hostname', async () => {
  const { code, stdout } = await berth(['run', '--help'])
  assert.equal(code, 0)
  assert.match(stdout, /^Usage: {2}berth run \[OPTIONS\] IMAGE \[COMMAND\] \[ARG\.\.\.\]\n\nCreate and run a new container from an image\n\nAliases:\n {2}berth container run, berth run\n\nOptions:\n/)
  assert.match(stdout, /\n {6}--help +Print usage\n/)
  assert.match(stdout, /\n {2}-h, --hostname string +Container host name\n/)
})

test('berth container prints the group help; unknown subcommands fail like docker', async () => {
  const group = await berth(['container'])
  assert.equal(group.code, 0)
  assert.match(group.stdout, /^Usage: {2}berth container COMMAND\n\nManage containers\n\nCommands:\n/)
  assert.match(group.stdout, /\n {2}ls {10}List containers\n/)
  const unknown = await berth(['container', 'frob'])
  assert.equal(unknown.code, 1)
  assert.equal(unknown.stderr, "berth: unknown command: berth container frob\n\nUsage:  berth container\n\nRun 'berth container --help' for more information\n")
})

test('berth help CMD prints that command\'s help', async () => {
  const { code, stdout } = await berth(['help', 'container', 'ls'])
  assert.equal(code, 0)
  assert.match(stdout, /^Usage: {2}berth container ls \[OPTIONS\]\n/)
})

test('berth -v prints the version', async () => {
  assert.match((await berth(['-v'])).stdout, /^berth version \d+\.\d+\.\d+\n$/)
})

test('berth run parses combined short flags and stops at the image name', async () => {
  const { code, stdout, calls } = await berth(['run', '-dit', '--name', 'web', 'busybox', 'ls', '-la', '--rm'], {
    containerCreate: () => ({ Id: ID, Warnings: [] }),
    containerStart: () => undefined,
  })
  assert.equal(code, 0)
  assert.equal(stdout, `${ID}\n`)
  const [create, start] = calls
  assert.equal(create?.method, 'containerCreate')
  const [body, query] = create!.args as [Record<string, unknown>, Record<string, unknown>]
  assert.deepEqual(body.Cmd, ['ls', '-la', '--rm'])
  assert.equal(body.Image, 'busybox')
  assert.equal(body.Tty, true)
  assert.equal(body.OpenStdin, true)
  assert.equal(body.AttachStdout, false)
  assert.equal((body.HostConfig as Record<string, unknown>).AutoRemove, false)
  assert.deepEqual(query, { name: 'web', platform: undefined })
  assert.deepEqual(start, { method: 'containerStart', args: [ID] })
})

test('berth run -e VAR takes the value from the environment', async () => {
  const { calls } = await berth(
    ['run', '-d', '-e', 'FROM_ENV', '-eX=1', '--env=Y=2', 'busybox'],
    { containerCreate: () => ({ Id: ID }), containerStart: () => undefined },
    { env: { FROM_ENV: 'hello' } },
  )
  assert.deepEqual((calls[0]!.args[0] as { Env: string[] }).Env, ['FROM_ENV=hello', 'X=1', 'Y=2'])
})

test('berth run attaches and waits before starting, copies output and exits with the container status', async () => {
  const { code, stdout, stderr, calls } = await berth(['run', 'busybox', 'sh', '-c', 'exit 3'], {
    containerCreate: () => ({ Id: ID }),
    containerAttach: attachedOutput(encodeFrame(1, 'out\n'), encodeFrame(2, 'err\n')),
    containerWait: () => ({ result: Promise.resolve({ StatusCode: 3 }), cancel: () => {} }),
    containerStart: () => undefined,
  })
  assert.deepEqual(calls.map((c) => c.method), ['containerCreate', 'containerAttach', 'containerWait', 'containerStart', 'close'])
  assert.deepEqual(calls[2]!.args, [ID, 'next-exit'])
  assert.equal(stdout, 'out\n')
  assert.equal(stderr, 'err\n')
  assert.equal(code, 3)
})

test('berth run --rm waits for removal', async () => {
  const { calls } = await berth(['run', '--rm', 'busybox'], {
    containerCreate: () => ({ Id: ID }),
    containerAttach: attachedOutput(),
    containerWait: () => ({ result: Promise.resolve({ StatusCode: 0 }), cancel: () => {} }),
    containerStart: () => undefined,
  })
  assert.deepEqual(calls.find((c) => c.method === 'containerWait')!.args, [ID, 'removed'])
})

test('berth run reports a missing image, the pull error, and exits 125', async () => {
  const { code, stderr } = await berth(['run', 'nosuchimage'], {
    containerCreate: () => {
      throw new DaemonError('NotFound', 404, 'No such image: nosuchimage:latest')
    },
    imagePull: () => {
      throw new DaemonError('NotFound', 404, 'pull access denied for nosuchimage')
    },
  })
  assert.equal(code, 125)
  assert.equal(
    stderr,
    "Unable to find image 'nosuchimage:latest' locally\n" +
      "berth: Error response from daemon: pull access denied for nosuchimage\n\nRun 'berth run --help' for more information\n",
  )
})

test('berth run exits 127 when the command is not found at start', async () => {
  const { code, stderr } = await berth(['run', 'busybox', 'nope'], {
    containerCreate: () => ({ Id: ID }),
    containerAttach: attachedOutput(),
    containerWait: () => ({ result: new Promise(() => {}), cancel: () => {} }),
    containerStart: () => {
      throw new DaemonError('Internal', 500, 'exec: "nope": executable file not found in $PATH')
    },
  })
  assert.equal(code, 127)
  assert.match(stderr, /^berth: Error response from daemon: exec: "nope": executable file not found in \$PATH\n/)
})

test('berth run rejects an unknown flag with status 125 and the usage', async () => {
  const { code, stderr, calls } = await berth(['run', '--foo', 'busybox'])
  assert.equal(code, 125)
  assert.equal(stderr, "unknown flag: --foo\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'berth run --help' for more information\n")
  assert.deepEqual(calls, [])
})

test('berth commands check their argument counts with docker wording and status 1', async () => {
  const run = await berth(['run'])
  assert.equal(run.code, 1)
  assert.equal(run.stderr, "berth: 'berth run' requires at least 1 argument\n\nUsage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nSee 'berth run --help' for more information\n")
  const ps = await berth(['ps', 'extra'])
  assert.equal(ps.code, 1)
  assert.match(ps.stderr, /^berth: 'berth ps' accepts no arguments\n/)
})

test('berth reports an unreachable daemon with status 1, and 125 for run', async () => {
  const unreachable = (): never => {
    throw new EngineError('Unavailable', 'DAEMON_UNREACHABLE', 'Cannot connect to the berth daemon at unix:///x. Is berthd running?')
  }
  const ps = await berth(['ps'], { containerList: unreachable })
  assert.equal(ps.code, 1)
  assert.equal(ps.stderr, 'Cannot connect to the berth daemon at unix:///x. Is berthd running?\n')
  const run = await berth(['run', 'busybox'], { containerCreate: unreachable })
  assert.equal(run.code, 125)
  assert.match(run.stderr, /^berth: Cannot connect to the berth daemon at unix:\/\/\/x\. Is berthd running\?\n\nRun 'berth run --help'/)
})

test('berth rm prints removed names and reports each failure', async () => {
  const { code, stdout, stderr } = await berth(['rm', '-f', 'a', 'b', 'gone'], {
    containerRemove: (name: never) => {
      if (name === 'b') throw new DaemonError('Conflict', 409, 'container b is running')
      if (name === 'gone') throw new DaemonError('NotFound', 404, 'No such container: gone')
    },
  })
  assert.equal(stdout, 'a\n')
  assert.equal(stderr, 'Error response from daemon: container b is running\n')
  assert.equal(code, 1)
})

test('berth stop treats an already stopped container as stopped', async () => {
  const { code, stdout, calls } = await berth(['stop', '-t', '0', 'web'], {
    containerStop: () => {
      throw new DaemonError('NotModified', 304, 'not modified')
    },
  })
  assert.equal(code, 0)
  assert.equal(stdout, 'web\n')
  assert.deepEqual(calls[0]!.args, ['web', { timeoutSeconds: 0, signal: undefined }])
})

test('berth ps passes -a, -n and repeated filters to the daemon and prints ids with -q', async () => {
  const { stdout, calls } = await berth(['ps', '-a', '-n', '2', '--filter', 'status=exited', '-f', 'label=a=b', '-q'], {
    containerList: () => [{ Id: 'a'.repeat(64), Created: 0 }, { Id: 'b'.repeat(64), Created: 0 }],
  })
  assert.deepEqual(calls[0]!.args, [{ all: true, limit: 2, size: false, filters: { status: ['exited'], label: ['a=b'] } }])
  assert.equal(stdout, 'aaaaaaaaaaaa\nbbbbbbbbbbbb\n')
})

test('berth -H passes the host flag to the client factory', async () => {
  const { hostFlags } = await berth(['-H', 'unix:///tmp/x.sock', 'ps', '-q'], { containerList: () => [] })
  assert.deepEqual(hostFlags, [['unix:///tmp/x.sock']])
})

test('berth inspect prints the daemon JSON indented and reports missing objects after it', async () => {
  const { code, stdout, stderr } = await berth(['inspect', 'web', 'nothing'], {
    containerInspect: (ref: never) => {
      if (ref === 'web') return { value: { Id: 'x' }, raw: '{"Id":"x","State":{"Running":true}}' }
      throw new DaemonError('NotFound', 404, `No such container: ${ref}`)
    },
    imageInspect: (ref: never) => {
      throw new DaemonError('NotFound', 404, `No such image: ${ref}`)
    },
    networkInspect: (ref: never) => {
      throw new DaemonError('NotFound', 404, `network ${ref} not found`)
    },
  })
  assert.equal(stdout, '[\n    {\n        "Id": "x",\n        "State": {\n            "Running": true\n        }\n    }\n]\n')
  assert.equal(stderr, 'Error: No such object: nothing\n')
  assert.equal(code, 1)
})

test('berth inspect --format runs the template per object', async () => {
  const { stdout } = await berth(['inspect', '-f', '{{.State.Status}}', 'web'], {
    containerInspect: () => ({ value: { State: { Status: 'running' } }, raw: '' }),
  })
  assert.equal(stdout, 'running\n')
})

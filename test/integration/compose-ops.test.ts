// `berth compose` operational commands (ps, logs, exec, top, port, images, events, ls, cp,
// start/stop/restart/kill/pause/unpause, rm, wait) on a project brought up by `compose up -d`,
// against a private berthd, cross-checked with the real docker CLI.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { Daemon, berthBin, eventually, isRoot, type CliResult } from './harness.js'

const skip = isRoot() ? false : 'needs root (containers, overlay mounts, networks)'

const COMPOSE = (project: string): string => `name: ${project}
services:
  db:
    image: busybox
    command: ["sh", "-c", "echo db ready; echo db err >&2; exec sleep 1000"]
    stop_signal: SIGKILL
  web:
    image: busybox
    command: ["httpd", "-f", "-p", "80", "-h", "/etc"]
    stop_signal: SIGKILL
    depends_on: [db]
    ports: ["127.0.0.1::80"]
  ticker:
    image: busybox
    command: ["sh", "-c", "for i in 1 2 3; do echo tick $$i; sleep 0.2; done; exit 3"]
  ping:
    image: busybox
    command: ["sh", "-c", "echo ping 1; touch /s/p1; until [ -e /s/q1 ]; do sleep 0.1; done; sleep 1; echo ping 2; rm -f /s/p1 /s/q1"]
    volumes: ["sync:/s"]
  pong:
    image: busybox
    command: ["sh", "-c", "until [ -e /s/p1 ]; do sleep 0.1; done; sleep 1; echo pong 1; touch /s/q1"]
    volumes: ["sync:/s"]
volumes:
  sync: {}
`

/** How many times the daemon has logged `text` so far. */
function logCount(d: Daemon, text: string): number {
  return readFileSync(d.logFile, 'utf8').split(text).length - 1
}

/** Runs the berth CLI in the background, collecting its output, until it exits. */
function background(d: Daemon, args: string[]): { done: Promise<CliResult>; output: () => string; kill: () => void } {
  const child = spawn(berthBin, ['-H', d.host, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr })))
  return { done, output: () => stdout, kill: () => child.kill('SIGKILL') }
}

describe('compose operations on a running project', { skip }, () => {
  const d = new Daemon()
  const project = `ops${randomBytes(3).toString('hex')}`
  const dir = mkdtempSync('/tmp/berth-compose-ops-')
  const file = join(dir, 'compose.yaml')
  const compose = (args: string[], opts: { input?: string } = {}): CliResult => d.berth(['compose', '-f', file, ...args], opts)
  const ok = (args: string[], opts: { input?: string } = {}): string => {
    const r = compose(args, opts)
    assert.equal(r.code, 0, `compose ${args.join(' ')}: ${r.stderr}\n${d.log()}`)
    return r.stdout
  }
  const docker = (args: string[]): string => {
    const r = d.docker(args)
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`)
    return r.stdout
  }
  const state = (name: string): string => docker(['inspect', '--format', '{{.State.Status}}', name]).trim()

  before(async () => {
    writeFileSync(file, COMPOSE(project))
    await d.startWithBusybox()
    ok(['up', '-d'])
    for (const s of ['ticker', 'ping', 'pong']) await eventually(() => state(`${project}-${s}-1`) === 'exited', `${s} to exit`, 20_000)
  })
  after(async () => {
    await d.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  test('ps shows Compose\'s table of the running services; -a, -q, --services, --status, json agree with docker ps', () => {
    const table = ok(['ps']).split('\n')
    assert.match(table[0]!, /^NAME +IMAGE +COMMAND +SERVICE +CREATED +STATUS +PORTS$/)
    assert.equal(table.length, 4) // header, db, web, trailing newline
    assert.match(table[1]!, new RegExp(`^${project}-db-1 +busybox +"sh -c 'echo db read…" +db +.* ago +Up `))
    assert.match(table[2]!, new RegExp(`^${project}-web-1 +busybox +"httpd -f -p 80 -h /…" +web +.* ago +Up .*127\\.0\\.0\\.1:\\d+->80/tcp$`))
    const ids = ok(['ps', '-q']).trim().split('\n').sort()
    const dockerIds = docker(['ps', '-q', '--no-trunc', '--filter', `label=com.docker.compose.project=${project}`]).trim().split('\n').sort()
    assert.deepEqual(ids, dockerIds)
    assert.equal(ok(['ps', '--services']), 'db\nweb\n')
    assert.equal(ok(['ps', '-a', '--services']), 'db\nping\npong\nticker\nweb\n')
    assert.equal(ok(['ps', 'ticker', '--status', 'exited', '--format', '{{.Name}} {{.State}} {{.ExitCode}}']), `${project}-ticker-1 exited 3\n`)
    assert.equal(ok(['ps', '--filter', 'status=exited', '-q']).trim().split('\n').length, 3)
    assert.equal(ok(['ps', '--filter', 'status=running', '-q']).trim().split('\n').length, 2)
    const json = ok(['ps', 'web', '--format', 'json']).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    assert.equal(json.length, 1)
    assert.equal(json[0]!.Service, 'web')
    assert.equal(json[0]!.Project, project)
    assert.equal(json[0]!.State, 'running')
    assert.equal((json[0]!.Publishers as Array<{ TargetPort: number }>)[0]!.TargetPort, 80)
    const unknown = compose(['ps', 'nosuch'])
    assert.equal(unknown.code, 1)
    assert.match(unknown.stderr, /no such service: nosuch/)
  })

  test('commands work with -p alone where no compose file exists', () => {
    const r = d.berth(['compose', '-p', project, 'ps', '--format', '{{.Service}}'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'db\nweb\n')
    const logs = d.berth(['compose', '-p', project, 'logs', '--no-log-prefix', 'db'])
    assert.equal(logs.code, 0, logs.stderr)
    assert.equal(logs.stdout, 'db ready\ndb err\n')
  })

  test('logs prefixes every line with the padded container name, stdout and stderr alike', () => {
    const out = ok(['logs', 'db', 'ticker'])
    const lines = out.trim().split('\n').sort()
    assert.deepEqual(lines, ['db-1      | db err', 'db-1      | db ready', 'ticker-1  | tick 1', 'ticker-1  | tick 2', 'ticker-1  | tick 3'])
    assert.equal(ok(['logs', '--tail', '1', 'ticker']), 'ticker-1  | tick 3\n')
    assert.match(ok(['logs', '-t', 'db']), /^db-1  \| \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z db ready$/m)
    // Colours only when asked for (stdout is a pipe here).
    assert.doesNotMatch(out, /\x1b\[/)
    assert.match(d.berth(['compose', '-f', file, '--ansi', 'always', 'logs', 'db']).stdout, /^\x1b\[36mdb-1  \| \x1b\[0mdb ready$/m)
  })

  test('logs -f follows containers that start later and returns once the followed containers stop', async () => {
    const follow = background(d, ['compose', '-f', file, 'logs', '-f', 'db', 'ticker'])
    try {
      await eventually(() => follow.output().includes('db-1      | db ready'), 'the initial logs')
      ok(['start', 'ticker'])
      await eventually(() => follow.output().includes('ticker-1 exited with code 3'), 'the restarted ticker to be followed to its end', 15_000)
      ok(['stop', 'db'])
      const r = await follow.done
      assert.equal(r.code, 0, r.stderr)
      // The first run from history, the second as it happened, then the stops.
      const lines = r.stdout.split('\n').filter((l) => l.startsWith('ticker-1  |'))
      assert.deepEqual(lines, ['tick 1', 'tick 2', 'tick 3', 'tick 1', 'tick 2', 'tick 3'].map((t) => `ticker-1  | ${t}`), r.stdout)
      assert.match(r.stdout, /\r\x1b\[Kticker-1 exited with code 3\n/)
      assert.match(r.stdout, /\r\x1b\[Kdb-1 exited with code 137\n/)
    } finally {
      follow.kill()
      compose(['start', 'db'])
    }
  })

  test('logs -f interleaves the containers\' lines as they are written', async () => {
    // ping and pong take turns through a shared volume, a second apart.
    const ids = ['ping', 'pong'].map((s) => docker(['inspect', '--format', '{{.Id}}', `${project}-${s}-1`]).trim())
    const reads = ids.map((id) => logCount(d, `/containers/${id}/logs`))
    const follow = background(d, ['compose', '-f', file, 'logs', '-f', '--tail', '0', 'db', 'ping', 'pong'])
    try {
      // Once it has read their (empty) history, ping and pong are known stopped: their runs are new.
      await eventually(() => ids.every((id, i) => logCount(d, `/containers/${id}/logs`) > reads[i]!), 'logs -f to read the history')
      ok(['start', 'ping', 'pong'])
      await eventually(() => follow.output().includes('ping-1 exited with code 0'), 'ping to finish', 20_000)
        .catch((err: Error) => assert.fail(`${err.message}\n${follow.output()}\n${docker(['ps', '-a', '--format', '{{.Names}} {{.Status}}'])}`))
      ok(['stop', 'db'])
      const r = await follow.done
      assert.equal(r.code, 0, r.stderr)
      assert.deepEqual(r.stdout.split('\n').filter((l) => / \| p[io]ng /.test(l)), ['ping-1  | ping 1', 'pong-1  | pong 1', 'ping-1  | ping 2'], r.stdout)
    } finally {
      follow.kill()
      compose(['start', 'db'])
    }
  })

  test('exec runs in the service container with -e, -w, -u and returns the command\'s status', () => {
    const r = compose(['exec', '-T', 'web', 'sh', '-c', 'echo out; echo err >&2; exit 3'])
    assert.equal(r.code, 3)
    assert.equal(r.stdout, 'out\n')
    assert.equal(r.stderr, 'err\n')
    assert.equal(ok(['exec', '-T', '-e', 'FOO=bar', '-w', '/tmp', '-u', '1000', 'db', 'sh', '-c', 'echo $FOO $(pwd) $(id -u)']), 'bar /tmp 1000\n')
    assert.equal(ok(['exec', '-T', '--index', '1', 'web', 'hostname']), `${docker(['inspect', '--format', '{{.Id}}', `${project}-web-1`]).slice(0, 12)}\n`)
    const missing = compose(['exec', '-T', '--index', '2', 'web', 'true'])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /service "web" is not running container #2/)
  })

  test('top, port and images show the project\'s processes, published port and images', () => {
    const top = ok(['top', 'db'])
    const lines = top.split('\n')
    assert.equal(lines[0], `${project}-db-1`)
    assert.match(lines[1]!, /^UID +PID +PPID +C +STIME +TTY +TIME +CMD$/)
    assert.match(top, /sleep 1000/)
    const port = ok(['port', 'web', '80'])
    assert.match(port, /^127\.0\.0\.1:\d+\n$/)
    assert.equal(docker(['port', `${project}-web-1`, '80']), port)
    const none = compose(['port', 'web', '81'])
    assert.equal(none.code, 1)
    assert.match(none.stderr, new RegExp(`no port 81/tcp for container ${project}-web-1: \\d+/tcp`))
    const images = ok(['images']).split('\n')
    assert.match(images[0]!, /^CONTAINER +REPOSITORY +TAG +IMAGE ID +SIZE$/)
    assert.equal(images.length, 7)
    const imageId = docker(['image', 'inspect', '--format', '{{.Id}}', 'busybox']).trim()
    assert.match(images[1]!, new RegExp(`^${project}-db-1 +busybox +latest +${imageId.slice(7, 19)} +\\d`))
    assert.equal(ok(['images', '-q']), `${imageId.slice(7)}\n`)
    const json = JSON.parse(ok(['images', '--format', 'json'])) as Array<{ ContainerName: string; ID: string }>
    assert.deepEqual(json.map((i) => i.ContainerName).sort(), ['db', 'ping', 'pong', 'ticker', 'web'].map((s) => `${project}-${s}-1`))
  })

  test('pause, unpause, events and ls', () => {
    const since = String(Math.floor(Date.now() / 1000) - 1)
    ok(['pause', 'web'])
    assert.equal(docker(['inspect', '--format', '{{.State.Paused}}', `${project}-web-1`]), 'true\n')
    assert.match(ok(['ls']), new RegExp(`^${project} +paused\\(1\\), running\\(1\\) +${file}$`, 'm'))
    ok(['unpause', 'web'])
    assert.equal(docker(['inspect', '--format', '{{.State.Paused}}', `${project}-web-1`]), 'false\n')
    const until = String(Math.floor(Date.now() / 1000) + 1)
    const events = ok(['events', '--json', '--since', since, '--until', until, 'web']).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    // The earlier tests' exec events may fall within the same second; pause/unpause are what this test made.
    assert.deepEqual(events.map((e) => e.action).filter((a) => !String(a).startsWith('exec_')), ['pause', 'unpause'])
    const pause = events.find((e) => e.action === 'pause')!
    assert.equal(pause.service, 'web')
    assert.equal(pause.type, 'container')
    assert.equal((pause.attributes as Record<string, string>).name, `${project}-web-1`)
    const text = ok(['events', '--since', since, '--until', until, 'web'])
    assert.match(text, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6} container pause [0-9a-f]{64} \(.*name=.*-web-1.*\)\n\n/m)

    assert.match(ok(['ls']), new RegExp(`^NAME +STATUS +CONFIG FILES\\n(.*\\n)*${project} +running\\(2\\) +${file}\\n`))
    assert.match(ok(['ls', '-a', '--filter', `name=${project}`]), new RegExp(`^${project} +exited\\(3\\), running\\(2\\) +${file}$`, 'm'))
    assert.equal(ok(['ls', '-q', '--filter', `name=${project}`]), `${project}\n`)
    assert.deepEqual(JSON.parse(ok(['ls', '--format', 'json', '--filter', `name=${project}`])), [{ Name: project, Status: 'running(2)', ConfigFiles: file }])
  })

  test('cp copies to and from a service container', () => {
    const local = join(dir, 'note.txt')
    writeFileSync(local, 'hello compose cp\n')
    ok(['cp', local, 'web:/tmp/note.txt'])
    assert.equal(ok(['exec', '-T', 'web', 'cat', '/tmp/note.txt']), 'hello compose cp\n')
    docker(['exec', `${project}-web-1`, 'sh', '-c', 'echo made inside > /tmp/inside.txt'])
    ok(['cp', 'web:/tmp/inside.txt', join(dir, 'inside.txt')])
    assert.equal(readFileSync(join(dir, 'inside.txt'), 'utf8'), 'made inside\n')
    const across = compose(['cp', 'web:/a', 'db:/b'])
    assert.equal(across.code, 1)
    assert.match(across.stderr, /copying between services is not supported/)
  })

  test('stop, start, restart and kill follow the dependency order', () => {
    const stop = compose(['--progress', 'plain', 'stop'])
    assert.equal(stop.code, 0, stop.stderr)
    const lines = stop.stderr.trim().split('\n')
    assert.ok(lines.indexOf(`Container ${project}-web-1  Stopped`) < lines.indexOf(`Container ${project}-db-1  Stopping`), stop.stderr)
    assert.equal(docker(['ps', '-q', '--filter', `label=com.docker.compose.project=${project}`]), '')

    const start = compose(['--progress', 'plain', 'start', 'web'])
    assert.equal(start.code, 0, start.stderr)
    const started = start.stderr.trim().split('\n')
    assert.ok(started.indexOf(`Container ${project}-db-1  Started`) < started.indexOf(`Container ${project}-web-1  Starting`), start.stderr)
    assert.equal(state(`${project}-db-1`), 'running')
    assert.equal(state(`${project}-ticker-1`), 'exited')

    const before = docker(['inspect', '--format', '{{.State.StartedAt}}', `${project}-db-1`])
    ok(['restart', '--no-deps', 'web'])
    assert.equal(docker(['inspect', '--format', '{{.State.StartedAt}}', `${project}-db-1`]), before)

    const kill = compose(['--progress', 'plain', 'kill', '-s', 'SIGKILL', 'web'])
    assert.equal(kill.code, 0, kill.stderr)
    assert.match(kill.stderr, new RegExp(`Container ${project}-web-1  Killed`))
    assert.equal(state(`${project}-web-1`), 'exited')
    ok(['start'])
    assert.equal(state(`${project}-web-1`), 'running')
  })

  test('wait prints each container\'s exit status and returns the last', async () => {
    const id = docker(['inspect', '--format', '{{.Id}}', `${project}-db-1`]).trim()
    const waits = logCount(d, `/containers/${id}/wait`)
    const wait = background(d, ['compose', '-f', file, 'wait', 'db'])
    try {
      await eventually(() => logCount(d, `/containers/${id}/wait`) > waits, 'wait to be waiting')
      ok(['kill', 'db'])
      const r = await wait.done
      assert.equal(r.stdout, `container "${id}" exited with status code 137\n`)
      assert.equal(r.code, 137)
    } finally {
      wait.kill()
    }
    const none = compose(['wait', 'db'])
    assert.equal(none.code, 1)
    assert.match(none.stderr, new RegExp(`no containers for project "${project}"`))
    ok(['start', 'db'])
  })

  test('rm asks before removing stopped containers; -f removes them, -s stops first', async () => {
    // `start` in an earlier test ran ping and pong again: they take turns for about two seconds.
    for (const s of ['ping', 'pong']) await eventually(() => state(`${project}-${s}-1`) === 'exited', `${s} to exit`, 20_000)
    const declined = compose(['rm', 'ticker'], { input: 'n\n' })
    assert.equal(declined.code, 0, declined.stderr)
    assert.equal(declined.stdout, `Going to remove ${project}-ticker-1`)
    assert.equal(state(`${project}-ticker-1`), 'exited')
    const accepted = compose(['--progress', 'plain', 'rm', 'ticker'], { input: 'y\n' })
    assert.equal(accepted.code, 0, accepted.stderr)
    assert.match(accepted.stderr, new RegExp(`Container ${project}-ticker-1  Removed`))
    assert.equal(docker(['ps', '-aq', '--filter', `name=${project}-ticker-1`]), '')
    const both = compose(['rm', '-f', 'ping', 'pong'])
    assert.equal(both.code, 0, both.stderr)
    assert.match(both.stdout, new RegExp(`^Going to remove (${project}-ping-1, ${project}-pong-1|${project}-pong-1, ${project}-ping-1)\n$`))
    const nothing = compose(['rm', '-f'])
    assert.equal(nothing.stderr, 'No stopped containers\n')
    const forced = compose(['rm', '-f', '-s', 'web'])
    assert.equal(forced.code, 0, forced.stderr)
    assert.equal(forced.stdout, `Going to remove ${project}-web-1\n`)
    assert.equal(docker(['ps', '-aq', '--filter', `label=com.docker.compose.service=web`, '--filter', `label=com.docker.compose.project=${project}`]), '')
  })

  test('wait --down-project removes the project once the container stops', async () => {
    ok(['up', '-d', 'db'])
    const id = docker(['inspect', '--format', '{{.Id}}', `${project}-db-1`]).trim()
    const waits = logCount(d, `/containers/${id}/wait`)
    const wait = background(d, ['compose', '-f', file, '--progress', 'plain', 'wait', '--down-project', 'db'])
    try {
      await eventually(() => logCount(d, `/containers/${id}/wait`) > waits, 'wait to be waiting')
      ok(['kill', 'db'])
      const r = await wait.done
      assert.equal(r.code, 137, r.stderr)
      assert.match(r.stderr, new RegExp(`Network ${project}_default  Removed`))
    } finally {
      wait.kill()
    }
    assert.equal(docker(['ps', '-aq', '--filter', `label=com.docker.compose.project=${project}`]), '')
    assert.equal(docker(['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project}`]), '')
  })
})

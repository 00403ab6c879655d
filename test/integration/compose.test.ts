// `berth compose` end to end against a private berthd: a voting-app-shaped stack of busybox
// services on front-end and back-end networks, scaling, health-gated dependencies, builds,
// reconciliation (nothing recreated without a change), bad input, one-off runs, attached up,
// and the same CLI reached as `berth-compose` and as a docker CLI plugin.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Daemon, isRoot, runCli, eventually, type CliResult } from './harness.js'

const skip = isRoot() ? false : 'needs root (containers, bridges, overlay mounts)'
const repo = resolve(import.meta.dirname, '../../..')
const hasComposeV1 = spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status === 0

const VOTING = `
services:
  web:
    image: busybox
    init: true
    command: ["sh", "-c", "mkdir -p /www && echo front-page > /www/index.html && exec httpd -f -p 80 -h /www"]
    networks: [front]
    depends_on: [vote]
  vote:
    image: busybox
    init: true
    command: ["sh", "-c", "mkdir -p /www && echo vote > /www/index.html && exec httpd -f -p 80 -h /www"]
    networks: [front, back]
    depends_on: [redis]
  redis:
    image: busybox
    init: true
    command: ["sh", "-c", "while true; do echo PONG | nc -l -p 6379; done"]
    networks: [back]
  db:
    image: busybox
    init: true
    command: ["sh", "-c", "mkdir -p /data && (test -f /data/index.html || echo db-ok > /data/index.html) && exec httpd -f -p 5432 -h /data"]
    volumes: [db-data:/data]
    networks: [back]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:5432/"]
      interval: 1s
      retries: 30
  worker:
    image: busybox
    init: true
    environment: { ROUND: "1" }
    command: ["sh", "-c", "while true; do wget -q -O- http://db:5432/ && echo redis-$$(nc redis 6379 </dev/null); sleep 1; done"]
    networks: [back]
    depends_on:
      redis: { condition: service_started }
      db: { condition: service_healthy }
networks:
  front: {}
  back: {}
volumes:
  db-data: {}
`

describe('berth compose', { skip }, () => {
  const d = new Daemon()
  const dirs: string[] = []

  before(async () => {
    await d.startWithBusybox()
  })
  after(async () => {
    await d.stop()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  /** A project directory with compose.yaml (and other files); removed after the suite. */
  const project = (yaml: string, files: Record<string, string> = {}): string => {
    const dir = mkdtempSync('/tmp/berth-compose-it-')
    dirs.push(dir)
    writeFileSync(join(dir, 'compose.yaml'), yaml)
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(dir, name, '..'), { recursive: true })
      writeFileSync(join(dir, name), content)
    }
    return dir
  }
  const compose = (dir: string, name: string, args: string[], opts: { timeoutMs?: number } = {}): CliResult =>
    d.berth(['compose', '--project-directory', dir, '-p', name, ...args], opts)
  const ok = (r: CliResult): CliResult => {
    assert.equal(r.code, 0, `exit ${r.code}\n${r.stdout}\n${r.stderr}\n${d.log()}`)
    return r
  }
  const names = (filter: string): string[] =>
    ok(d.berth(['ps', '-a', '--filter', filter, '--format', '{{.Names}}'])).stdout.split('\n').filter(Boolean).sort()
  const ids = (project: string): Record<string, string> => {
    const out = ok(d.berth(['ps', '-a', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Names}} {{.ID}}'])).stdout
    return Object.fromEntries(out.split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string]))
  }
  const down = (dir: string, name: string, args: string[] = []): CliResult => ok(compose(dir, name, ['down', '-t', '0', ...args]))
  const lineIndex = (text: string, re: RegExp): number => text.split('\n').findIndex((l) => re.test(l))

  test('up -d starts the voting stack in dependency order; networks isolate the front end; down keeps named volumes', async () => {
    const dir = project(VOTING)
    try {
      const up = ok(compose(dir, 'vote', ['up', '-d']))
      assert.deepEqual(names('label=com.docker.compose.project=vote'), ['vote-db-1', 'vote-redis-1', 'vote-vote-1', 'vote-web-1', 'vote-worker-1'])
      const started = (svc: string): number => lineIndex(up.stderr, new RegExp(`Container vote-${svc}-1 +Started`))
      assert.ok(started('redis') >= 0 && started('redis') < started('vote') && started('vote') < started('web'), up.stderr)
      const healthy = lineIndex(up.stderr, /Container vote-db-1 +Healthy/)
      assert.ok(healthy >= 0 && healthy < started('worker'), up.stderr)
      assert.match(up.stderr, / ✔ Network vote_front +Created/)
      assert.match(up.stderr, / ✔ Volume vote_db-data +Created/)
      assert.equal(ok(compose(dir, 'vote', ['ps', '-q'])).stdout.split('\n').filter(Boolean).length, 5)

      // The worker reaches both back-end services by name.
      await eventually(() => {
        const logs = d.berth(['logs', 'vote-worker-1']).stdout
        return logs.includes('db-ok') && logs.includes('redis-PONG')
      }, 'the worker to reach db and redis', 20_000)
      // The front end (front network only) cannot resolve or reach the back-end-only db; vote (on both) can.
      const fromWeb = d.berth(['exec', 'vote-web-1', 'wget', '-q', '-O-', 'http://db:5432/'])
      assert.notEqual(fromWeb.code, 0)
      assert.equal(ok(d.berth(['exec', 'vote-vote-1', 'wget', '-q', '-O-', 'http://db:5432/'])).stdout.trim(), 'db-ok')
      assert.equal(ok(d.berth(['exec', 'vote-web-1', 'wget', '-q', '-O-', 'http://vote/'])).stdout.trim(), 'vote')

      // Data written to the named volume survives down + up.
      ok(d.berth(['exec', 'vote-db-1', 'sh', '-c', 'echo kept-data > /data/index.html']))
      const first = down(dir, 'vote')
      assert.match(first.stderr, /Container vote-web-1 +Removed/)
      assert.deepEqual(names('label=com.docker.compose.project=vote'), [])
      const nets = ok(d.berth(['network', 'ls', '--format', '{{.Name}}'])).stdout
      assert.doesNotMatch(nets, /vote_/)
      assert.match(ok(d.berth(['volume', 'ls', '--format', '{{.Name}}'])).stdout, /^vote_db-data$/m)
      ok(compose(dir, 'vote', ['up', '-d', 'db']))
      await eventually(() => d.berth(['exec', 'vote-db-1', 'wget', '-q', '-O-', 'http://127.0.0.1:5432/']).stdout.trim() === 'kept-data', 'the data to survive down/up')

      down(dir, 'vote', ['-v'])
      assert.doesNotMatch(ok(d.berth(['volume', 'ls', '--format', '{{.Name}}'])).stdout, /vote_db-data/)
    } finally {
      compose(dir, 'vote', ['down', '-t', '0', '-v'])
    }
  })

  test('a second up recreates nothing; a changed environment recreates only that service', () => {
    const yaml = (round: string, extra = ''): string => `
services:
  api: { image: busybox, init: true, command: ["sleep", "1000"] }
  worker: { image: busybox, init: true, command: ["sleep", "1000"], environment: { ROUND: "${round}" }, depends_on: [api], volumes: [/cache] }
${extra}`
    const dir = project(yaml('1'))
    try {
      ok(compose(dir, 'rec', ['up', '-d']))
      const before = ids('rec')
      const again = ok(compose(dir, 'rec', ['up', '-d']))
      assert.deepEqual(ids('rec'), before)
      assert.match(again.stderr, /Container rec-api-1 +Running/)
      assert.doesNotMatch(again.stderr, /Recreated|Created/)

      ok(d.berth(['exec', 'rec-worker-1', 'sh', '-c', 'echo cached > /cache/file']))
      writeFileSync(join(dir, 'compose.yaml'), yaml('2'))
      const changed = ok(compose(dir, 'rec', ['up', '-d']))
      const after = ids('rec')
      assert.equal(after['rec-api-1'], before['rec-api-1'])
      assert.notEqual(after['rec-worker-1'], before['rec-worker-1'])
      assert.match(changed.stderr, /Container rec-worker-1 +Recreated/)
      const env = ok(d.berth(['inspect', '--format', '{{json .Config.Env}}', 'rec-worker-1'])).stdout
      assert.match(env, /ROUND=2/)
      // The recreated container keeps the old one's anonymous volume, as Compose does.
      assert.equal(ok(d.berth(['exec', 'rec-worker-1', 'cat', '/cache/file'])).stdout, 'cached\n')
      // --force-recreate replaces everything.
      ok(compose(dir, 'rec', ['up', '-d', '--force-recreate']))
      const forced = ids('rec')
      assert.notEqual(forced['rec-api-1'], after['rec-api-1'])
      assert.notEqual(forced['rec-worker-1'], after['rec-worker-1'])

      // A service removed from the file leaves an orphan: reported, then removed with --remove-orphans.
      writeFileSync(join(dir, 'compose.yaml'), 'services:\n  api: { image: busybox, init: true, command: ["sleep", "1000"] }\n')
      assert.match(ok(compose(dir, 'rec', ['up', '-d'])).stderr, /Found orphan containers \(\[rec-worker-1\]\)/)
      ok(compose(dir, 'rec', ['up', '-d', '--remove-orphans', '-t', '0']))
      assert.deepEqual(names('label=com.docker.compose.project=rec'), ['rec-api-1'])
    } finally {
      compose(dir, 'rec', ['down', '-t', '0'])
    }
  })

  test('recreating a service recreates network_mode sharers and restarts depends_on restart: true dependents', () => {
    const yaml = (round: string): string => `
services:
  net: { image: busybox, init: true, command: ["sleep", "1000"], environment: { ROUND: "${round}" } }
  sidecar: { image: busybox, init: true, command: ["sleep", "1000"], network_mode: "service:net" }
  app:
    image: busybox
    init: true
    command: ["sleep", "1000"]
    depends_on: { net: { condition: service_started, restart: true } }
`
    const dir = project(yaml('1'))
    try {
      ok(compose(dir, 'dep', ['up', '-d']))
      const before = ids('dep')
      writeFileSync(join(dir, 'compose.yaml'), yaml('2'))
      const r = ok(compose(dir, 'dep', ['up', '-d', '-t', '0']))
      const after = ids('dep')
      assert.notEqual(after['dep-net-1'], before['dep-net-1'])
      assert.notEqual(after['dep-sidecar-1'], before['dep-sidecar-1'])
      assert.equal(after['dep-app-1'], before['dep-app-1'])
      assert.ok(lineIndex(r.stderr, /Container dep-app-1 +Stopped/) < lineIndex(r.stderr, /Container dep-app-1 +Started/), r.stderr)
      const mode = ok(d.berth(['inspect', '--format', '{{.HostConfig.NetworkMode}}', 'dep-sidecar-1'])).stdout.trim()
      assert.equal(mode, `container:${ok(d.berth(['inspect', '--format', '{{.Id}}', 'dep-net-1'])).stdout.trim()}`)
      for (const n of ['dep-net-1', 'dep-sidecar-1', 'dep-app-1']) {
        assert.equal(ok(d.berth(['inspect', '--format', '{{.State.Running}}', n])).stdout.trim(), 'true', n)
      }
    } finally {
      compose(dir, 'dep', ['down', '-t', '0'])
    }
  })

  test('--scale web=3 gives three containers that all resolve under the service name; scaling down removes the highest', () => {
    const dir = project(`
services:
  web: { image: busybox, init: true, command: ["sleep", "1000"] }
  client: { image: busybox, init: true, command: ["sleep", "1000"] }
`)
    try {
      ok(compose(dir, 'sc', ['up', '-d', '--scale', 'web=3']))
      assert.deepEqual(names('label=com.docker.compose.service=web'), ['sc-web-1', 'sc-web-2', 'sc-web-3'])
      const lookup = ok(d.berth(['exec', 'sc-client-1', 'nslookup', 'web', '127.0.0.11'])).stdout
      const addresses = lookup.split('\n').filter((l) => /^Address:/.test(l) && !l.includes('127.0.0.11'))
      assert.equal(addresses.length, 3, lookup)
      const ipOf = (n: string): string => ok(d.berth(['inspect', '--format', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', n])).stdout.trim()
      for (const n of ['sc-web-1', 'sc-web-2', 'sc-web-3']) assert.ok(lookup.includes(ipOf(n)), `${n} in ${lookup}`)
      const downscale = ok(compose(dir, 'sc', ['up', '-d', '--scale', 'web=1', '-t', '0']))
      assert.deepEqual(names('label=com.docker.compose.service=web'), ['sc-web-1'])
      assert.match(downscale.stderr, /Container sc-web-3 +Removed/)
      ok(compose(dir, 'sc', ['scale', 'web=2']))
      assert.deepEqual(names('label=com.docker.compose.service=web'), ['sc-web-1', 'sc-web-2'])
    } finally {
      compose(dir, 'sc', ['down', '-t', '0'])
    }
  })

  test('depends_on service_healthy waits for the healthcheck, and fails with Compose\'s message when unhealthy', () => {
    const dir = project(`
services:
  db:
    image: busybox
    init: true
    command: ["sh", "-c", "sleep 2; touch /ready; exec sleep 1000"]
    healthcheck: { test: ["CMD", "test", "-f", "/ready"], interval: 1s, retries: 20 }
  app:
    image: busybox
    init: true
    command: ["sleep", "1000"]
    depends_on: { db: { condition: service_healthy } }
`)
    const bad = project(`
services:
  db:
    image: busybox
    init: true
    command: ["sleep", "1000"]
    healthcheck: { test: ["CMD", "false"], interval: 1s, retries: 1 }
  app:
    image: busybox
    command: ["sleep", "1000"]
    depends_on: { db: { condition: service_healthy } }
`)
    try {
      const up = ok(compose(dir, 'hc', ['up', '-d', '--wait']))
      const healthy = lineIndex(up.stderr, /Container hc-db-1 +Healthy/)
      assert.ok(healthy >= 0 && healthy < lineIndex(up.stderr, /Container hc-app-1 +Started/), up.stderr)
      const health = ok(d.berth(['inspect', '--format', '{{.State.Health.Status}}', 'hc-db-1'])).stdout.trim()
      assert.equal(health, 'healthy')

      // service_completed_successfully: the app starts after the init job exited 0; a failed job stops the up.
      const jobs = project(`
services:
  job: { image: busybox, command: ["sh", "-c", "sleep 1; exit \${CODE:-0}"] }
  app:
    image: busybox
    init: true
    command: ["sleep", "1000"]
    depends_on: { job: { condition: service_completed_successfully } }
`)
      try {
        const good = ok(compose(jobs, 'job', ['up', '-d']))
        const exitedAt = lineIndex(good.stderr, /Container job-job-1 +Exited/)
        assert.ok(exitedAt >= 0 && exitedAt < lineIndex(good.stderr, /Container job-app-1 +Started/), good.stderr)
        const failedJob = d.berth(['compose', '--project-directory', jobs, '-p', 'jobbad', 'up', '-d'], { env: { CODE: '3' } })
        assert.equal(failedJob.code, 1)
        assert.match(failedJob.stderr, /service "job" didn't complete successfully: exit 3/)
      } finally {
        compose(jobs, 'job', ['down', '-t', '0'])
        compose(jobs, 'jobbad', ['down', '-t', '0'])
      }

      const failed = compose(bad, 'hcbad', ['up', '-d'])
      assert.equal(failed.code, 1)
      assert.match(failed.stderr, /dependency failed to start: container hcbad-db-1 is unhealthy/)
      assert.equal(ok(d.berth(['inspect', '--format', '{{.State.Status}}', 'hcbad-app-1'])).stdout.trim(), 'created')
    } finally {
      compose(dir, 'hc', ['down', '-t', '0'])
      compose(bad, 'hcbad', ['down', '-t', '0'])
    }
  })

  test('build: services are built, then rebuilt only when their context changed', () => {
    const dir = project(`
services:
  app:
    build: ./app
    init: true
    command: ["sh", "-c", "cat /page.txt; exec sleep 1000"]
`, {
      'app/Dockerfile': 'FROM busybox\nCOPY page.txt /page.txt\n',
      'app/page.txt': 'v1\n',
      'app/.dockerignore': 'ignored.txt\n',
      'app/ignored.txt': 'a\n',
    })
    try {
      const first = ok(compose(dir, 'bld', ['up', '-d']))
      assert.match(first.stderr, /Service app +Built/)
      const image1 = ok(d.berth(['image', 'inspect', '--format', '{{.Id}}', 'bld-app'])).stdout.trim()
      const container1 = ids('bld')['bld-app-1']

      const second = ok(compose(dir, 'bld', ['up', '-d']))
      assert.doesNotMatch(second.stderr, /Built/)
      assert.equal(ids('bld')['bld-app-1'], container1)

      writeFileSync(join(dir, 'app/ignored.txt'), 'b\n')
      assert.doesNotMatch(ok(compose(dir, 'bld', ['up', '-d'])).stderr, /Built/)

      writeFileSync(join(dir, 'app/page.txt'), 'v2\n')
      const third = ok(compose(dir, 'bld', ['up', '-d']))
      assert.match(third.stderr, /Service app +Built/)
      assert.match(third.stderr, /Container bld-app-1 +Recreated/)
      assert.notEqual(ok(d.berth(['image', 'inspect', '--format', '{{.Id}}', 'bld-app'])).stdout.trim(), image1)
      assert.equal(ok(d.berth(['exec', 'bld-app-1', 'cat', '/page.txt'])).stdout, 'v2\n')

      assert.match(ok(compose(dir, 'bld', ['build'])).stderr, /Service app +Built/)
      ok(compose(dir, 'bld', ['down', '-t', '0', '--rmi', 'local']))
      assert.notEqual(d.berth(['image', 'inspect', 'bld-app']).code, 0)
    } finally {
      compose(dir, 'bld', ['down', '-t', '0'])
    }
  })

  test('bad input names the file and key and creates nothing', () => {
    const cases: Array<[string, RegExp]> = [
      ['services:\n  web: { image: busybox\n', /compose\.yaml: yaml: line \d+/],
      ['services:\n  web: { image: busybox, colour: red }\n', /compose\.yaml: services\.web Additional property colour is not allowed/],
      ['services:\n  a: { image: busybox, depends_on: [b] }\n  b: { image: busybox, depends_on: [a] }\n', /compose\.yaml: dependency cycle detected: (a -> b -> a|b -> a -> b)/],
      ['services:\n  web: { image: busybox, networks: [nowhere] }\n', /compose\.yaml: service "web" refers to undefined network nowhere/],
    ]
    for (const [yaml, message] of cases) {
      const dir = project(yaml)
      const r = compose(dir, 'bad', ['up', '-d'])
      assert.notEqual(r.code, 0)
      assert.match(r.stderr, message)
      assert.deepEqual(names('label=com.docker.compose.project=bad'), [])
      assert.doesNotMatch(ok(d.berth(['network', 'ls', '--format', '{{.Name}}'])).stdout, /^bad_/m)
    }
  })

  test('secrets and configs appear as files in the container', () => {
    const dir = project(`
services:
  app:
    image: busybox
    init: true
    command: ["sleep", "1000"]
    secrets: [token]
    configs: [{ source: settings, target: /etc/app.conf }]
secrets:
  token: { file: ./token.txt }
configs:
  settings: { content: "level=debug" }
`, { 'token.txt': 's3cret\n' })
    try {
      ok(compose(dir, 'sec', ['up', '-d']))
      assert.equal(ok(d.berth(['exec', 'sec-app-1', 'cat', '/run/secrets/token'])).stdout, 's3cret\n')
      assert.equal(ok(d.berth(['exec', 'sec-app-1', 'cat', '/etc/app.conf'])).stdout, 'level=debug')
      assert.notEqual(d.berth(['exec', 'sec-app-1', 'sh', '-c', 'echo x > /run/secrets/token']).code, 0)
    } finally {
      compose(dir, 'sec', ['down', '-t', '0'])
    }
  })

  test('run: one-off containers with --rm, -e and the service\'s networks; ports only with --service-ports', () => {
    const dir = project(`
services:
  tool:
    image: busybox
    environment: { GREETING: hello }
    ports: ["8080"]
    depends_on: [dep]
  dep: { image: busybox, init: true, command: ["sleep", "1000"] }
`)
    try {
      const r = ok(compose(dir, 'one', ['run', '--rm', '-e', 'NAME=world', 'tool', 'sh', '-c', 'echo $GREETING $NAME; nslookup dep 127.0.0.11 >/dev/null && echo dep-found']))
      assert.match(r.stdout, /hello world/)
      assert.match(r.stdout, /dep-found/)
      assert.deepEqual(names('label=com.docker.compose.oneoff=True'), [])
      assert.deepEqual(names('label=com.docker.compose.project=one'), ['one-dep-1'])
      const detached = ok(compose(dir, 'one', ['run', '-d', 'tool', 'sleep', '1000'])).stdout.trim()
      const info = ok(d.berth(['inspect', '--format', '{{.Name}} {{index .Config.Labels "com.docker.compose.oneoff"}} {{json .HostConfig.PortBindings}}', detached])).stdout.trim()
      assert.match(info, /^\/one-tool-run-[0-9a-f]{12} True (null|\{\})$/)
    } finally {
      compose(dir, 'one', ['down', '-t', '0'])
    }
  })

  test('attached up prints prefixed logs until the containers exit; --abort-on-container-exit stops the rest', () => {
    const dir = project(`
services:
  hello: { image: busybox, command: ["sh", "-c", "echo hello from compose; exit 0"] }
`)
    const abort = project(`
services:
  quits: { image: busybox, command: ["sh", "-c", "echo bye; exit 3"] }
  stays: { image: busybox, init: true, command: ["sleep", "1000"] }
`)
    try {
      const r = ok(compose(dir, 'att', ['up']))
      assert.match(r.stdout, /^Attaching to hello-1$/m)
      assert.match(r.stdout, /^hello-1 +\| hello from compose$/m)
      assert.match(r.stdout, /^hello-1 exited with code 0$/m)
      const a = compose(abort, 'abrt', ['up', '--abort-on-container-exit', '-t', '0'])
      assert.equal(a.code, 3, a.stdout + a.stderr)
      assert.match(a.stdout, /quits-1 +\| bye/)
      assert.equal(ok(d.berth(['inspect', '--format', '{{.State.Running}}', 'abrt-stays-1'])).stdout.trim(), 'false')
    } finally {
      compose(dir, 'att', ['down', '-t', '0'])
      compose(abort, 'abrt', ['down', '-t', '0'])
    }
  })

  test('attached up stops the project on Ctrl-C', async () => {
    const dir = project('services:\n  loop: { image: busybox, init: true, command: ["sh", "-c", "while true; do echo tick; sleep 1; done"] }\n')
    try {
      const child = spawn(join(repo, 'bin/berth'), ['-H', d.host, 'compose', '--project-directory', dir, '-p', 'sig', 'up', '-t', '0'])
      let stdout = ''
      child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
      child.stderr.on('data', () => {})
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)))
      await eventually(() => /loop-1 +\| tick/.test(stdout), 'the first log line', 20_000)
      child.kill('SIGINT')
      assert.equal(await exited, 130)
      assert.match(stdout, /Gracefully stopping\.\.\./)
      assert.equal(ok(d.berth(['inspect', '--format', '{{.State.Running}}', 'sig-loop-1'])).stdout.trim(), 'false')
    } finally {
      compose(dir, 'sig', ['down', '-t', '0'])
    }
  })

  test('berth-compose and the docker CLI plugin run the same commands', () => {
    const dir = project('services:\n  solo: { image: busybox, init: true, command: ["sleep", "1000"] }\n')
    const config = mkdtempSync('/tmp/berth-compose-dcfg-')
    dirs.push(config)
    mkdirSync(join(config, 'cli-plugins'))
    symlinkSync(join(repo, 'bin/cli-plugins/docker-compose'), join(config, 'cli-plugins/docker-compose'))
    try {
      ok(runCli(join(repo, 'bin/berth-compose'), ['--project-directory', dir, '-p', 'bin', 'up', '-d'], { env: { DOCKER_HOST: d.host } }))
      assert.deepEqual(names('label=com.docker.compose.project=bin'), ['bin-solo-1'])
      // Without -f/-p: compose.yaml found in the current directory, the project named after it.
      const inDir = spawnSync(join(repo, 'bin/berth-compose'), ['up', '-d'], { cwd: dir, env: { ...process.env, DOCKER_HOST: d.host }, encoding: 'utf8', timeout: 60_000 })
      assert.equal(inDir.status, 0, inDir.stderr)
      const dirProject = dir.split('/').pop()!.toLowerCase()
      assert.deepEqual(names(`label=com.docker.compose.project=${dirProject}`), [`${dirProject}-solo-1`])
      assert.equal(spawnSync(join(repo, 'bin/berth-compose'), ['down', '-t', '0'], { cwd: dir, env: { ...process.env, DOCKER_HOST: d.host } }).status, 0)
      assert.deepEqual(names(`label=com.docker.compose.project=${dirProject}`), [])
      assert.match(ok(d.docker(['compose', 'version'], { env: { DOCKER_CONFIG: config } })).stdout, /^Docker Compose version v2\.\d+\.\d+/)
      const r = ok(d.docker(['compose', '--project-directory', dir, '-p', 'bin', 'down', '-t', '0'], { env: { DOCKER_CONFIG: config } }))
      assert.match(r.stderr, /Container bin-solo-1 +Removed/)
      assert.deepEqual(names('label=com.docker.compose.project=bin'), [])
    } finally {
      compose(dir, 'bin', ['down', '-t', '0'])
    }
  })

  test('Debian\'s docker-compose 1.29 brings the voting stack up and down against berthd', { skip: hasComposeV1 ? false : 'docker-compose (1.29) is not installed' }, async () => {
    const dir = project(VOTING)
    const v1 = (args: string[]): CliResult =>
      runCli('docker-compose', ['--project-directory', dir, '-f', join(dir, 'compose.yaml'), '-p', 'legacy', ...args], { env: { DOCKER_HOST: d.host }, timeoutMs: 120_000 })
    try {
      const up = ok(v1(['up', '-d']))
      assert.match(up.stderr, /Creating legacy_worker_1 \.\.\. done/)
      assert.deepEqual(names('label=com.docker.compose.project=legacy'), ['legacy_db_1', 'legacy_redis_1', 'legacy_vote_1', 'legacy_web_1', 'legacy_worker_1'])
      await eventually(() => {
        const logs = ok(v1(['logs', 'worker'])).stdout
        return logs.includes('db-ok') && logs.includes('redis-PONG')
      }, 'the worker to reach db and redis', 20_000)
      assert.notEqual(v1(['exec', '-T', 'web', 'wget', '-q', '-O-', 'http://db:5432/']).code, 0)
      assert.equal(ok(v1(['exec', '-T', 'vote', 'wget', '-q', '-O-', 'http://db:5432/'])).stdout.trim(), 'db-ok')
      assert.match(ok(v1(['up', '-d'])).stderr, /legacy_web_1 is up-to-date/)
      // The same project, seen by berth compose through the shared labels.
      assert.equal(ok(compose(dir, 'legacy', ['ps', '-q'])).stdout.split('\n').filter(Boolean).length, 5)
      ok(v1(['down', '-v', '-t', '0']))
      assert.deepEqual(names('label=com.docker.compose.project=legacy'), [])
      assert.doesNotMatch(ok(d.berth(['volume', 'ls', '--format', '{{.Name}}'])).stdout, /legacy_/)
      assert.doesNotMatch(ok(d.berth(['network', 'ls', '--format', '{{.Name}}'])).stdout, /legacy_/)
    } finally {
      v1(['down', '-v', '-t', '0'])
    }
  })
})

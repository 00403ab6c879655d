// Restart policies against real containers: back-off restarts, on-failure limits, manual stops,
// and containers brought back after a berthd crash.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { Daemon, eventually, isRoot } from './harness.js'

const skip = isRoot() ? false : 'needs root (namespaces, cgroups, overlay mounts)'

describe('restart policies', { skip }, () => {
  const d = new Daemon()
  before(() => d.startWithBusybox())
  after(() => d.stop())

  const inspect = (id: string, format: string): string => d.docker(['inspect', '--format', format, id]).stdout.trim()

  test('on-failure:3 restarts a failing container exactly three times, then leaves it exited', async () => {
    const id = d.docker(['run', '-d', '--restart', 'on-failure:3', 'busybox', 'sh', '-c', 'exit 3']).stdout.trim()
    assert.match(id, /^[0-9a-f]{64}$/)
    await eventually(() => inspect(id, '{{.State.Status}} {{.RestartCount}}') === 'exited 3', 'three restarts then exited', 20_000)
    assert.equal(inspect(id, '{{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}'), '3 on-failure 3')
    // it stays exited: no fourth restart
    await new Promise((r) => setTimeout(r, 1500))
    assert.equal(inspect(id, '{{.State.Status}} {{.RestartCount}}'), 'exited 3')
    const events = d.docker(['events', '--since', '0', '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', `container=${id}`, '--format', '{{.Action}}'])
    const actions = events.stdout.trim().split('\n')
    assert.equal(actions.filter((a) => a === 'start').length, 4)
    assert.equal(actions.filter((a) => a.startsWith('die')).length, 4)
  })

  test('on-failure does not restart a zero exit', async () => {
    const id = d.berth(['run', '-d', '--restart', 'on-failure', 'busybox', 'true']).stdout.trim()
    await eventually(() => inspect(id, '{{.State.Status}}') === 'exited', 'exit')
    await new Promise((r) => setTimeout(r, 500))
    assert.equal(inspect(id, '{{.State.Status}} {{.RestartCount}}'), 'exited 0')
  })

  test('always restarts after exits; a manual stop ends that until the next start', async () => {
    const id = d.berth(['run', '-d', '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 0.3']).stdout.trim()
    await eventually(() => Number(inspect(id, '{{.RestartCount}}')) >= 2, 'two restarts', 20_000)
    assert.equal(d.berth(['stop', '-t', '0', id]).code, 0)
    await eventually(() => inspect(id, '{{.State.Status}}') === 'exited', 'stopped')
    const count = inspect(id, '{{.RestartCount}}')
    await new Promise((r) => setTimeout(r, 1000))
    assert.equal(inspect(id, '{{.State.Status}} {{.RestartCount}}'), `exited ${count}`)
    // a start resets the count and re-arms the policy
    assert.equal(d.berth(['start', id]).code, 0)
    await eventually(() => Number(inspect(id, '{{.RestartCount}}')) >= 1, 'restart after start', 20_000)
    assert.equal(d.berth(['rm', '-f', id]).code, 0)
  })

  test('--restart with --rm is refused', async () => {
    for (const cli of ['docker', 'berth'] as const) {
      const r = d.cli(cli, ['run', '--rm', '--restart', 'always', 'busybox', 'true'])
      assert.equal(r.code, 125)
      assert.match(r.stderr, /conflicting options: cannot specify both --restart and --rm/)
    }
    const api = await d.api('POST', '/containers/create', JSON.stringify({ Image: 'busybox', HostConfig: { AutoRemove: true, RestartPolicy: { Name: 'always' } } }))
    assert.equal(api.status, 400)
    assert.match(api.body, /AutoRemove/)
  })

  test('restart command restarts a running container and emits a restart event', () => {
    const id = d.berth(['run', '-d', 'busybox', 'sleep', '300']).stdout.trim()
    const before = inspect(id, '{{.State.StartedAt}}')
    const r = d.berth(['restart', '-t', '0', id])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.trim(), id)
    assert.equal(inspect(id, '{{.State.Status}}'), 'running')
    assert.notEqual(inspect(id, '{{.State.StartedAt}}'), before)
    const events = d.docker(['events', '--since', '0', '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', `container=${id}`, '--filter', 'event=restart', '--format', '{{.Action}}'])
    assert.equal(events.stdout.trim(), 'restart')
    assert.equal(d.docker(['restart', '-t', '0', id]).code, 0)
    assert.equal(d.berth(['rm', '-f', id]).code, 0)
  })

  test('always and unless-stopped containers come back after berthd crashes and they die meanwhile', async () => {
    const always = d.docker(['run', '-d', '--restart', 'always', 'busybox', 'sleep', '300']).stdout.trim()
    const unless = d.docker(['run', '-d', '--restart', 'unless-stopped', 'busybox', 'sleep', '300']).stdout.trim()
    const stopped = d.docker(['run', '-d', '--restart', 'unless-stopped', 'busybox', 'sleep', '300']).stdout.trim()
    assert.equal(d.docker(['stop', '-t', '0', stopped]).code, 0)
    d.crash()
    // the containers die while berthd is down (as at a host reboot)
    const state = join(d.execRoot, 'runtime/state')
    for (const id of [always, unless]) spawnSync('crun', ['--root', state, 'kill', id, 'KILL'])
    await new Promise((r) => setTimeout(r, 300))
    await d.start()
    for (const id of [always, unless]) {
      await eventually(() => inspect(id, '{{.State.Status}}') === 'running', `${id.slice(0, 12)} running again`, 15_000)
    }
    assert.equal(inspect(stopped, '{{.State.Status}}'), 'exited')
    assert.equal(d.docker(['rm', '-f', always, unless, stopped]).code, 0)
  })

  test('--rm containers found exited or never started when berthd starts again are removed with their volumes and endpoints', async () => {
    const ok = (args: string[]): string => {
      const r = d.docker(args)
      assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`)
      return r.stdout.trim()
    }
    ok(['network', 'create', 'rmnet'])
    const never = ok(['create', '--rm', '--name', 'rm-never', '--network', 'rmnet', '-v', '/data', 'busybox', 'true'])
    const dies = ok(['run', '-d', '--rm', '--name', 'rm-dies', '--network', 'rmnet', '-v', '/data', 'busybox', 'sleep', '300'])
    const volumes = [never, dies].map((id) => inspect(id, '{{range .Mounts}}{{.Name}}{{end}}'))
    for (const v of volumes) assert.match(v, /^[0-9a-f]{64}$/)
    const since = Math.floor(Date.now() / 1000) - 1
    d.crash()
    spawnSync('crun', ['--root', join(d.execRoot, 'runtime/state'), 'kill', dies, 'KILL'])
    await new Promise((r) => setTimeout(r, 300))
    await d.start()
    assert.equal(ok(['ps', '-aq', '--filter', 'name=rm-']), '')
    const left = ok(['volume', 'ls', '-q']).split('\n')
    for (const v of volumes) assert.ok(!left.includes(v), `anonymous volume ${v.slice(0, 12)} removed`)
    for (const id of [never, dies]) assert.equal(existsSync(join(d.dataRoot, 'containers', id)), false)
    // Their endpoints went too: the network has none left.
    ok(['network', 'rm', 'rmnet'])
    const destroyed = ok(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1),
      '--filter', 'event=destroy', '--filter', 'type=container', '--filter', 'type=volume', '--format', '{{.Type}} {{.Actor.ID}}']).split('\n').sort()
    assert.deepEqual(destroyed, [`container ${never}`, `container ${dies}`, ...volumes.map((v) => `volume ${v}`)].sort())
    // As dockerd's restore: the exit that happened while the daemon was down sends no 'die'.
    assert.equal(ok(['events', '--since', '0', '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', `container=${dies}`,
      '--filter', 'type=container', '--format', '{{.Action}}']), 'destroy')
  })
})

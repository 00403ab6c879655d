// HEALTHCHECK at run time: probes inside real containers, State.Health, ps status and events.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Daemon, eventually, isRoot } from './harness.js'

const skip = isRoot() ? false : 'needs root (namespaces, cgroups, overlay mounts)'

for (const cli of ['docker', 'berth'] as const) {
  describe(`health checks through the ${cli} CLI`, { skip }, () => {
    const d = new Daemon()
    const run = (args: string[]) => d.cli(cli, args, { timeoutMs: 30_000 })
    before(() => d.startWithBusybox())
    after(() => d.stop())
    const health = (id: string): string => d.docker(['inspect', '--format', '{{if .State.Health}}{{.State.Health.Status}}{{end}}', id]).stdout.trim()

    test('--health-cmd turns a container healthy, then unhealthy after the retries fail', async () => {
      const id = run(['run', '-d', '--health-cmd', 'test -e /tmp/ok', '--health-interval', '200ms', '--health-retries', '2',
        'busybox', 'sh', '-c', 'touch /tmp/ok; sleep 2; rm /tmp/ok; sleep 300']).stdout.trim()
      assert.match(id, /^[0-9a-f]{64}$/)
      await eventually(() => health(id) === 'healthy', 'healthy')
      assert.match(run(['ps', '--filter', `id=${id}`, '--format', '{{.Status}}']).stdout, /^Up .* \(healthy\)\n$/)
      await eventually(() => health(id) === 'unhealthy', 'unhealthy')
      const state = JSON.parse(d.docker(['inspect', '--format', '{{json .State.Health}}', id]).stdout) as { FailingStreak: number; Log: Array<{ ExitCode: number }> }
      assert.ok(state.FailingStreak >= 2)
      assert.equal(state.Log.at(-1)?.ExitCode, 1)
      assert.equal(run(['ps', '-q', '--no-trunc', '--filter', 'health=unhealthy']).stdout.trim(), id)
      assert.equal(d.docker(['inspect', '--format', '{{json .Config.Healthcheck.Test}}', id]).stdout.trim(), '["CMD-SHELL","test -e /tmp/ok"]')
      const events = run(['events', '--since', '0', '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', `container=${id}`, '--format', '{{.Action}}'])
      assert.match(events.stdout, /health_status: healthy\n(.*\n)*health_status: unhealthy\n/)
      assert.equal(run(['rm', '-f', id]).code, 0)
    })

    test('a timed-out check fails with Docker\'s message; --no-healthcheck conflicts with --health-*', async () => {
      const id = run(['run', '-d', '--health-cmd', 'sleep 5', '--health-interval', '200ms', '--health-timeout', '300ms', '--health-retries', '1',
        'busybox', 'sleep', '300']).stdout.trim()
      await eventually(() => health(id) === 'unhealthy', 'unhealthy after a timeout')
      const log = JSON.parse(d.docker(['inspect', '--format', '{{json .State.Health.Log}}', id]).stdout) as Array<{ ExitCode: number; Output: string }>
      assert.deepEqual([log[0]?.ExitCode, log[0]?.Output], [-1, 'Health check exceeded timeout (300ms)'])
      assert.equal(run(['rm', '-f', id]).code, 0)
      const bad = run(['run', '--no-healthcheck', '--health-cmd', 'true', 'busybox', 'true'])
      assert.notEqual(bad.code, 0)
      assert.match(bad.stderr, /--no-healthcheck conflicts with --health-\* options/)
      const none = run(['create', '--no-healthcheck', 'busybox', 'true']).stdout.trim()
      assert.equal(d.docker(['inspect', '--format', '{{json .Config.Healthcheck.Test}}', none]).stdout.trim(), '["NONE"]')
      assert.equal(run(['rm', none]).code, 0)
    })
  })
}

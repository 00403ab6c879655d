// More of `run`'s flags and the read-only commands, against real containers, with both CLIs.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { Daemon, isRoot } from './harness.js'

const skip = isRoot() ? false : 'needs root (namespaces, cgroups, overlay mounts)'

for (const cli of ['docker', 'berth'] as const) {
  describe(`run flags through the ${cli} CLI`, { skip }, () => {
    const d = new Daemon()
    const run = (args: string[], opts?: { input?: string; env?: Record<string, string>; timeoutMs?: number }) => d.cli(cli, args, opts)
    before(() => d.startWithBusybox())
    after(() => d.stop())

    test('--hostname, --env-file and labels', () => {
      const envFile = `${d.dataRoot}/env.list`
      writeFileSync(envFile, '# comment\nA=1\nB=two words\n\n')
      const r = run(['run', '--rm', '-h', 'myhost', '--env-file', envFile, 'busybox', 'sh', '-c', 'echo $(hostname) $A "$B"; cat /etc/hostname'])
      assert.equal(r.stdout, 'myhost 1 two words\nmyhost\n')
      const id = run(['create', '-l', 'tier=web', '--label', 'team', 'busybox', 'true']).stdout.trim()
      assert.equal(run(['ps', '-aq', '--no-trunc', '--filter', 'label=tier=web']).stdout.trim(), id)
      assert.equal(run(['ps', '-aq', '--no-trunc', '--filter', 'label=team']).stdout.trim(), id)
      assert.equal(run(['ps', '-aq', '--filter', 'label=tier=db']).stdout, '')
      assert.equal(run(['inspect', '--format', '{{index .Config.Labels "tier"}}', id]).stdout.trim(), 'web')
      assert.equal(run(['rm', id]).code, 0)
    })

    test('--stop-signal and --stop-timeout decide how stop ends a container', () => {
      // sh as PID 1 ignores TERM; with --stop-signal KILL, stop ends it at once with 137
      const id = run(['run', '-d', '--stop-signal', 'KILL', 'busybox', 'sleep', '100']).stdout.trim()
      assert.equal(run(['stop', id]).code, 0)
      assert.equal(run(['inspect', '--format', '{{.State.ExitCode}} {{.Config.StopSignal}}', id]).stdout.trim(), '137 KILL')
      // a trap on TERM exits 3 when stop sends the default signal
      const t = run(['run', '-d', '--init', '--stop-timeout', '5', 'busybox', 'sh', '-c', 'trap "exit 3" TERM; while true; do sleep 0.1; done']).stdout.trim()
      assert.equal(run(['stop', t]).code, 0)
      assert.equal(run(['inspect', '--format', '{{.State.ExitCode}} {{.Config.StopTimeout}}', t]).stdout.trim(), '3 5')
      assert.equal(run(['rm', id, t]).code, 0)
    })

    test('ps --format table, -n and exited filter', () => {
      const ok = run(['run', '--name', `ok-${cli}`, 'busybox', 'true'])
      assert.equal(ok.code, 0)
      const bad = run(['run', '--name', `bad-${cli}`, 'busybox', 'sh', '-c', 'exit 2'])
      assert.equal(bad.code, 2)
      const table = run(['ps', '-a', '--format', 'table {{.Names}}\t{{.Status}}'])
      assert.match(table.stdout, /^NAMES\s+STATUS\n/)
      assert.match(table.stdout, new RegExp(`bad-${cli}\\s+Exited \\(2\\) .* ago`))
      assert.equal(run(['ps', '-a', '--filter', 'exited=2', '--format', '{{.Names}}']).stdout.trim(), `bad-${cli}`)
      assert.equal(run(['ps', '-a', '-n', '1', '--format', '{{.Names}}']).stdout.trim(), `bad-${cli}`)
      const json = JSON.parse(run(['ps', '-a', '-n', '1', '--format', '{{json .}}']).stdout) as Record<string, string>
      assert.equal(json.Names, `bad-${cli}`)
      assert.equal(json.Image, 'busybox')
      assert.equal(run(['rm', `ok-${cli}`, `bad-${cli}`]).code, 0)
    })

    test('logs --timestamps, --since and stderr separation', () => {
      const id = run(['run', '-d', 'busybox', 'sh', '-c', 'echo out; echo err >&2']).stdout.trim()
      assert.equal(run(['wait', id]).stdout.trim(), '0')
      const ts = run(['logs', '-t', id])
      assert.match(ts.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z out\n$/)
      assert.match(ts.stderr, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z err\n$/)
      assert.equal(run(['logs', '--since', '2099-01-01T00:00:00Z', id]).stdout, '')
      assert.equal(run(['logs', '--until', '2000-01-01T00:00:00Z', id]).stdout, '')
      assert.equal(run(['logs', '--since', '2000-01-01T00:00:00Z', id]).stdout, 'out\n')
      assert.equal(run(['rm', id]).code, 0)
    })

    test('run -i streams stdin and closes it at EOF', () => {
      const cat = run(['run', '-i', '--rm', 'busybox', 'cat'], { input: 'hello stdin\n', timeoutMs: 15_000 })
      assert.equal(cat.code, 0, cat.stderr)
      assert.equal(cat.stdout, 'hello stdin\n')
      const wc = run(['run', '-i', '--rm', 'busybox', 'wc', '-l'], { input: 'a\nb\nc\n', timeoutMs: 15_000 })
      assert.equal(wc.stdout.trim(), '3')
      // without -i the container's stdin is closed from the start
      assert.equal(run(['run', '--rm', 'busybox', 'cat'], { input: 'ignored\n', timeoutMs: 15_000 }).stdout, '')
    })

    test('version and info describe berth', () => {
      const v = run(['version', '--format', '{{.Server.APIVersion}}'])
      assert.equal(v.stdout.trim(), '1.50')
      const info = run(['info', '--format', '{{.DefaultRuntime}} {{.OSType}} {{json .Warnings}}'])
      assert.match(info.stdout, /^(crun|runc) linux /)
      assert.doesNotMatch(info.stdout, /network mode/, 'containers get the bridge network: no warning about it')
    })
  })
}

describe('berthd --runtime runc', { skip }, () => {
  const d = new Daemon('runc')
  before(() => d.startWithBusybox())
  after(() => d.stop())

  test('runs containers through runc: output, exit code, -d, stop and rm', () => {
    assert.match(d.docker(['info', '--format', '{{.DefaultRuntime}}']).stdout, /^runc/)
    const r = d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo via runc; exit 5'])
    assert.equal(r.stdout, 'via runc\n')
    assert.equal(r.code, 5)
    const id = d.docker(['run', '-d', 'busybox', 'sleep', '100']).stdout.trim()
    assert.equal(d.docker(['inspect', '--format', '{{.State.Running}}', id]).stdout.trim(), 'true')
    assert.equal(d.docker(['stop', '-t', '0', id]).code, 0)
    assert.equal(d.docker(['rm', id]).code, 0)
  })
})

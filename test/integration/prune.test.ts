// container prune, system df and system prune against real containers, with both CLIs.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Daemon, isRoot } from './harness.js'

const skip = isRoot() ? false : 'needs root (namespaces, cgroups, overlay mounts)'

for (const cli of ['docker', 'berth'] as const) {
  describe(`prune and df through the ${cli} CLI`, { skip }, () => {
    const d = new Daemon()
    const run = (args: string[], input?: string) => d.cli(cli, args, { timeoutMs: 30_000, input })
    before(() => d.startWithBusybox())
    after(() => d.stop())

    test('system df counts images and containers with the writable layer size', () => {
      const stopped = run(['run', '-d', 'busybox', 'sh', '-c', 'dd if=/dev/zero of=/big bs=1k count=100 2>/dev/null']).stdout.trim()
      assert.equal(run(['wait', stopped]).stdout.trim(), '0')
      const running = run(['run', '-d', 'busybox', 'sleep', '300']).stdout.trim()
      const df = run(['system', 'df'])
      assert.equal(df.code, 0, df.stderr)
      assert.match(df.stdout, /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE\n/)
      assert.match(df.stdout, /\nImages\s+1\s+1\s+\S+MB\s+0B \(0%\)\n/)
      assert.match(df.stdout, /\nContainers\s+2\s+1\s+102\.4kB\s+102\.4kB \(100%\)\n/)
      assert.match(df.stdout, /\nLocal Volumes\s+0\s+0\s+0B\s+0B\n/)
      assert.equal(run(['rm', '-f', stopped, running]).code, 0)
    })

    test('container prune asks first, then removes only stopped containers matching the filters', () => {
      const keep = run(['run', '-d', 'busybox', 'sleep', '300']).stdout.trim()
      const labelled = run(['create', '--label', 'tier=old', 'busybox', 'true']).stdout.trim()
      const other = run(['create', 'busybox', 'true']).stdout.trim()
      const cancelled = run(['container', 'prune'], 'n\n')
      assert.equal(cancelled.code, 0)
      assert.match(cancelled.stdout, /WARNING! This will remove all stopped containers\.\nAre you sure you want to continue\? \[y\/N\] /)
      assert.equal(run(['ps', '-aq']).stdout.trim().split('\n').length, 3)
      const byLabel = run(['container', 'prune', '-f', '--filter', 'label=tier=old'])
      assert.equal(byLabel.code, 0, byLabel.stderr)
      assert.equal(byLabel.stdout, `Deleted Containers:\n${labelled}\n\nTotal reclaimed space: 0B\n`)
      const all = run(['container', 'prune'], 'y\n')
      assert.equal(all.code, 0, all.stderr)
      assert.match(all.stdout, new RegExp(`Deleted Containers:\\n${other}\\n\\nTotal reclaimed space: 0B\\n$`))
      assert.equal(run(['ps', '-aq', '--no-trunc']).stdout.trim(), keep)
      const events = run(['events', '--since', '0', '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'event=prune', '--format', '{{.Type}} {{.Action}}'])
      assert.equal(events.stdout, 'container prune\ncontainer prune\n')
      assert.equal(run(['rm', '-f', keep]).code, 0)
    })
  })
}

describe('system prune through the berth CLI', { skip }, () => {
  const d = new Daemon()
  before(() => d.startWithBusybox())
  after(() => d.stop())

  test('removes stopped containers and keeps running ones and used images', () => {
    const stopped = d.berth(['create', 'busybox', 'true']).stdout.trim()
    const running = d.berth(['run', '-d', 'busybox', 'sleep', '300']).stdout.trim()
    const r = d.berth(['system', 'prune', '-f'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`^Deleted Containers:\\n${stopped}\\n\\n`))
    assert.match(r.stdout, /Total reclaimed space: \S+\n$/)
    assert.equal(d.berth(['ps', '-aq', '--no-trunc']).stdout.trim(), running)
    assert.equal(d.berth(['images', '-q']).stdout.trim().split('\n').length, 1)
    assert.equal(d.berth(['rm', '-f', running]).code, 0)
  })
})

describe('system prune through the docker CLI', { skip }, () => {
  const d = new Daemon()
  before(() => d.startWithBusybox())
  after(() => d.stop())

  test('removes stopped containers and unused networks, keeps running containers, their networks and used images', () => {
    const stopped = d.docker(['create', 'busybox', 'true']).stdout.trim()
    assert.equal(d.docker(['network', 'create', 'unused-net']).code, 0)
    assert.equal(d.docker(['network', 'create', 'used-net']).code, 0)
    const running = d.docker(['run', '-d', '--network', 'used-net', 'busybox', 'sleep', '300']).stdout.trim()
    const r = d.docker(['system', 'prune', '-f'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, new RegExp(`Deleted Containers:\\n${stopped}\\n`))
    assert.match(r.stdout, /Deleted Networks:\nunused-net\n/)
    assert.equal(d.docker(['ps', '-aq', '--no-trunc']).stdout.trim(), running)
    assert.deepEqual(d.docker(['network', 'ls', '--format', '{{.Name}}']).stdout.trim().split('\n').sort(), ['bridge', 'host', 'none', 'used-net'])
    assert.equal(d.docker(['images', '-q']).stdout.trim().split('\n').length, 1)
    assert.equal(d.docker(['rm', '-f', running]).code, 0)
    assert.equal(d.docker(['network', 'rm', 'used-net']).code, 0)
  })
})

// berthd's process settings for its memory: glibc malloc tunables given by bin/berthd's shebang
// (src/daemon/malloc-tunables.ts) apply to berthd only, not to the processes it starts.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { Daemon, isRoot, berthdBin } from './harness.js'
import { BERTHD_GLIBC_TUNABLES } from '../../src/daemon/malloc-tunables.js'

const skip = isRoot() ? false : 'needs root (namespaces, cgroups, overlay mounts)'

/** The environment a process was started with (/proc/<pid>/environ) as a map. */
function startEnv(pid: number): Map<string, string> {
  const vars = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter((v) => v.includes('='))
  return new Map(vars.map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)]))
}

/** The pid of the berthd serving dataRoot (the harness starts it through bin/berthd's shebang). */
function berthdPid(dataRoot: string): number {
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const argv = readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0')
      if (argv.some((a) => a.endsWith('/berthd')) && argv.includes(dataRoot)) return Number(d)
    } catch {
      // exited meanwhile
    }
  }
  throw new Error(`no berthd with data root ${dataRoot}`)
}

const parentPid = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1])

describe('berthd malloc tunables', { skip }, () => {
  let d: Daemon
  before(async () => {
    d = new Daemon()
    await d.startWithBusybox()
  })
  after(async () => {
    d?.docker(['rm', '-f', 'memtun'])
    await d?.stop()
  })

  test('bin/berthd starts node with BERTHD_GLIBC_TUNABLES and conmon does not inherit them', () => {
    const shebang = readFileSync(berthdBin, 'utf8').split('\n')[0]
    assert.equal(shebang, `#!/usr/bin/env -S GLIBC_TUNABLES=${BERTHD_GLIBC_TUNABLES} node`)
    // glibc cuts the copy in /proc/<pid>/environ after the first tunable; it applies them all.
    assert.ok(startEnv(berthdPid(d.dataRoot)).get('GLIBC_TUNABLES')?.startsWith('glibc.malloc.'))
    const run = d.docker(['run', '-d', '--name', 'memtun', '--network', 'none', 'busybox', 'sleep', '1000'])
    assert.equal(run.code, 0, run.stderr)
    const pid = Number(d.docker(['inspect', '-f', '{{.State.Pid}}', 'memtun']).stdout.trim())
    const conmon = parentPid(pid)
    assert.equal(readFileSync(`/proc/${conmon}/comm`, 'utf8').trim(), 'conmon')
    assert.equal(startEnv(conmon).has('GLIBC_TUNABLES'), false)
  })
})

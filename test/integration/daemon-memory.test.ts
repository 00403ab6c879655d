// berthd's process settings for its memory, given by bin/berthd's shebang (src/daemon/start-env.ts):
// glibc malloc tunables apply to berthd only, not to the processes it starts; node does not load
// NODE_EXTRA_CA_CERTS at start-up, and the processes berthd starts see it as berthd was given it.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { Daemon, isRoot, berthdBin } from './harness.js'
import { BERTHD_SHEBANG } from '../../src/daemon/start-env.js'

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

describe('berthd start-up environment', { skip }, () => {
  let d: Daemon
  const extraCa = '/etc/ssl/certs/ca-certificates.crt'
  before(async () => {
    d = new Daemon()
    d.env = { ...process.env, NODE_EXTRA_CA_CERTS: extraCa }
    await d.startWithBusybox()
  })
  after(async () => {
    d?.docker(['rm', '-f', 'memtun'])
    await d?.stop()
  })

  test('bin/berthd starts node with its malloc tunables and without NODE_EXTRA_CA_CERTS; conmon and containers get neither', () => {
    const shebang = readFileSync(berthdBin, 'utf8').split('\n')[0]
    assert.equal(shebang, BERTHD_SHEBANG)
    const berthd = startEnv(berthdPid(d.dataRoot))
    // glibc cuts the copy in /proc/<pid>/environ after the first tunable; it applies them all.
    assert.ok(berthd.get('GLIBC_TUNABLES')?.startsWith('glibc.malloc.'))
    assert.equal(berthd.has('NODE_EXTRA_CA_CERTS'), false)
    assert.equal(berthd.get('BERTH_EXTRA_CA_CERTS'), extraCa)
    const run = d.docker(['run', '-d', '--name', 'memtun', '--network', 'none', 'busybox', 'sleep', '1000'])
    assert.equal(run.code, 0, run.stderr)
    const pid = Number(d.docker(['inspect', '-f', '{{.State.Pid}}', 'memtun']).stdout.trim())
    const conmon = parentPid(pid)
    assert.equal(readFileSync(`/proc/${conmon}/comm`, 'utf8').trim(), 'conmon')
    const conmonEnv = startEnv(conmon)
    assert.equal(conmonEnv.has('GLIBC_TUNABLES'), false)
    assert.equal(conmonEnv.has('BERTH_EXTRA_CA_CERTS'), false)
    assert.equal(conmonEnv.get('NODE_EXTRA_CA_CERTS'), extraCa)
    const names = [...startEnv(pid).keys()]
    assert.deepEqual(names.filter((n) => /EXTRA_CA_CERTS|GLIBC_TUNABLES/.test(n)), [])
    assert.ok(names.includes('PATH'), names.join(' '))
  })
})

// Node keeps bin/berthd's whole source text in memory while berthd runs (scripts/bundle.mjs).
test('bin/berthd is plain ASCII with its whitespace minified', () => {
  const text = readFileSync(berthdBin, 'latin1')
  assert.equal(/[^\x00-\x7f]/.exec(text)?.index, undefined)
  assert.ok(text.split('\n').length < 1000, `${text.split('\n').length} lines`)
})

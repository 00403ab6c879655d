// berthd's process settings for its memory, given by bin/berthd's shebang (src/daemon/start-env.ts):
// glibc malloc tunables apply to berthd only, not to the processes it starts; node does not load
// NODE_EXTRA_CA_CERTS at start-up, and the processes berthd starts see it as berthd was given it.
// Image layers are unpacked by bin/berth-unpack in a process of its own (src/daemon/unpack-child.ts);
// container rootfs are mounted by a perl that berthd keeps while it mounts (src/sys/mount-helper.ts).
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { spawnSync } from 'node:child_process'
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
    d?.docker(['rm', '-f', 'memtun', 'mounthelp'])
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

  // src/sys/mount-helper.ts: one perl, berthd's child, calls mount(2)/umount2(2) for container rootfs.
  test('a container rootfs is mounted and unmounted by berthd\'s berth-mount-helper, not a mount(8) each', () => {
    const berthd = berthdPid(d.dataRoot)
    const run = d.docker(['run', '-d', '--name', 'mounthelp', '--network', 'none', 'busybox', 'sleep', '1000'])
    assert.equal(run.code, 0, run.stderr)
    const id = run.stdout.trim()
    const helpers = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').startsWith('berth-mount-helper') && parentPid(Number(p)) === berthd
      } catch {
        return false
      }
    })
    assert.equal(helpers.length, 1)
    const rootfs = join(d.dataRoot, 'containers', id, 'rootfs')
    const mounted = (): string[] => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.split(' ')[4] === rootfs)
    assert.equal(mounted().length, 1)
    assert.match(mounted()[0] as string, / - overlay overlay .*lowerdir=/)
    assert.equal(d.docker(['exec', 'mounthelp', 'cat', '/etc/hostname']).stdout.trim(), id.slice(0, 12))
    assert.equal(d.docker(['rm', '-f', 'mounthelp']).code, 0)
    assert.deepEqual(mounted(), [])
    // The same helper did both (it is ended only after 5 s without a job).
    assert.equal(readFileSync(`/proc/${helpers[0] as string}/cmdline`, 'utf8').startsWith('berth-mount-helper'), true)
  })
})

// Node keeps bin/berthd's whole source text in memory while berthd runs (scripts/bundle.mjs).
test('bin/berthd is plain ASCII with its whitespace minified', () => {
  const text = readFileSync(berthdBin, 'latin1')
  assert.equal(/[^\x00-\x7f]/.exec(text)?.index, undefined)
  assert.ok(text.split('\n').length < 1000, `${text.split('\n').length} lines`)
})

describe('layers are unpacked by bin/berth-unpack', { skip }, () => {
  let d: Daemon
  let dir: string
  let calls: string
  before(async () => {
    dir = mkdtempSync('/var/tmp/berth-it-unpack-')
    calls = join(dir, 'calls')
    // berthd runs `node <BERTH_UNPACK_BUNDLE> --serve`: this one notes its start and every answer it gives,
    // then is bin/berth-unpack.
    const wrapper = join(dir, 'unpack-wrapper.js')
    const unpack = join(dirname(berthdBin), 'berth-unpack')
    writeFileSync(wrapper, [
      "const fs = require('fs')",
      `const log = ${JSON.stringify(calls)}`,
      "fs.appendFileSync(log, 'start\\n')",
      'const write = process.stdout.write.bind(process.stdout)',
      'process.stdout.write = (chunk, ...rest) => { fs.appendFileSync(log, String(chunk)); return write(chunk, ...rest) }',
      `require(${JSON.stringify(unpack)})`,
      '',
    ].join('\n'))
    appendFileSync(calls, '')
    d = new Daemon()
    d.env = { ...process.env, BERTH_UNPACK_BUNDLE: wrapper }
    await d.startWithBusybox()
  })
  after(async () => {
    await d?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  const log = (): string[] => readFileSync(calls, 'utf8').split('\n').filter(Boolean)
  const diffIdsUnpacked = (): string[] => log().filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { result?: { diffId: string } }).result?.diffId ?? '')

  test("an import is unpacked by the child, which answers with the layer's diff id", () => {
    assert.ok(log().includes('start'), 'the busybox bootstrap started the child')
    const busybox = d.docker(['image', 'inspect', '-f', '{{index .RootFS.Layers 0}}', 'busybox'])
    assert.equal(busybox.code, 0, busybox.stderr)
    assert.ok(diffIdsUnpacked().includes(busybox.stdout.trim()), log().join('\n'))
    const tree = join(dir, 'tree')
    mkdirSync(join(tree, 'data'), { recursive: true })
    writeFileSync(join(tree, 'data', 'hello'), 'unpacked by berth-unpack\n')
    writeFileSync(join(tree, 'data', 'big'), Buffer.alloc(24 << 20, 'b'))
    const tar = join(dir, 'layer.tar')
    assert.equal(spawnSync('tar', ['-C', tree, '-cf', tar, 'data']).status, 0)
    const imp = d.docker(['import', tar, 'unpacked:latest'])
    assert.equal(imp.code, 0, imp.stderr)
    const layer = d.docker(['image', 'inspect', '-f', '{{index .RootFS.Layers 0}}', 'unpacked:latest'])
    assert.equal(layer.code, 0, layer.stderr)
    assert.ok(diffIdsUnpacked().includes(layer.stdout.trim()), log().join('\n'))
    const imported = d.docker(['image', 'inspect', '-f', '{{.Size}}', 'unpacked:latest'])
    assert.equal(imported.code, 0, imported.stderr)
    assert.ok(Number(imported.stdout) >= 24 << 20, imported.stdout)
  })

  test('an invalid layer is refused with its reason, and the daemon keeps serving', () => {
    const tree = join(dir, 'evil')
    mkdirSync(tree, { recursive: true })
    const tar = join(dir, 'evil.tar')
    assert.equal(spawnSync('tar', ['-C', tree, '-cf', tar, '--transform', 's,^,../,', '.']).status, 0)
    const imp = d.docker(['import', tar, 'evil:latest'])
    assert.notEqual(imp.code, 0)
    assert.match(imp.stderr, /Cannot unpack layer: path ".*" escapes the layer/)
    assert.equal(d.docker(['image', 'inspect', 'evil:latest']).code, 1)
    assert.equal(d.docker(['version', '-f', '{{.Server.Version}}']).code, 0)
  })
})

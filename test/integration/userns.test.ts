// berthd --userns-remap=default: containers' root is the first subordinate id of berthremap on the
// host, images run unchanged (their layers are shifted into the mapped ids), --userns=host opts out,
// and the combinations dockerd refuses are refused with its words.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, statSync, chmodSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { Daemon, isRoot } from './harness.js'

/** name -> [uid, gid] of every entry of an uncompressed tar (ustar headers; names under 100 bytes). */
function tarOwners(tar: Buffer): Map<string, [number, number]> {
  const out = new Map<string, [number, number]>()
  const field = (h: Buffer, at: number, len: number): string => h.subarray(at, at + len).toString('utf8').replace(/\0.*$/s, '').trim()
  for (let off = 0; off + 512 <= tar.length;) {
    const h = tar.subarray(off, off + 512)
    if (h.every((b) => b === 0)) break
    const prefix = field(h, 345, 155)
    const name = (prefix ? `${prefix}/` : '') + field(h, 0, 100)
    const size = parseInt(field(h, 124, 12) || '0', 8)
    if (h[156] !== 0x78 && h[156] !== 0x67) out.set(name.replace(/^\.\//, '').replace(/\/$/, ''), [parseInt(field(h, 108, 8), 8), parseInt(field(h, 116, 8), 8)])
    off += 512 + Math.ceil(size / 512) * 512
  }
  return out
}

const skip = isRoot() ? false : 'needs root (user namespaces, cgroups, overlay mounts)'

/** berthremap's first subordinate uid and gid, as /etc/subuid and /etc/subgid give them. */
function remapRoot(): { uid: number; gid: number } {
  const first = (path: string): number => {
    const line = readFileSync(path, 'utf8').split('\n').find((l) => l.startsWith('berthremap:'))
    assert.ok(line, `berthremap has a range in ${path}`)
    return Number(line.split(':')[1])
  }
  return { uid: first('/etc/subuid'), gid: first('/etc/subgid') }
}

describe('berthd --userns-remap=default', { skip }, () => {
  let d: Daemon
  let root: { uid: number; gid: number }
  const bindDir = mkdtempSync('/var/tmp/berth-userns-bind-')
  before(async () => {
    chmodSync(bindDir, 0o777)
    d = new Daemon('crun', ['--userns-remap=default'])
    await d.startWithBusybox()
    root = remapRoot()
  })
  after(async () => {
    await d?.stop()
    rmSync(bindDir, { recursive: true, force: true })
  })

  test('docker info reports the remapped root dir and the userns security option', () => {
    const r = d.docker(['info', '--format', '{{json .}}'])
    assert.equal(r.code, 0, r.stderr)
    const info = JSON.parse(r.stdout) as { DockerRootDir: string; SecurityOptions: string[] }
    assert.equal(info.DockerRootDir, join(d.dataRoot, `${root.uid}.${root.gid}`))
    assert.ok(info.SecurityOptions.includes('name=userns'), info.SecurityOptions.join(','))
    const st = statSync(info.DockerRootDir)
    assert.equal(st.gid, root.gid)
    assert.equal(st.mode & 0o777, 0o710)
    for (const cli of ['docker', 'berth'] as const) {
      const text = d.cli(cli, ['info'])
      assert.equal(text.code, 0, text.stderr)
      assert.match(text.stdout, /\n Security Options:\n {2}seccomp\n {3}Profile: builtin\n {2}userns\n/)
      assert.ok(text.stdout.includes(` Docker Root Dir: ${info.DockerRootDir}\n`))
    }
  })

  test('/proc/self/uid_map and gid_map show root mapped to the subordinate range', () => {
    const r = d.docker(['run', '--rm', 'busybox', 'cat', '/proc/self/uid_map', '/proc/self/gid_map'])
    assert.equal(r.code, 0, r.stderr)
    const lines = r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number))
    assert.deepEqual(lines, [[0, root.uid, 65536], [0, root.gid, 65536]])
  })

  test('root in the container creates files on a bind mount as the remapped host uid', () => {
    const r = d.docker(['run', '--rm', '-v', `${bindDir}:/data`, 'busybox', 'sh', '-c', 'id -u && touch /data/made-by-root'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout.trim(), '0')
    const st = statSync(join(bindDir, 'made-by-root'))
    assert.equal(st.uid, root.uid)
    assert.equal(st.gid, root.gid)
  })

  test('the image runs unchanged: its files are owned by root inside, writable by root', () => {
    const r = d.docker(['run', '--rm', 'busybox', 'sh', '-c', 'ls -ln / | grep " bin$"; ls -ln /bin/busybox; echo hi > /etc/x && cat /etc/x && echo "10.1.2.3 extra" >> /etc/hosts && grep -c extra /etc/hosts'])
    assert.equal(r.code, 0, r.stderr)
    const [binLine, busyboxLine, hi, hostsEdited] = r.stdout.trim().split('\n')
    assert.equal(hostsEdited, '1', 'root in the container can edit /etc/hosts')
    assert.match(binLine!, /^d\S+\s+\d+\s+0\s+0\s/)
    assert.match(busyboxLine!, /^-\S+\s+\d+\s+0\s+0\s/)
    assert.equal(hi, 'hi')
  })

  test('--userns=host runs in the host user namespace', () => {
    const r = d.docker(['run', '--rm', '--userns=host', 'busybox', 'cat', '/proc/self/uid_map'])
    assert.equal(r.code, 0, r.stderr)
    assert.deepEqual(r.stdout.trim().split(/\s+/).map(Number), [0, 0, 4294967295])
  })

  test('named volumes belong to the remapped root and are writable from the container', () => {
    try {
      const w = d.docker(['run', '--rm', '-v', 'usernsvol:/vol', 'busybox', 'sh', '-c', 'echo data > /vol/f && ls -ln /vol/f'])
      assert.equal(w.code, 0, w.stderr)
      assert.match(w.stdout, /^-\S+\s+\d+\s+0\s+0\s/)
      const mountpoint = d.docker(['volume', 'inspect', '--format', '{{.Mountpoint}}', 'usernsvol']).stdout.trim()
      assert.equal(statSync(join(mountpoint, 'f')).uid, root.uid)
      assert.equal(statSync(mountpoint).uid, root.uid)
      const r = d.docker(['run', '--rm', '-v', 'usernsvol:/vol', 'busybox', 'cat', '/vol/f'])
      assert.equal(r.stdout.trim(), 'data')
      // A new volume over an image directory is filled from it, owners kept as the container sees them.
      const copied = d.docker(['run', '--rm', '-v', 'usernsetc:/etc', 'busybox', 'sh', '-c', 'ls -lnd /etc /etc/passwd && echo ok > /etc/new'])
      assert.equal(copied.code, 0, copied.stderr)
      for (const line of copied.stdout.trim().split('\n')) assert.match(line, /^\S+\s+\d+\s+0\s+0\s/)
    } finally {
      d.docker(['volume', 'rm', '-f', 'usernsvol', 'usernsetc'])
    }
  })

  test('privileged, host network and host PID need --userns=host, with dockerd\'s errors', () => {
    const cases: Array<[string[], RegExp]> = [
      [['--privileged'], /privileged mode is incompatible with user namespaces\. {2}You must run the container in the host namespace when running privileged mode/],
      [['--network', 'host'], /cannot share the host's network namespace when user namespaces are enabled/],
      [['--pid', 'host'], /cannot share the host PID namespace when user namespaces are enabled/],
    ]
    for (const [flags, message] of cases) {
      const r = d.docker(['run', '--rm', ...flags, 'busybox', 'true'])
      assert.notEqual(r.code, 0, flags.join(' '))
      assert.match(r.stderr, message)
      const ok = d.docker(['run', '--rm', '--userns=host', ...flags, 'busybox', 'true'])
      assert.equal(ok.code, 0, `${flags.join(' ')} --userns=host: ${ok.stderr}`)
    }
  })

  test('exec joins the user namespace; cp, export and commit show owners as the container sees them', (t) => {
    const hostFile = join(bindDir, 'copied-in')
    writeFileSync(hostFile, 'in\n')
    const name = 'userns-files'
    t.after(() => {
      d.docker(['rm', '-f', name])
      d.docker(['rmi', '-f', 'userns-committed'])
    })
    const run = d.docker(['run', '-d', '--name', name, 'busybox', 'sh', '-c', 'echo x > /made && chown 1000:1001 /made && sleep 60'])
    assert.equal(run.code, 0, run.stderr)
    const exec = d.docker(['exec', name, 'cat', '/proc/self/uid_map'])
    assert.equal(exec.code, 0, exec.stderr)
    assert.deepEqual(exec.stdout.trim().split(/\s+/).map(Number), [0, root.uid, 65536])
    // The file is made before the exec above returns only once the shell ran: wait for it through exec.
    assert.equal(d.docker(['exec', name, 'sh', '-c', 'while [ ! -s /made ]; do sleep 0.1; done; ls -ln /made']).code, 0)

    assert.equal(d.docker(['cp', hostFile, `${name}:/tmp/`]).code, 0)
    assert.match(d.docker(['exec', name, 'ls', '-ln', '/tmp/copied-in']).stdout, /^-\S+\s+\d+\s+0\s+0\s/)

    const exported = spawnSync('docker', ['export', name], { env: { ...process.env, DOCKER_HOST: d.host }, maxBuffer: 64 << 20 })
    assert.equal(exported.status, 0, exported.stderr?.toString())
    const owners = tarOwners(exported.stdout)
    assert.deepEqual(owners.get('made'), [1000, 1001])
    assert.deepEqual(owners.get('bin/busybox'), [0, 0])

    const copiedOut = spawnSync('docker', ['cp', `${name}:/made`, '-'], { env: { ...process.env, DOCKER_HOST: d.host } })
    assert.deepEqual(tarOwners(copiedOut.stdout).get('made'), [1000, 1001])

    assert.equal(d.docker(['commit', name, 'userns-committed']).code, 0)
    const fromCommit = d.docker(['run', '--rm', 'userns-committed', 'ls', '-ln', '/made', '/tmp/copied-in'])
    assert.equal(fromCommit.code, 0, fromCommit.stderr)
    assert.match(fromCommit.stdout, /\s1000\s+1001\s.*\/made/)
    assert.match(fromCommit.stdout, /\s0\s+0\s.*\/tmp\/copied-in/)
  })

  test('a Dockerfile build under the remap gives images with the owners the steps set', (t) => {
    const ctx = mkdtempSync('/var/tmp/berth-userns-ctx-')
    t.after(() => {
      rmSync(ctx, { recursive: true, force: true })
      d.docker(['rmi', '-f', 'userns-built'])
    })
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nCOPY hello /hello\nRUN touch /byroot && touch /byuser && chown 7:8 /byuser && mkdir /d && chown 7:8 /d\nRUN touch /d/later\n')
    writeFileSync(join(ctx, 'hello'), 'hi\n')
    const b = d.berth(['build', '--progress', 'plain', '-t', 'userns-built', ctx], { timeoutMs: 120_000 })
    assert.equal(b.code, 0, b.stderr)
    const r = d.docker(['run', '--rm', 'userns-built', 'ls', '-ldn', '/hello', '/byroot', '/byuser', '/bin/busybox', '/d'])
    assert.equal(r.code, 0, r.stderr)
    const owner = (file: string): string => {
      const line = r.stdout.split('\n').find((l) => l.endsWith(file))
      assert.ok(line, `${file} listed: ${r.stdout}`)
      return line.trim().split(/\s+/).slice(2, 4).join(':')
    }
    assert.equal(owner('/hello'), '0:0')
    assert.equal(owner('/byroot'), '0:0')
    assert.equal(owner('/byuser'), '7:8')
    assert.equal(owner('/bin/busybox'), '0:0')
    // /d comes again in the last layer (copied up for /d/later): its owner as the container sees it.
    assert.equal(owner('/d'), '7:8')
  })

  test('containers share another remapped container\'s pid, ipc and network namespaces', (t) => {
    const id = d.docker(['run', '-d', '--name', 'userns-shared', 'busybox', 'sleep', '60']).stdout.trim()
    t.after(() => d.docker(['rm', '-f', id]))
    for (const mode of ['--pid', '--ipc', '--network']) {
      const r = d.docker(['run', '--rm', mode, 'container:userns-shared', 'busybox', 'sh', '-c', 'cat /proc/self/uid_map; ps -o args'])
      assert.equal(r.code, 0, `${mode}: ${r.stderr}`)
      assert.deepEqual(r.stdout.trim().split('\n')[0]!.trim().split(/\s+/).map(Number), [0, root.uid, 65536])
      if (mode === '--pid') assert.match(r.stdout, /sleep 60/)
    }
  })

  test('after a daemon crash and restart the remapped state is found again and running containers kept', async (t) => {
    const id = d.docker(['run', '-d', 'busybox', 'sleep', '60']).stdout.trim()
    t.after(() => d.docker(['rm', '-f', id]))
    assert.match(id, /^[0-9a-f]{64}$/)
    d.crash()
    await d.start()
    assert.equal(d.docker(['inspect', '--format', '{{.State.Running}}', id]).stdout.trim(), 'true')
    const exec = d.docker(['exec', id, 'cat', '/proc/self/uid_map'])
    assert.deepEqual(exec.stdout.trim().split(/\s+/).map(Number), [0, root.uid, 65536])
    assert.equal(d.docker(['run', '--rm', 'busybox', 'true']).code, 0, 'the busybox image is still there')
  })

  test('a stopped and removed container leaves no mount or directory behind', () => {
    const id = d.docker(['run', '-d', 'busybox', 'sleep', '30']).stdout.trim()
    assert.equal(d.docker(['rm', '-f', id]).code, 0)
    const mounts = readFileSync('/proc/mounts', 'utf8')
    assert.ok(!mounts.includes(id), 'no mount of the container remains')
    const containers = join(d.dataRoot, `${root.uid}.${root.gid}`, 'containers')
    assert.ok(!readdirSync(containers).includes(id))
  })
})

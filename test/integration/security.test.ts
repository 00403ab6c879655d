// Security defaults and namespace options against real containers, with both CLIs.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readlinkSync, writeFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { Daemon, isRoot } from './harness.js'

const skip = isRoot() ? false : 'needs root (namespaces, cgroups, overlay mounts)'

for (const cli of ['docker', 'berth'] as const) {
  describe(`security through the ${cli} CLI`, { skip }, () => {
    const d = new Daemon()
    const run = (args: string[]) => d.cli(cli, args, { timeoutMs: 30_000 })
    before(() => d.startWithBusybox())
    after(() => d.stop())

    test('a default container cannot mount, load a kernel module or read /proc/kcore; --privileged can mount', () => {
      const r = run(['run', '--rm', 'busybox', 'sh', '-c',
        'grep "^Seccomp:" /proc/self/status; mkdir -p /mnt; mount -t tmpfs x /mnt 2>/dev/null; echo mount=$?; ' +
        'insmod /bin/busybox 2>&1; head -c 16 /proc/kcore 2>/dev/null | wc -c; unshare -n true 2>/dev/null; echo unshare=$?'])
      assert.equal(r.code, 0, r.stderr)
      const lines = r.stdout.trim().split('\n')
      assert.match(lines[0] ?? '', /^Seccomp:\s+2$/)
      assert.equal(lines[1], 'mount=1')
      assert.match(lines[2] ?? '', /Operation not permitted/)
      assert.equal(lines[3]?.trim(), '0')
      assert.equal(lines[4], 'unshare=1')
      const p = run(['run', '--rm', '--privileged', 'busybox', 'sh', '-c', 'grep "^Seccomp:" /proc/self/status; mkdir -p /mnt; mount -t tmpfs x /mnt && echo mounted'])
      assert.equal(p.code, 0, p.stderr)
      assert.match(p.stdout, /^Seccomp:\s+0\nmounted\n$/)
    })

    test('--security-opt seccomp=<file>, seccomp=unconfined and no-new-privileges', () => {
      const profile = `${d.dataRoot}/deny-mkdir.json`
      writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] }))
      const custom = run(['run', '--rm', '--security-opt', `seccomp=${profile}`, 'busybox', 'sh', '-c', 'mkdir /x 2>&1; echo rc=$?'])
      assert.match(custom.stdout, /Operation not permitted\nrc=1\n$/)
      assert.match(run(['run', '--rm', '--security-opt', 'seccomp=unconfined', 'busybox', 'grep', '^Seccomp:', '/proc/self/status']).stdout, /^Seccomp:\s+0\n$/)
      assert.match(run(['run', '--rm', '--security-opt', 'no-new-privileges', 'busybox', 'grep', '^NoNewPrivs:', '/proc/self/status']).stdout, /^NoNewPrivs:\s+1\n$/)
      assert.match(run(['run', '--rm', 'busybox', 'grep', '^NoNewPrivs:', '/proc/self/status']).stdout, /^NoNewPrivs:\s+0\n$/)
      const bad = run(['run', '--rm', '--security-opt', 'foo=bar', 'busybox', 'true'])
      assert.notEqual(bad.code, 0)
      assert.match(bad.stderr, /invalid --security-opt 2: "foo=bar"/)
    })

    test('--pid=host, --uts=host, --ipc=host and --ipc=container:X share namespaces', () => {
      const pids = Number(run(['run', '--rm', '--pid', 'host', 'busybox', 'sh', '-c', 'ls -d /proc/[0-9]* | wc -l']).stdout.trim())
      assert.ok(pids > 5, `host pids visible: ${pids}`)
      assert.equal(run(['run', '--rm', '--uts', 'host', 'busybox', 'hostname']).stdout.trim(), hostname())
      assert.equal(run(['run', '--rm', '--ipc', 'host', 'busybox', 'readlink', '/proc/self/ns/ipc']).stdout.trim(), readlinkSync('/proc/self/ns/ipc'))
      const shared = run(['run', '-d', '--ipc', 'shareable', 'busybox', 'sleep', '300']).stdout.trim()
      const pid = d.docker(['inspect', '--format', '{{.State.Pid}}', shared]).stdout.trim()
      assert.equal(run(['run', '--rm', '--ipc', `container:${shared}`, 'busybox', 'readlink', '/proc/self/ns/ipc']).stdout.trim(), readlinkSync(`/proc/${pid}/ns/ipc`))
      assert.equal(run(['run', '--rm', '--userns', 'host', 'busybox', 'true']).code, 0)
      assert.equal(run(['rm', '-f', shared]).code, 0)
    })

    test('--sysctl, --device, --tmpfs, --group-add and --cap-add reach the container', () => {
      const r = run(['run', '--rm', '--sysctl', 'net.ipv4.ip_forward=1', '--device', '/dev/fuse', '--tmpfs', '/run:size=1m',
        '--group-add', '1234', '--cap-add', 'SYS_ADMIN', 'busybox', 'sh', '-c',
        'cat /proc/sys/net/ipv4/ip_forward; ls -l /dev/fuse | cut -c1; grep " /run " /proc/mounts | cut -d" " -f3,4; id -G; mkdir -p /m; mount -t tmpfs x /m && echo mounted'])
      assert.equal(r.code, 0, r.stderr)
      const [fwd, fuse, tmpfs, groups, mounted] = r.stdout.trim().split('\n')
      assert.equal(fwd, '1')
      assert.equal(fuse, 'c')
      assert.match(tmpfs ?? '', /^tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k$/)
      assert.match(groups ?? '', /\b1234\b/)
      assert.equal(mounted, 'mounted')
      const bad = run(['run', '--rm', '--sysctl', 'kernel.panic=1', 'busybox', 'true'])
      assert.notEqual(bad.code, 0)
      assert.match(bad.stderr, /sysctl 'kernel.panic' is not allowed|invalid argument "kernel.panic=1" for "--sysctl" flag/)
    })
  })
}

// Foundation end to end: real berthd, real crun + conmon + overlayfs, driven by the real docker CLI and by berth.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdirSync, copyFileSync, symlinkSync, readdirSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { Daemon, isRoot, eventually, sleep } from './harness.js'

const skip = isRoot() ? false : 'needs root (namespaces, cgroups, overlay mounts)'

for (const cli of ['docker', 'berth'] as const) {
  describe(`containers through the ${cli} CLI`, { skip }, () => {
    const d = new Daemon()
    const run = (args: string[], opts?: { input?: string; env?: Record<string, string> }) => d.cli(cli, args, opts)
    before(() => d.startWithBusybox())
    after(() => d.stop())

    test('run --rm echo prints hello and removes the container', () => {
      const r = run(['run', '--rm', 'busybox', 'echo', 'hello'])
      assert.equal(r.stderr, '')
      assert.equal(r.stdout, 'hello\n')
      assert.equal(r.code, 0)
      assert.equal(run(['ps', '-aq']).stdout, '')
    })

    test('run propagates the exit code and stderr', () => {
      const r = run(['run', '--rm', 'busybox', 'sh', '-c', 'echo oops >&2; exit 3'])
      assert.equal(r.code, 3)
      assert.equal(r.stderr, 'oops\n')
    })

    test('run --rm --name: the container is gone and its name free as soon as run returns', () => {
      const name = `again-${cli}`
      // The second run takes the name the first one freed; each exit code and output comes back whole.
      for (const code of [5, 0]) {
        const r = run(['run', '--rm', '--name', name, 'busybox', 'sh', '-c', `echo out; exit ${code}`])
        assert.equal(r.code, code, r.stderr)
        assert.equal(r.stdout, 'out\n')
        assert.equal(run(['ps', '-aq', '--filter', `name=${name}`]).stdout, '')
      }
    })

    test('run -d, ps, logs -f, stop and rm', async () => {
      const r = run(['run', '-d', '--name', `web-${cli}`, 'busybox', 'sh', '-c', 'echo started; i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.2; done'])
      assert.equal(r.code, 0, r.stderr)
      const id = r.stdout.trim()
      assert.match(id, /^[0-9a-f]{64}$/)
      const ps = run(['ps'])
      assert.match(ps.stdout, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES\n/)
      assert.ok(ps.stdout.includes(id.slice(0, 12)), ps.stdout)
      assert.match(ps.stdout, new RegExp(`Up .*web-${cli}`))
      assert.equal(run(['ps', '-q', '--filter', `name=web-${cli}`]).stdout.trim(), id.slice(0, 12))
      await eventually(() => run(['logs', `web-${cli}`]).stdout.includes('tick 2'), 'two ticks in the logs')
      const logs = run(['logs', '--tail', '1', `web-${cli}`]).stdout
      assert.match(logs, /^tick \d+\n$/)
      const stop = run(['stop', '-t', '0', `web-${cli}`])
      assert.equal(stop.code, 0, stop.stderr)
      assert.equal(stop.stdout.trim(), `web-${cli}`)
      const state = run(['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', `web-${cli}`])
      assert.equal(state.stdout.trim(), 'exited 137')
      // logs -f of a stopped container prints everything and returns
      const all = run(['logs', '-f', `web-${cli}`])
      assert.equal(all.code, 0)
      assert.ok(all.stdout.startsWith('started\ntick 1\n'), all.stdout)
      assert.equal(run(['rm', `web-${cli}`]).code, 0)
      assert.equal(run(['ps', '-aq']).stdout, '')
    })

    test('logs -f follows a running container until it exits', () => {
      const id = run(['run', '-d', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.3; done']).stdout.trim()
      const r = run(['logs', '-f', id])
      assert.equal(r.stdout, 'line 1\nline 2\nline 3\n')
      assert.equal(run(['rm', id]).code, 0)
    })

    test('env, workdir and user are applied', () => {
      const r = run(['run', '--rm', '-e', 'FOO=bar', '-e', 'FROMENV', '-w', '/tmp/work', '-u', 'nobody', 'busybox', 'sh', '-c', 'echo $FOO $FROMENV $(pwd) $(id -u) $(id -g) $HOME'], { env: { FROMENV: 'inherited' } })
      assert.equal(r.code, 0, r.stderr)
      assert.equal(r.stdout, 'bar inherited /tmp/work 65534 65534 /home\n')
      const g = run(['run', '--rm', '-u', '1234:5678', 'busybox', 'sh', '-c', 'echo $(id -u):$(id -g)'])
      assert.equal(g.stdout, '1234:5678\n')
      const bad = run(['run', '--rm', '-u', 'nosuchuser', 'busybox', 'true'])
      assert.notEqual(bad.code, 0)
      assert.match(bad.stderr, /unable to find user nosuchuser/)
    })

    test('entrypoint and cmd override rules match Docker', () => {
      // image Cmd is ["sh"]: a command replaces it
      assert.equal(run(['run', '--rm', 'busybox', 'echo', 'a', 'b']).stdout, 'a b\n')
      // --entrypoint drops the image Cmd; args follow the entrypoint
      assert.equal(run(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'x']).stdout, 'x\n')
      assert.equal(run(['run', '--rm', '--entrypoint', 'echo', 'busybox']).stdout, '\n')
      // the image default (sh) with stdin closed exits 0
      assert.equal(run(['run', '--rm', 'busybox']).code, 0)
    })

    test('--read-only blocks writes to the root filesystem', () => {
      const r = run(['run', '--rm', '--read-only', 'busybox', 'sh', '-c', 'touch /x'])
      assert.equal(r.code, 1)
      assert.match(r.stderr, /Read-only file system/)
    })

    test('copy-on-write: a change in one container leaves the image and other containers alone', () => {
      const a = run(['run', '--name', `cow-${cli}`, 'busybox', 'sh', '-c', 'echo changed > /etc/motd; rm /bin/vi; cat /etc/motd'])
      assert.equal(a.stdout, 'changed\n')
      const b = run(['run', '--rm', 'busybox', 'sh', '-c', 'test -e /etc/motd && echo present || echo absent; test -e /bin/vi && echo vi'])
      assert.equal(b.stdout, 'absent\nvi\n')
      assert.equal(run(['rm', `cow-${cli}`]).code, 0)
    })

    test('--init runs the command under an init process', () => {
      const r = run(['run', '--rm', '--init', 'busybox', 'sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "'])
      assert.match(r.stdout, /^\/sbin\/docker-init -- sh -c/)
    })

    test('exit code of a failed command and a missing binary', () => {
      const r = run(['run', '--rm', 'busybox', 'nosuchcommand'])
      assert.notEqual(r.code, 0)
    })

    test('errors: unknown container, duplicate name, rm of a running container', () => {
      const nosuch = run(['rm', 'nosuchcontainer'])
      assert.equal(nosuch.code, 1)
      assert.match(nosuch.stderr, /Error response from daemon: No such container: nosuchcontainer/)
      const id = run(['run', '-d', '--name', `dup-${cli}`, 'busybox', 'sleep', '100']).stdout.trim()
      const dup = run(['create', '--name', `dup-${cli}`, 'busybox'])
      assert.equal(dup.code, 1) // docker create reports daemon errors with exit 1 (run uses 125)
      assert.match(dup.stderr, /Conflict\. The container name "\/dup-.*" is already in use by container/)
      const rm = run(['rm', `dup-${cli}`])
      assert.equal(rm.code, 1)
      assert.match(rm.stderr, /container is running: stop the container before removing or force remove/)
      assert.equal(run(['rm', '-f', id]).code, 0)
      assert.equal(run(['ps', '-aq']).stdout, '')
    })

    test('errors: unknown image and unknown flag', () => {
      const img = run(['run', '--rm', 'nosuchimage-xyz'])
      assert.equal(img.code, 125)
      assert.match(img.stderr, /nosuchimage-xyz/)
      const flag = run(['run', '--bogus-flag', 'busybox'])
      assert.equal(flag.code, 125)
      assert.match(flag.stderr, /unknown flag: --bogus-flag/)
    })

    test('rename, wait and kill', () => {
      const id = run(['run', '-d', '--name', `old-${cli}`, 'busybox', 'sleep', '100']).stdout.trim()
      assert.equal(run(['rename', `old-${cli}`, `new-${cli}`]).code, 0)
      assert.equal(run(['inspect', '--format', '{{.Name}}', id]).stdout.trim(), `/new-${cli}`)
      assert.equal(run(['kill', `new-${cli}`]).code, 0)
      const w = run(['wait', `new-${cli}`])
      assert.equal(w.stdout.trim(), '137')
      const k = run(['kill', `new-${cli}`])
      assert.equal(k.code, 1)
      assert.match(k.stderr, /is not running/)
      assert.equal(run(['rm', id]).code, 0)
    })
  })
}

describe('images through the docker CLI', { skip }, () => {
  const d = new Daemon()
  before(() => d.startWithBusybox())
  after(() => d.stop())

  test('images, tag, history, inspect, rmi', () => {
    const imgs = d.docker(['images'])
    assert.match(imgs.stdout, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE\n/)
    assert.match(imgs.stdout, /\nbusybox\s+latest\s+[0-9a-f]{12}\s/)
    assert.equal(d.docker(['tag', 'busybox', 'myimg:v1']).code, 0)
    assert.match(d.docker(['images']).stdout, /myimg\s+v1/)
    const h = d.docker(['history', 'busybox'])
    assert.match(h.stdout, /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT\n/)
    const cmd = d.docker(['inspect', '--format', '{{json .Config.Cmd}}', 'busybox'])
    assert.equal(cmd.stdout.trim(), '["sh"]')
    const rmi = d.docker(['rmi', 'myimg:v1'])
    assert.equal(rmi.code, 0)
    assert.match(rmi.stdout, /Untagged: myimg:v1/)
    assert.doesNotMatch(d.docker(['images']).stdout, /myimg/)
  })

  test('rmi of an image a container uses is a conflict; -f untags', () => {
    assert.equal(d.docker(['tag', 'busybox', 'inuse:1']).code, 0)
    const id = d.docker(['create', 'inuse:1', 'true']).stdout.trim()
    const id2 = d.docker(['inspect', '--format', '{{.Id}}', 'busybox']).stdout.trim()
    const r = d.docker(['rmi', id2])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /conflict: unable to delete/)
    assert.equal(d.docker(['rm', id]).code, 0)
    assert.equal(d.docker(['rmi', 'inuse:1']).code, 0)
  })

  test('import a tar with --change and run it', () => {
    const dir = `${d.dataRoot}/import-src`
    const file = `${d.dataRoot}/rootfs.tar`
    mkdirSync(`${dir}/bin`, { recursive: true })
    copyFileSync('/bin/busybox', `${dir}/bin/busybox`)
    symlinkSync('busybox', `${dir}/bin/sh`)
    symlinkSync('busybox', `${dir}/bin/echo`)
    execFileSync('tar', ['-C', dir, '-cf', file, '.'])
    const imp = d.docker(['import', '--change', 'CMD ["echo", "imported"]', '--change', 'ENV GREETING=hi', file, 'imported:1'])
    assert.equal(imp.code, 0, imp.stderr)
    assert.match(imp.stdout, /^sha256:[0-9a-f]{64}\n$/)
    assert.equal(d.docker(['run', '--rm', 'imported:1']).stdout, 'imported\n')
    assert.equal(d.berth(['run', '--rm', 'imported:1', 'sh', '-c', 'echo $GREETING']).stdout, 'hi\n')
    const bad = d.docker(['import', '--change', 'FROB x', file, 'imported:2'])
    assert.notEqual(bad.code, 0)
    // force-removing an image a container uses keeps its layer until the container is gone
    const layers = (): number => readdirSync(`${d.dataRoot}/layers`).filter((n) => !n.startsWith('.')).length
    assert.equal(layers(), 2)
    const user = d.docker(['create', 'imported:1']).stdout.trim()
    const rmi = d.docker(['rmi', '-f', 'imported:1'])
    assert.equal(rmi.code, 0, rmi.stderr)
    assert.match(rmi.stdout, /Untagged: imported:1/)
    assert.equal(layers(), 2)
    assert.equal(d.docker(['rm', user]).code, 0)
    assert.equal(layers(), 1)
  })
})

describe('daemon restart', { skip }, () => {
  const d = new Daemon()
  before(() => d.startWithBusybox())
  after(() => d.stop())

  test('a -d container survives berthd being killed; ps, logs -f, stop, rm work after restart', async () => {
    const id = d.docker(['run', '-d', '--name', 'survivor', 'busybox', 'sh', '-c', 'while true; do echo alive; sleep 0.2; done']).stdout.trim()
    assert.match(id, /^[0-9a-f]{64}$/)
    const quick = d.docker(['run', '-d', '--rm', '--name', 'quick', 'busybox', 'sh', '-c', 'sleep 1; exit 4']).stdout.trim()
    assert.match(quick, /^[0-9a-f]{64}$/)
    d.crash()
    await sleep(1500) // "quick" exits while berthd is down
    await d.start()
    const ps = d.docker(['ps', '--format', '{{.Names}} {{.State}}'])
    assert.equal(ps.stdout.trim(), 'survivor running')
    assert.equal(d.docker(['ps', '-aq', '--filter', 'name=quick']).stdout, '', 'the --rm container that exited while berthd was down is removed')
    const before = d.docker(['logs', 'survivor']).stdout.split('\n').length
    await eventually(() => d.docker(['logs', 'survivor']).stdout.split('\n').length > before, 'new log lines after restart')
    const follow = d.docker(['logs', '-f', '--tail', '1', 'survivor'], { timeoutMs: 1500 })
    assert.match(follow.stdout, /alive/)
    assert.equal(d.docker(['stop', '-t', '0', 'survivor']).code, 0)
    assert.equal(d.docker(['inspect', '--format', '{{.State.Status}}', 'survivor']).stdout.trim(), 'exited')
    assert.equal(d.docker(['rm', 'survivor']).code, 0)
  })
})

describe('API errors keep the daemon serving', { skip }, () => {
  const d = new Daemon()
  before(() => d.startWithBusybox())
  after(() => d.stop())

  const call = (method: string, path: string, body?: string) => d.api(method, path, body)

  test('invalid JSON body is a 400 with a message', async () => {
    const r = await call('POST', '/v1.50/containers/create', '{"Image": busybox')
    assert.equal(r.status, 400)
    assert.ok(JSON.parse(r.body).message.length > 0)
  })

  test('unknown container is 404, unknown image 404, start twice 304, rm running 409', async () => {
    assert.equal((await call('GET', '/containers/nosuch/json')).status, 404)
    assert.deepEqual(JSON.parse((await call('GET', '/v1.50/containers/nosuch/json')).body), { message: 'No such container: nosuch' })
    const img = await call('POST', '/v1.50/containers/create', JSON.stringify({ Image: 'nosuchimage' }))
    assert.equal(img.status, 404)
    assert.match(JSON.parse(img.body).message, /No such image: nosuchimage/)
    const created = await call('POST', '/v1.50/containers/create?name=twice', JSON.stringify({ Image: 'busybox', Cmd: ['sleep', '100'] }))
    assert.equal(created.status, 201)
    assert.equal((await call('POST', '/v1.50/containers/twice/start')).status, 204)
    assert.equal((await call('POST', '/v1.50/containers/twice/start')).status, 304)
    assert.equal((await call('DELETE', '/v1.50/containers/twice')).status, 409)
    assert.equal((await call('DELETE', '/v1.50/containers/twice?force=1')).status, 204)
    const ping = await call('GET', '/_ping')
    assert.equal(ping.status, 200)
    assert.equal(ping.body, 'OK')
  })
})

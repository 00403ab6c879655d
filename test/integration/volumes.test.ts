// Volumes and mounts end to end: real berthd, crun, overlayfs and mounts, driven by the docker CLI and berth.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { Daemon, isRoot, eventually } from './harness.js'

const skip = isRoot() ? false : 'needs root (namespaces, cgroups, overlay and bind mounts)'

interface MountView {
  Type: string
  Name?: string
  Source: string
  Destination: string
  Driver?: string
  Mode: string
  RW: boolean
  Propagation: string
}

/** A tarball of a busybox root (bin/ with applet links) plus `extra` links, for `import`. */
function busyboxTar(dir: string, links: Record<string, string> = {}): string {
  const root = join(dir, 'root')
  mkdirSync(join(root, 'bin'), { recursive: true })
  mkdirSync(join(root, 'etc'), { recursive: true })
  copyFileSync('/bin/busybox', join(root, 'bin/busybox'))
  execFileSync('chmod', ['755', join(root, 'bin/busybox')])
  for (const applet of ['sh', 'ls', 'cat', 'echo', 'touch', 'sleep', 'df', 'stat', 'mount', 'test']) symlinkSync('busybox', join(root, 'bin', applet))
  writeFileSync(join(root, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n')
  for (const [path, target] of Object.entries(links)) symlinkSync(target, join(root, path))
  const tar = join(dir, 'root.tar')
  execFileSync('tar', ['-C', root, '-cf', tar, '.'])
  return tar
}

function hostMounts(): string[] {
  return readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '')
}

for (const cli of ['docker', 'berth'] as const) {
  describe(`volumes through the ${cli} CLI`, { skip }, () => {
    const d = new Daemon()
    const run = (args: string[], opts?: { input?: string; env?: Record<string, string>; timeoutMs?: number }) => d.cli(cli, args, opts)
    const ok = (args: string[]): string => {
      const r = run(args)
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
      return r.stdout
    }
    const mounts = (container: string): MountView[] => JSON.parse(ok(['inspect', '--format', '{{json .Mounts}}', container])) as MountView[]
    let work: string
    before(async () => {
      work = mkdtempSync('/var/tmp/berth-voltest-')
      await d.startWithBusybox()
    })
    after(async () => {
      try {
        await d.stop()
      } finally {
        rmSync(work, { recursive: true, force: true })
      }
    })

    test('data in volume dbdata outlives the container that wrote it', async () => {
      const since = String(Math.floor(Date.now() / 1000) - 1)
      assert.equal(ok(['volume', 'create', '--label', 'app=db', 'dbdata']).trim(), 'dbdata')
      const writer = ok(['run', '-d', '--name', `db-${cli}`, '-v', 'dbdata:/var/lib/db', 'busybox', 'sh', '-c',
        'for i in 1 2 3; do echo "row $i" >> /var/lib/db/table; done; echo done; sleep 100']).trim()
      await eventually(() => run(['logs', writer]).stdout.includes('done'), 'rows written')
      const m = mounts(writer)
      assert.equal(m.length, 1)
      assert.deepEqual({ ...m[0], Source: '' }, {
        Type: 'volume', Name: 'dbdata', Source: '', Destination: '/var/lib/db', Driver: 'local', Mode: '', RW: true, Propagation: '',
      })
      assert.equal(m[0]?.Source, join(d.dataRoot, 'volumes/dbdata/_data'))
      assert.equal(ok(['ps', '-q', '--no-trunc', '--filter', 'volume=dbdata']).trim(), writer)
      assert.equal(ok(['ps', '-q', '--no-trunc', '--filter', 'volume=/var/lib/db']).trim(), writer)
      if (cli === 'docker') {
        // berth has no `system df` command yet; the docker CLI shows the volume's size and users.
        assert.match(ok(['system', 'df', '-v']), /Local Volumes space usage:\n\nVOLUME NAME\s+LINKS\s+SIZE\ndbdata\s+1\s+18B\n/)
      }
      ok(['rm', '-f', writer])
      assert.equal(ok(['run', '--rm', '-v', 'dbdata:/data', 'busybox', 'cat', '/data/table']), 'row 1\nrow 2\nrow 3\n')
      const inspect = JSON.parse(ok(['volume', 'inspect', 'dbdata'])) as Array<Record<string, unknown>>
      assert.equal(inspect[0]?.Name, 'dbdata')
      assert.deepEqual(inspect[0]?.Labels, { app: 'db' })
      assert.equal(inspect[0]?.Scope, 'local')
      assert.match(String(inspect[0]?.CreatedAt), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/)
      assert.match(ok(['volume', 'ls']), /^DRIVER\s+VOLUME NAME\nlocal\s+dbdata\n/)
      assert.equal(ok(['volume', 'ls', '-q', '--filter', 'label=app=db']), 'dbdata\n')
      assert.equal(ok(['volume', 'ls', '--format', '{{.Name}} {{.Driver}}', '--filter', 'name=dbd']), 'dbdata local\n')
      assert.equal(ok(['volume', 'rm', 'dbdata']), 'dbdata\n')
      const events = ok(['events', '--since', since, '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'volume=dbdata', '--format', '{{.Type}} {{.Action}}'])
      assert.equal(events, 'volume create\nvolume mount\nvolume unmount\nvolume mount\nvolume unmount\nvolume destroy\n')
    })

    test('a bind mount shows host edits live and :ro blocks writes', async () => {
      const src = join(work, `bind-${cli}`)
      mkdirSync(src)
      const id = ok(['run', '-d', '-v', `${src}:/src`, 'busybox', 'sh', '-c',
        'echo ready; while [ ! -f /src/note ]; do sleep 0.1; done; cat /src/note; echo from-container > /src/reply']).trim()
      await eventually(() => run(['logs', id]).stdout.includes('ready'), 'container waiting for the host file')
      writeFileSync(join(src, 'note'), 'edited on the host\n')
      assert.equal(ok(['wait', id]).trim(), '0')
      assert.equal(ok(['logs', id]), 'ready\nedited on the host\n')
      assert.equal(readFileSync(join(src, 'reply'), 'utf8'), 'from-container\n')
      const m = mounts(id)
      assert.deepEqual(m, [{ Type: 'bind', Source: src, Destination: '/src', Mode: '', RW: true, Propagation: 'rprivate' }])
      ok(['rm', id])
      const ro = run(['run', '--rm', '-v', `${src}:/src:ro`, 'busybox', 'sh', '-c', 'cat /src/note && touch /src/new'])
      assert.equal(ro.code, 1)
      assert.equal(ro.stdout, 'edited on the host\n')
      assert.match(ro.stderr, /Read-only file system/)
      assert.ok(!existsSync(join(src, 'new')))
      // -v creates a missing host directory; --mount refuses it.
      const missing = join(work, `created-by-v-${cli}`, 'sub')
      ok(['run', '--rm', '-v', `${missing}:/m`, 'busybox', 'true'])
      assert.ok(statSync(missing).isDirectory())
      const refused = run(['run', '--rm', '--mount', `type=bind,source=${join(work, 'absent')},target=/m`, 'busybox', 'true'])
      assert.equal(refused.code, 125)
      assert.match(refused.stderr, new RegExp(`invalid mount config for type "bind": bind source path does not exist: ${join(work, 'absent')}`))
    })

    test('a new volume over /etc is filled with the image\'s files first, unless nocopy', () => {
      const listing = ok(['run', '--rm', '-v', `etc-${cli}:/etc`, 'busybox', 'sh', '-c', 'ls /etc; stat -c "%a %u %g" /etc/passwd'])
      assert.match(listing, /passwd/)
      assert.match(listing, /group/)
      // The container's own /etc/hosts still lands on top of the volume.
      assert.match(listing, /hosts/)
      const imageStat = ok(['run', '--rm', 'busybox', 'stat', '-c', '%a %u %g', '/etc/passwd'])
      assert.ok(listing.endsWith(imageStat), `${listing} vs ${imageStat}`)
      assert.ok(existsSync(join(d.dataRoot, 'volumes', `etc-${cli}`, '_data', 'passwd')))
      // A volume that has files is not copied over again.
      writeFileSync(join(d.dataRoot, 'volumes', `etc-${cli}`, '_data', 'passwd'), 'edited\n')
      assert.equal(ok(['run', '--rm', '-v', `etc-${cli}:/etc`, 'busybox', 'cat', '/etc/passwd']), 'edited\n')
      assert.equal(ok(['run', '--rm', '-v', `etc-nocopy-${cli}:/etc:nocopy`, 'busybox', 'ls', '/etc']).trim().split('\n').sort().join(' '), 'hostname hosts resolv.conf')
      const mount = ok(['run', '--rm', '--mount', `type=volume,source=etc-mnt-${cli},target=/etc,volume-nocopy`, 'busybox', 'ls', '/etc'])
      assert.ok(!mount.includes('passwd'), mount)
      ok(['volume', 'rm', `etc-${cli}`, `etc-nocopy-${cli}`, `etc-mnt-${cli}`])
    })

    test('anonymous volumes from VOLUME appear in inspect and go away with --rm and rm -v', () => {
      const tar = busyboxTar(mkdtempSync(join(work, 'img-')))
      ok(['import', '--change', 'VOLUME /data', '--change', 'CMD ["sh"]', tar, `volimg-${cli}`])
      const before = new Set(ok(['volume', 'ls', '-q']).split('\n').filter(Boolean))
      const id = ok(['create', `volimg-${cli}`, 'sh', '-c', 'echo x > /data/f']).trim()
      const m = mounts(id)
      assert.equal(m.length, 1)
      assert.equal(m[0]?.Type, 'volume')
      assert.equal(m[0]?.Destination, '/data')
      assert.match(m[0]?.Name ?? '', /^[0-9a-f]{64}$/)
      const anon = m[0]?.Name as string
      const vol = JSON.parse(ok(['volume', 'inspect', anon])) as Array<{ Labels: Record<string, string> }>
      assert.deepEqual(vol[0]?.Labels, { 'com.docker.volume.anonymous': '' })
      // rm without -v keeps the anonymous volume, rm -v removes it.
      ok(['rm', id])
      assert.ok(ok(['volume', 'ls', '-q']).includes(anon))
      assert.equal(ok(['volume', 'ls', '-q', '--filter', 'dangling=true']).includes(anon), true)
      ok(['volume', 'rm', anon])
      const id2 = ok(['create', `volimg-${cli}`, 'true']).trim()
      const anon2 = mounts(id2)[0]?.Name as string
      ok(['rm', '-v', id2])
      assert.ok(!ok(['volume', 'ls', '-q']).includes(anon2))
      // --rm takes the anonymous volumes along; -v /path makes one too.
      ok(['run', '--rm', '-v', '/scratch', `volimg-${cli}`, 'sh', '-c', 'echo x > /data/f; echo y > /scratch/g'])
      assert.deepEqual(new Set(ok(['volume', 'ls', '-q']).split('\n').filter(Boolean)), before)
    })

    test('volume rm of a volume in use is a 409 and prune keeps volumes in use', async () => {
      const id = ok(['create', '--name', `holder-${cli}`, '-v', `busy-${cli}:/b`, 'busybox', 'true']).trim()
      const r = run(['volume', 'rm', `busy-${cli}`])
      assert.equal(r.code, 1)
      assert.match(r.stderr, new RegExp(`remove busy-${cli}: volume is in use - \\[${id}\\]`))
      const api = await d.api('DELETE', `/volumes/busy-${cli}`)
      assert.equal(api.status, 409)
      assert.equal((JSON.parse(api.body) as { message: string }).message, `remove busy-${cli}: volume is in use - [${id}]`)
      ok(['volume', 'create', `idle-${cli}`])
      const anon = ok(['volume', 'create']).trim()
      assert.match(anon, /^[0-9a-f]{64}$/)
      // Default prune: unused anonymous volumes only.
      assert.equal(ok(['volume', 'prune', '-f']), `Deleted Volumes:\n${anon}\n\nTotal reclaimed space: 0B\n`)
      assert.equal(ok(['volume', 'prune', '-a', '-f']), `Deleted Volumes:\nidle-${cli}\n\nTotal reclaimed space: 0B\n`)
      assert.equal(ok(['volume', 'ls', '-q']).split('\n').filter((n) => n.startsWith('busy-') || n.startsWith('idle-')).join(' '), `busy-${cli}`)
      ok(['rm', id])
      assert.equal(ok(['volume', 'rm', `busy-${cli}`]), `busy-${cli}\n`)
    })

    test('a symlink at the mount target resolves inside the container and nothing on the host changes', () => {
      const tar = busyboxTar(mkdtempSync(join(work, 'img-')), { data: '/', up: '../../../..', hostlink: work })
      ok(['import', tar, `symimg-${cli}`])
      const hostRoot = readdirSync('/').sort()
      const src = join(work, `linksrc-${cli}`)
      mkdirSync(src)
      writeFileSync(join(src, 'marker'), 'from host\n')
      const out = ok(['run', '--rm', '-v', `${src}:/data/inner-${cli}`, '-v', `linkvol-${cli}:/up/tmp/escape-${cli}`,
        '-v', `${src}:/hostlink/nested`, `symimg-${cli}`, 'sh', '-c',
        `cat /inner-${cli}/marker; echo in-volume > /tmp/escape-${cli}/f; cat ${work}/nested/marker`])
      assert.equal(out, 'from host\nfrom host\n')
      assert.deepEqual(readdirSync('/').sort(), hostRoot)
      assert.ok(!existsSync(`/tmp/escape-${cli}`))
      assert.ok(!existsSync(join(work, 'nested')))
      assert.equal(readFileSync(join(d.dataRoot, 'volumes', `linkvol-${cli}`, '_data', 'f'), 'utf8'), 'in-volume\n')
      // A target that is a link to "/" itself cannot take the container's root.
      const onRoot = run(['run', '--rm', '-v', `rootvol-${cli}:/data`, `symimg-${cli}`, 'true'])
      assert.notEqual(onRoot.code, 0)
      assert.match(onRoot.stderr, /destination \/data resolves to "\/" in the container/)
      assert.deepEqual(readdirSync('/').sort(), hostRoot)
      ok(['volume', 'rm', `linkvol-${cli}`, `rootvol-${cli}`])
    })

    test('--mount validation errors use Docker\'s messages', () => {
      const roAnon = run(['run', '--rm', '--mount', 'type=volume,target=/x,readonly', 'busybox', 'true'])
      assert.equal(roAnon.code, 125)
      assert.match(roAnon.stderr, /invalid mount config for type "volume": must not set ReadOnly mode when using anonymous volumes/)
      const dup = run(['run', '--rm', '-v', 'a1:/x', '--mount', 'type=volume,source=b1,target=/x', 'busybox', 'true'])
      assert.equal(dup.code, 125)
      assert.match(dup.stderr, /Duplicate mount point: \/x/)
      const spec = run(['run', '--rm', '-v', 'v1:/x:bogus', 'busybox', 'true'])
      assert.equal(spec.code, 125)
      assert.match(spec.stderr, /invalid mode: bogus/)
      assert.equal(ok(['volume', 'ls', '-q', '--filter', 'name=a1']), '')
    })

    test('after a daemon restart volumes keep their users and a tmpfs volume is unmounted when its container stops', async () => {
      ok(['volume', 'create', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', `ramvol-${cli}`])
      const mountpoint = join(d.dataRoot, 'volumes', `ramvol-${cli}`, '_data')
      const id = ok(['run', '-d', '-v', `ramvol-${cli}:/r`, '-v', `kept-${cli}:/k`, 'busybox', 'sh', '-c', 'echo x > /r/x; sleep 1000']).trim()
      await eventually(() => existsSync(join(mountpoint, 'x')), 'the container writing into the tmpfs volume')
      assert.ok(hostMounts().includes(mountpoint))
      d.crash()
      await d.start()
      const busy = run(['volume', 'rm', `kept-${cli}`])
      assert.equal(busy.code, 1)
      assert.match(busy.stderr, /volume is in use/)
      ok(['kill', id])
      await eventually(() => !hostMounts().includes(mountpoint), 'the tmpfs volume unmounted after its last user stopped')
      ok(['rm', id])
      assert.equal(ok(['volume', 'rm', `ramvol-${cli}`, `kept-${cli}`]), `ramvol-${cli}\nkept-${cli}\n`)
    })

    test('tmpfs mounts, tmpfs volumes and volumes-from', () => {
      assert.match(ok(['run', '--rm', '--tmpfs', '/t:size=1m', 'busybox', 'df', '-k', '/t']), /tmpfs\s+1024\s/)
      const id = ok(['create', '--mount', 'type=tmpfs,target=/t,tmpfs-size=2m,tmpfs-mode=1770', 'busybox', 'sh', '-c', 'df -k /t; stat -c %a /t']).trim()
      assert.deepEqual(mounts(id), [{ Type: 'tmpfs', Source: '', Destination: '/t', Mode: '', RW: true, Propagation: '' }])
      ok(['start', id])
      ok(['wait', id])
      const logs = ok(['logs', id])
      assert.match(logs, /tmpfs\s+2048\s/)
      assert.match(logs, /^1770$/m)
      ok(['rm', id])
      ok(['volume', 'create', '--opt', 'type=tmpfs', '--opt', 'device=tmpfs', '--opt', 'o=size=3m', `fast-${cli}`])
      const mountpoint = join(d.dataRoot, 'volumes', `fast-${cli}`, '_data')
      assert.match(ok(['run', '--rm', '-v', `fast-${cli}:/f`, 'busybox', 'df', '-k', '/f']), /tmpfs\s+3072\s/)
      assert.ok(!hostMounts().includes(mountpoint), 'the tmpfs volume is unmounted after its last user stopped')
      const opts = JSON.parse(ok(['volume', 'inspect', '--format', '{{json .Options}}', `fast-${cli}`])) as unknown
      assert.deepEqual(opts, { device: 'tmpfs', o: 'size=3m', type: 'tmpfs' })
      ok(['volume', 'rm', `fast-${cli}`])
      // A bind-device volume shows the host directory; removing the volume leaves its files alone.
      const device = join(work, `device-${cli}`)
      mkdirSync(device)
      writeFileSync(join(device, 'seed'), 'seeded\n')
      ok(['volume', 'create', '--opt', 'type=none', '--opt', `device=${device}`, '--opt', 'o=bind', `bindvol-${cli}`])
      assert.equal(ok(['run', '--rm', '-v', `bindvol-${cli}:/b`, 'busybox', 'sh', '-c', 'cat /b/seed; echo back > /b/back']), 'seeded\n')
      assert.equal(readFileSync(join(device, 'back'), 'utf8'), 'back\n')
      ok(['volume', 'rm', `bindvol-${cli}`])
      assert.deepEqual(readdirSync(device).sort(), ['back', 'seed'])
      // volumes-from: the same volume, read-only when asked.
      ok(['create', '--name', `data-${cli}`, '-v', `shared-${cli}:/shared`, 'busybox', 'true'])
      ok(['run', '--rm', '--volumes-from', `data-${cli}`, 'busybox', 'sh', '-c', 'echo hi > /shared/f'])
      const ro = run(['run', '--rm', '--volumes-from', `data-${cli}:ro`, 'busybox', 'sh', '-c', 'cat /shared/f; touch /shared/g'])
      assert.equal(ro.stdout, 'hi\n')
      assert.match(ro.stderr, /Read-only file system/)
      ok(['rm', `data-${cli}`])
      ok(['volume', 'rm', `shared-${cli}`])
    })
  })
}

// docker cp both ways (symlinks and ../ never reach the host), docker diff and docker export, with both CLIs.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { Daemon, isRoot } from './harness.js'

const skip = isRoot() ? false : 'needs root (namespaces, cgroups, overlay mounts)'

for (const cli of ['docker', 'berth'] as const) {
  describe(`cp, diff and export through the ${cli} CLI`, { skip }, () => {
    const d = new Daemon()
    const work = mkdtempSync('/var/tmp/berth-cp-')
    const run = (args: string[], opts?: { input?: string }) => d.cli(cli, args, opts)
    const ok = (args: string[]): string => {
      const r = run(args)
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
      return r.stdout
    }
    before(async () => {
      await d.startWithBusybox()
      ok(['run', '--name', 'files', 'busybox', 'sh', '-c',
        'echo container-secret > /etc/shadow; ln -s /etc/shadow /s; mkdir -p /d/e; echo deep > /d/e/f; echo hi > /data.txt; rm /bin/vi'])
    })
    after(async () => {
      await d.stop()
      rmSync(work, { recursive: true, force: true })
    })

    test('cp out of a stopped container: files, directories, a symlink as a link, and -L as the container\'s file', () => {
      ok(['cp', 'files:/data.txt', join(work, 'data.txt')])
      assert.equal(readFileSync(join(work, 'data.txt'), 'utf8'), 'hi\n')
      ok(['cp', 'files:/d', join(work, 'dcopy')])
      assert.equal(readFileSync(join(work, 'dcopy/e/f'), 'utf8'), 'deep\n')
      ok(['cp', 'files:/s', join(work, 'link')])
      assert.ok(lstatSync(join(work, 'link')).isSymbolicLink())
      assert.equal(readlinkSync(join(work, 'link')), '/etc/shadow')
      ok(['cp', '-L', 'files:/s', join(work, 'followed')])
      assert.equal(readFileSync(join(work, 'followed'), 'utf8'), 'container-secret\n')
      const missing = run(['cp', 'files:/nope', join(work, 'nope')])
      assert.notEqual(missing.code, 0)
      assert.match(missing.stderr, /Could not find the file \/nope in container files/)
    })

    test('cp into a container through ../.. and a symlink to the host stays inside the container', () => {
      const src = join(work, 'in.txt')
      writeFileSync(src, 'copied in\n')
      const hostTarget = join(work, 'host-side')
      mkdirSync(hostTarget)
      ok(['run', '--name', 'sink', 'busybox', 'sh', '-c', `mkdir -p /tmp/up && ln -s ${hostTarget} /tmp/up/hostlink`])
      ok(['cp', src, 'sink:/../../tmp/in.txt'])
      // The link's target is looked up inside the container, where that directory does not exist.
      const through = run(['cp', src, 'sink:/tmp/up/hostlink/'])
      assert.notEqual(through.code, 0)
      assert.match(through.stderr, /Could not find the file .* in container sink/)
      assert.equal(existsSync(join(hostTarget, 'in.txt')), false, 'nothing written on the host through the link')
      assert.equal(existsSync('/tmp/in.txt') && readFileSync('/tmp/in.txt', 'utf8') === 'copied in\n', false)
      ok(['cp', 'sink:/tmp/in.txt', join(work, 'back.txt')])
      assert.equal(readFileSync(join(work, 'back.txt'), 'utf8'), 'copied in\n')
      ok(['rm', 'sink'])
    })

    test('cp of a running container sees what is mounted there: /etc/hostname and a volume, both ways', () => {
      const vol = `cpvol-${cli}`
      const id = ok(['run', '-d', '--init', '-v', `${vol}:/vol`, '--hostname', 'cphost', 'busybox', 'sh', '-c', 'echo in-volume > /vol/a; sleep 300']).trim()
      try {
        for (let i = 0; i < 50 && run(['exec', id, 'test', '-f', '/vol/a']).code !== 0; i++) spawnSync('sleep', ['0.1'])
        ok(['cp', `${id}:/etc/hostname`, join(work, 'hostname')])
        assert.equal(readFileSync(join(work, 'hostname'), 'utf8'), 'cphost\n')
        ok(['cp', `${id}:/vol/a`, join(work, 'vol-a')])
        assert.equal(readFileSync(join(work, 'vol-a'), 'utf8'), 'in-volume\n')
        writeFileSync(join(work, 'vol-b'), 'copied to volume\n')
        ok(['cp', join(work, 'vol-b'), `${id}:/vol/b`])
        assert.equal(ok(['run', '--rm', '-v', `${vol}:/v`, 'busybox', 'cat', '/v/b']), 'copied to volume\n')
      } finally {
        run(['rm', '-f', id])
        run(['volume', 'rm', vol])
      }
    })

    test('cp into a running container, then diff lists A, C and D, and export holds the changed files', () => {
      const id = ok(['run', '-d', '--init', 'busybox', 'sleep', '300']).trim()
      writeFileSync(join(work, 'live.txt'), 'live\n')
      ok(['cp', join(work, 'live.txt'), `${id}:/tmp/`])
      assert.equal(ok(['exec', id, 'cat', '/tmp/live.txt']), 'live\n')
      ok(['rm', '-f', id])
      const diff = ok(['diff', 'files']).split('\n').filter(Boolean)
      for (const line of ['A /data.txt', 'A /d', 'A /d/e', 'A /d/e/f', 'C /bin', 'D /bin/vi']) assert.ok(diff.includes(line), `${line} in:\n${diff.join('\n')}`)
      assert.ok(diff.some((l) => /^[AC] \/etc\/shadow$/.test(l)), diff.join('\n'))
      const tarFile = join(work, 'export.tar')
      ok(['export', '-o', tarFile, 'files'])
      const listing = spawnSync('tar', ['-tf', tarFile], { encoding: 'utf8' }).stdout.split('\n')
      assert.ok(listing.includes('data.txt'))
      assert.ok(listing.includes('bin/busybox'))
      assert.ok(!listing.includes('bin/vi'))
    })

    test('commit makes an image of the changes with -c, -m and -a; deletions stay deleted', () => {
      const ref = `committed-${cli}:1`
      const id = ok(['commit', '-c', 'CMD ["cat", "/data.txt"]', '-c', 'ENV FROM_COMMIT=yes', '-m', 'my change', '-a', 'Tester <t@example.com>', 'files', ref]).trim()
      assert.match(id, /^sha256:[0-9a-f]{64}$/)
      assert.equal(ok(['run', '--rm', ref]), 'hi\n')
      assert.equal(ok(['run', '--rm', ref, 'sh', '-c', 'echo $FROM_COMMIT; cat /d/e/f; test -e /bin/vi || echo no-vi']), 'yes\ndeep\nno-vi\n')
      assert.equal(ok(['inspect', '--format', '{{.Author}}|{{.Comment}}', ref]).trim(), 'Tester <t@example.com>|my change')
      // A running container is paused while it is committed, and keeps running afterwards.
      const live = ok(['run', '-d', '--init', 'busybox', 'sh', '-c', 'echo live > /live; sleep 300']).trim()
      assert.match(ok(['commit', live]).trim(), /^sha256:/)
      assert.equal(ok(['inspect', '--format', '{{.State.Status}}', live]).trim(), 'running')
      ok(['rm', '-f', live])
      ok(['rmi', ref])
    })
  })
}

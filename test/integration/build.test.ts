// Dockerfile builds end to end: the tutorial images, entrypoint scripts, the layer cache (reuse,
// invalidation by copied files only, resume after a failed RUN, survival across a daemon
// restart), multi-stage builds into scratch with --target, .dockerignore, history, reproducible
// ids, and bad input; real berthd, crun, conmon, overlay mounts, the docker CLI and berth.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { spawn, spawnSync } from 'node:child_process'
import { request } from 'node:http'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { contextKeyOf, fingerprints, walkContext } from '../../src/cli/commands/build/context-tar.js'
import { Daemon, berthBin, eventually, freePort, isRoot, type CliResult } from './harness.js'

const skip = isRoot() ? false : 'needs root (namespaces, cgroups, overlay mounts)'

const contexts: string[] = []

/** A build context directory with these files (mode 0755 for names ending in .sh). */
function context(files: Record<string, string>): string {
  const dir = mkdtempSync('/var/tmp/berth-build-ctx-')
  contexts.push(dir)
  write(dir, files)
  return dir
}

function write(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), content, { mode: name.endsWith('.sh') ? 0o755 : 0o644 })
  }
}

/** POST of a binary body (a tar) on the daemon's socket. */
function apiBinary(socket: string, path: string, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, agent: false, method: 'POST', path, headers: { 'Content-Type': 'application/x-tar' } }, (res) => {
      let data = ''
      res.on('data', (c: Buffer) => (data += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

const usingCache = (r: CliResult): number => (r.stdout.match(/ ---> Using cache/g) ?? []).length
const stepsRun = (r: CliResult): string[] => r.stdout.split('\n').filter((l) => l.startsWith('Step '))

describe('build', { skip }, () => {
  const d = new Daemon()
  before(() => d.startWithBusybox())
  after(async () => {
    await d.stop()
    for (const c of contexts) rmSync(c, { recursive: true, force: true })
  })

  const ok = (r: CliResult): CliResult => {
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}\n${d.log()}`)
    return r
  }
  const build = (kind: 'docker' | 'berth', args: string[], opts: { input?: string; env?: Record<string, string> } = {}): CliResult =>
    d.cli(kind, ['build', ...(kind === 'berth' ? ['--progress', 'plain'] : []), ...args], { ...opts, timeoutMs: 120_000 })
  const inspect = (ref: string, format: string): string => ok(d.docker(['image', 'inspect', '--format', format, ref])).stdout.trim()

  /** No build container, mount or workspace is left behind, and no container is listed. */
  const assertNothingLeft = (): void => {
    assert.equal(d.docker(['ps', '-aq']).stdout.trim(), '')
    const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => l.includes(d.dataRoot))
    assert.deepEqual(mounts, [])
    const state = spawnSync('crun', ['--root', join(d.execRoot, 'runtime/state'), 'list', '-q'], { encoding: 'utf8' }).stdout.trim()
    assert.equal(state, '')
    const list = (p: string): string[] => (existsSync(p) ? readdirSync(p) : [])
    assert.deepEqual(list(join(d.dataRoot, 'build/work')).filter((n) => n.startsWith('b')), [])
    assert.deepEqual(list(join(d.dataRoot, 'build/contexts')), [])
  }

  for (const kind of ['docker', 'berth'] as const) {
    test(`${kind} build: ENTRYPOINT ["sleep"] + CMD ["5"], overridden by run arguments and --entrypoint`, () => {
      const dir = context({ Dockerfile: 'FROM busybox\nENTRYPOINT ["sleep"]\nCMD ["5"]\n' })
      ok(build(kind, ['-t', `sleeper-${kind}`, dir]))
      assert.equal(inspect(`sleeper-${kind}`, '{{json .Config.Entrypoint}} {{json .Config.Cmd}}'), '["sleep"] ["5"]')
      const created = ok(d.docker(['create', `sleeper-${kind}`])).stdout.trim()
      assert.equal(ok(d.docker(['inspect', '--format', '{{.Path}} {{json .Args}}', created])).stdout.trim(), 'sleep ["5"]')
      const ten = ok(d.docker(['create', `sleeper-${kind}`, '10'])).stdout.trim()
      assert.equal(ok(d.docker(['inspect', '--format', '{{.Path}} {{json .Args}}', ten])).stdout.trim(), 'sleep ["10"]')
      ok(d.docker(['rm', created, ten]))
      assert.equal(ok(d.docker(['run', '--rm', `sleeper-${kind}`, '0'])).code, 0)
      assert.equal(ok(d.docker(['run', '--rm', '--entrypoint', 'echo', `sleeper-${kind}`, 'overridden'])).stdout, 'overridden\n')
      assertNothingLeft()
    })
  }

  test('an entrypoint script that execs "$@" runs the default and the given command', () => {
    const dir = context({
      'entrypoint.sh': '#!/bin/sh\necho "entry: prepared"\nexec "$@"\n',
      Dockerfile: 'FROM busybox\nCOPY entrypoint.sh /usr/local/bin/\nENTRYPOINT ["entrypoint.sh"]\nCMD ["echo", "default command"]\n',
    })
    ok(build('docker', ['-t', 'entry', dir]))
    assert.equal(ok(d.docker(['run', '--rm', 'entry'])).stdout, 'entry: prepared\ndefault command\n')
    assert.equal(ok(d.docker(['run', '--rm', 'entry', 'echo', 'custom'])).stdout, 'entry: prepared\ncustom\n')
  })

  test('the cache reuses every step, rebuilds from a changed COPY on, ignores unrelated files', () => {
    const dir = context({
      'app/main.txt': 'v1\n',
      'unrelated.txt': 'a\n',
      Dockerfile: 'FROM busybox\nENV MODE=prod\nRUN echo base > /base\nCOPY app /app\nRUN cat /app/main.txt > /out\nCMD ["cat", "/out"]\n',
    })
    const first = ok(build('berth', ['-t', 'cached', dir]))
    assert.equal(usingCache(first), 0)
    const id1 = inspect('cached', '{{.Id}}')
    const again = ok(build('docker', ['-t', 'cached', dir]))
    assert.equal(usingCache(again), 5, again.stdout)
    assert.equal(inspect('cached', '{{.Id}}'), id1)

    write(dir, { 'unrelated.txt': 'b\n' })
    const unrelated = ok(build('berth', ['-t', 'cached', dir]))
    assert.equal(usingCache(unrelated), 5, unrelated.stdout)
    assert.equal(inspect('cached', '{{.Id}}'), id1)

    write(dir, { 'app/main.txt': 'v2\n' })
    const changed = ok(build('berth', ['-t', 'cached', dir]))
    assert.equal(usingCache(changed), 2, changed.stdout) // ENV and the first RUN
    assert.match(changed.stdout, /Step 4\/6 : COPY app \/app\n ---> [0-9a-f]{12}\n/)
    assert.equal(ok(d.docker(['run', '--rm', 'cached'])).stdout, 'v2\n')
    assertNothingLeft()
  })

  test('a failing RUN keeps the cache of the steps before it; the fixed build resumes there', () => {
    const dir = context({ Dockerfile: 'FROM busybox\nRUN echo one > /one\nRUN echo broken; exit 3\nCMD ["true"]\n' })
    const before = ok(d.docker(['images', '-aq'])).stdout
    const failed = build('docker', ['-t', 'resume', dir])
    assert.equal(failed.code, 3, failed.stdout + failed.stderr)
    assert.match(failed.stderr, /The command '\/bin\/sh -c echo broken; exit 3' returned a non-zero code: 3/)
    assert.equal(ok(d.docker(['images', '-aq'])).stdout, before, 'no image from a failed build')
    assertNothingLeft()
    write(dir, { Dockerfile: 'FROM busybox\nRUN echo one > /one\nRUN echo fixed > /two\nCMD ["true"]\n' })
    const fixed = ok(build('berth', ['-t', 'resume', dir]))
    assert.equal(usingCache(fixed), 1, fixed.stdout)
    assert.match(fixed.stdout, /Step 3\/4 : RUN echo fixed > \/two\n ---> Running in /)
  })

  test('multi-stage: a static artifact copied into FROM scratch; unneeded stages are skipped; --target', () => {
    const dir = context({
      'src.txt': 'artifact source\n',
      Dockerfile: [
        'FROM busybox AS build',
        'WORKDIR /work',
        'COPY src.txt .',
        'RUN tr a-z A-Z < src.txt > artifact.txt',
        '',
        'FROM busybox AS broken',
        'RUN exit 1',
        '',
        'FROM scratch',
        'COPY --from=build /work/artifact.txt /artifact.txt',
        'COPY --from=build /bin/busybox /bin/busybox',
        'ENTRYPOINT ["/bin/busybox", "cat", "/artifact.txt"]',
        '',
      ].join('\n'),
    })
    const r = ok(build('docker', ['-t', 'static', dir]))
    assert.ok(!stepsRun(r).some((l) => l.includes('exit 1')), r.stdout)
    assert.equal(ok(d.docker(['run', '--rm', 'static'])).stdout, 'ARTIFACT SOURCE\n')
    assert.equal(inspect('static', '{{len .RootFS.Layers}}'), '2')
    const t = ok(build('berth', ['-t', 'static-build', '--target', 'build', dir]))
    assert.equal(stepsRun(t).length, 4, t.stdout)
    assert.equal(ok(d.docker(['run', '--rm', 'static-build', 'cat', 'artifact.txt'])).stdout, 'ARTIFACT SOURCE\n')
    const missing = build('berth', ['--target', 'nope', dir])
    assert.notEqual(missing.code, 0)
    assert.match(missing.stderr, /failed to reach build target nope in Dockerfile/)
  })

  test('.dockerignore excludes files from COPY and from the cache key', () => {
    const dir = context({
      '.dockerignore': '*.secret\nlogs\n!logs/keep.log\n',
      'a.secret': 's1',
      'logs/x.log': 'x',
      'logs/keep.log': 'k',
      'app.txt': 'app',
      Dockerfile: 'FROM busybox\nCOPY . /ctx\n',
    })
    ok(build('berth', ['-t', 'ignored', dir]))
    const files = ok(d.docker(['run', '--rm', 'ignored', 'find', '/ctx', '-type', 'f'])).stdout.split('\n').filter(Boolean).sort()
    assert.deepEqual(files, ['/ctx/.dockerignore', '/ctx/Dockerfile', '/ctx/app.txt', '/ctx/logs/keep.log'])
    write(dir, { 'a.secret': 's2', 'logs/x.log': 'y' })
    const again = ok(build('berth', ['-t', 'ignored', dir]))
    assert.equal(usingCache(again), 1, again.stdout)
  })

  test('history has one entry per instruction; RUN deletions become whiteouts', () => {
    const dir = context({
      Dockerfile: [
        'FROM busybox',
        'RUN mkdir -p /data/old && echo x > /data/old/f && echo keep > /data/keep',
        'RUN rm -rf /data && mkdir /data && echo new > /data/new && rm /bin/ping',
        'LABEL org.example=yes',
        'USER 1000:1000',
        '',
      ].join('\n'),
    })
    ok(build('docker', ['-t', 'hist', dir]))
    const history = ok(d.docker(['history', '--format', '{{.CreatedBy}}|{{.Size}}', 'hist'])).stdout.trim().split('\n')
    const base = ok(d.docker(['history', '-q', 'busybox'])).stdout.trim().split('\n').length
    assert.equal(history.length, base + 4)
    assert.match(history[0] as string, /#\(nop\) {2}USER 1000:1000\|0B/)
    assert.match(history[1] as string, /#\(nop\) {2}LABEL org.example=yes\|0B/)
    assert.match(history[2] as string, /^\/bin\/sh -c rm -rf \/data .*\|\d+B$/)
    assert.equal(inspect('hist', '{{len .RootFS.Layers}}'), String(Number(inspect('busybox', '{{len .RootFS.Layers}}')) + 2))
    const listing = ok(d.docker(['run', '--rm', '--user', '0', 'hist', 'sh', '-c', 'ls /data; ls /bin/ping 2>&1 || true'])).stdout
    assert.match(listing, /^new\n/)
    assert.match(listing, /No such file/)
  })

  test('build args, ARG before FROM, heredocs and ONBUILD triggers', () => {
    const parent = context({ Dockerfile: 'FROM busybox\nONBUILD RUN echo triggered > /trigger\n' })
    ok(build('berth', ['-t', 'onbuild-parent', parent]))
    const dir = context({
      Dockerfile: [
        'ARG BASE=onbuild-parent',
        'FROM ${BASE}',
        'ARG GREETING=hello',
        'ENV TARGET=${WHO:-world}',
        'RUN <<EOF',
        'echo "$GREETING $TARGET" > /greeting',
        'EOF',
        'RUN <<EOF',
        '#!/bin/sh -e',
        'echo "script as a file: $0" > /script',
        'EOF',
        'COPY <<EOF /etc/motd',
        'welcome',
        'EOF',
        '',
      ].join('\n'),
    })
    const r = ok(build('docker', ['-t', 'args', '--build-arg', 'GREETING=hi', '--build-arg', 'UNUSED=1', dir]))
    assert.match(r.stdout + r.stderr, /\[Warning\] One or more build-args \[UNUSED\] were not consumed/)
    assert.equal(ok(d.docker(['run', '--rm', 'args', 'cat', '/greeting', '/etc/motd', '/trigger', '/script'])).stdout, 'hi world\nwelcome\ntriggered\nscript as a file: /dev/pipes/EOF\n')
    assert.equal(ok(d.docker(['run', '--rm', 'args', 'sh', '-c', 'ls /dev/pipes 2>&1 || true'])).stdout.includes('EOF'), false)
    assert.equal(inspect('args', '{{json .Config.OnBuild}}'), 'null')
  })

  test('metadata instructions, --label, build-arg changes in the cache key, a tar context on stdin, --pull', () => {
    const dir = context({
      Dockerfile: [
        'FROM busybox',
        'MAINTAINER someone@example.com',
        'ARG FLAVOR=plain',
        'RUN echo "$FLAVOR" > /flavor',
        'SHELL ["/bin/sh", "-ec"]',
        'EXPOSE 80 53/udp',
        'VOLUME /data',
        'USER 1000',
        'STOPSIGNAL SIGINT',
        'HEALTHCHECK --interval=5s --retries=2 CMD true',
        'CMD echo shell form',
        '',
      ].join('\n'),
    })
    ok(build('berth', ['-t', 'meta', '--label', 'team=build', dir]))
    const config = JSON.parse(inspect('meta', '{{json .Config}}')) as Record<string, unknown>
    assert.deepEqual(config['ExposedPorts'], { '53/udp': {}, '80/tcp': {} })
    assert.deepEqual(config['Volumes'], { '/data': {} })
    assert.equal(config['User'], '1000')
    assert.equal(config['StopSignal'], 'SIGINT')
    assert.deepEqual(config['Cmd'], ['/bin/sh', '-ec', 'echo shell form'])
    assert.deepEqual(config['Shell'], ['/bin/sh', '-ec'])
    assert.deepEqual(config['Healthcheck'], { Test: ['CMD-SHELL', 'true'], Interval: 5e9, Retries: 2 })
    assert.deepEqual(config['Labels'], { team: 'build' })
    assert.equal(inspect('meta', '{{.Author}}'), 'someone@example.com')
    assert.equal(ok(d.docker(['run', '--rm', 'meta'])).stdout, 'shell form\n')

    const spicy = ok(build('berth', ['-t', 'meta', '--label', 'team=build', '--build-arg', 'FLAVOR=spicy', dir]))
    assert.equal(usingCache(spicy), 2, spicy.stdout) // MAINTAINER and ARG; the RUN sees another value
    assert.equal(ok(d.docker(['run', '--rm', 'meta', 'cat', '/flavor'])).stdout, 'spicy\n')

    const piped = spawnSync('sh', ['-c', `tar -c -C ${dir} . | ${JSON.stringify(berthBin)} -H ${d.host} build -q -t meta-stdin -`], { encoding: 'utf8' })
    assert.equal(piped.status, 0, piped.stderr)
    assert.match(piped.stdout, /^sha256:[0-9a-f]{64}\n$/)

    // --pull pulls busybox again from Docker Hub, which this test daemon may not contact (registry.test.ts pulls from loopback).
    const pull = build('docker', ['--pull', dir])
    assert.notEqual(pull.code, 0)
    assert.match(pull.stderr, /registry registry-1\.docker\.io is not reachable: this daemon only contacts registries on loopback/)
  })

  test('SOURCE_DATE_EPOCH makes the same context give the same image id', () => {
    const dir = context({ 'f.txt': 'same\n', Dockerfile: 'FROM busybox\nCOPY f.txt /f.txt\nRUN echo built > /built-at && touch /stamp && mkdir -p /var/cache/x\n' })
    const env = { SOURCE_DATE_EPOCH: '1700000000' }
    ok(build('berth', ['--no-cache', '-t', 'repro1', dir], { env }))
    ok(build('berth', ['--no-cache', '-t', 'repro2', dir], { env }))
    const id1 = inspect('repro1', '{{.Id}}')
    assert.equal(inspect('repro2', '{{.Id}}'), id1)
    assert.equal(inspect('repro1', '{{.Created}}'), '2023-11-14T22:13:20Z')
  })

  test('the cache survives a daemon restart; build prune empties it', async () => {
    const dir = context({ Dockerfile: 'FROM busybox\nRUN echo persisted > /p\n' })
    ok(build('berth', ['-t', 'persist', dir]))
    d.crash()
    await d.start()
    const again = ok(build('berth', ['-t', 'persist', dir]))
    assert.equal(usingCache(again), 1, again.stdout)
    const prune = await d.api('POST', '/build/prune')
    assert.equal(prune.status, 200)
    assert.ok((JSON.parse(prune.body) as { CachesDeleted: string[] }).CachesDeleted.length > 0)
    const after = ok(build('berth', ['-t', 'persist', dir]))
    assert.equal(usingCache(after), 0, after.stdout)
  })

  test('berth build sends only what changed since the last build of the directory; the docker CLI sends everything', async () => {
    const dir = context({ Dockerfile: 'FROM busybox\nCOPY . /ctx/\nRUN cat /ctx/a.txt /ctx/sub/b.txt\n', 'a.txt': 'one\n', 'sub/b.txt': 'bee\n', 'big.bin': 'x'.repeat(3 << 20) })
    await sleep(2100) // files changed in the last 2 s are always sent with their data
    const key = await contextKeyOf(dir)
    const missing = async (files: Map<string, string>): Promise<string[]> => {
      const r = await d.api('POST', `/berth/build/context?key=${key}`, JSON.stringify({ files: Object.fromEntries(files) }))
      assert.equal(r.status, 200, r.body)
      return (JSON.parse(r.body) as { missing: string[] }).missing.sort()
    }
    const received = (): string[] => d.log().split('\n').filter((l) => l.includes('msg="build context received"') && l.includes(key))
    const now = async (): Promise<Map<string, string>> => fingerprints(await walkContext(dir), BigInt(Date.now() + 10_000) * 1_000_000n)
    assert.deepEqual(await missing(await now()), ['Dockerfile', 'a.txt', 'big.bin', 'sub/b.txt'])

    const first = ok(build('berth', ['-t', 'incr', dir]))
    assert.match(first.stdout, /one\nbee\n/)
    assert.match(received().at(-1) ?? '', /dataBytes=\d{7,} cachedFiles=0/)
    assert.deepEqual(await missing(await now()), [])

    write(dir, { 'a.txt': 'two\n' })
    assert.deepEqual(await missing(await now()), ['a.txt'])
    const second = ok(build('berth', ['-t', 'incr', dir]))
    assert.match(second.stdout, /two\nbee\n/)
    // a.txt went with its data (changed just now), the rest from the store
    assert.match(received().at(-1) ?? '', /dataBytes=4 cachedFiles=3/)
    assert.equal(ok(d.docker(['run', '--rm', 'incr', 'cat', '/ctx/a.txt', '/ctx/sub/b.txt'])).stdout, 'two\nbee\n')
    assert.equal(ok(d.docker(['run', '--rm', 'incr', 'wc', '-c', '/ctx/big.bin'])).stdout.trim(), `${3 << 20} /ctx/big.bin`)

    // Settled, a.txt is fingerprinted: sent once more (nothing was kept for it), then from the store.
    await sleep(2100)
    const third = ok(build('berth', ['-t', 'incr', dir]))
    assert.equal(usingCache(third), 2, third.stdout)
    assert.match(received().at(-1) ?? '', /dataBytes=4 cachedFiles=3/)
    ok(build('berth', ['-t', 'incr', dir]))
    assert.match(received().at(-1) ?? '', /dataBytes=0 cachedFiles=4/)

    // The docker CLI has no key: the whole context, and the same cache.
    const docker = ok(build('docker', ['-t', 'incr', dir]))
    assert.equal(usingCache(docker), 2, docker.stdout)

    // Bad input, and a cached entry the daemon does not have.
    const badKey = await d.api('POST', '/berth/build/context?key=nothex', '{"files":{}}')
    assert.equal(badKey.status, 400)
    assert.equal((JSON.parse(badKey.body) as { message: string }).message, 'invalid build context key "nothex": want 64 hex digits')
    const badBody = await d.api('POST', `/berth/build/context?key=${key}`, '{"files":["a"]}')
    assert.equal(badBody.status, 400)
    assert.match(badBody.body, /invalid build context manifest/)
    const tar = spawnSync('tar', ['-c', '-f', '-', '--format=posix', '--pax-option=BERTH.fingerprint=nope,BERTH.cached=1', '-C', dir, 'a.txt'])
    const miss = await apiBinary(d.socket, `/build?contextkey=${key}`, tar.stdout)
    assert.equal(miss.status, 409, miss.body)
    assert.equal((JSON.parse(miss.body) as { message: string }).message, 'build context cache: 1 file(s) sent as cached are not stored here (a.txt); send the context again')

    // build prune empties the store as well.
    const prune = await d.api('POST', '/build/prune')
    assert.equal(prune.status, 200)
    assert.deepEqual(await missing(await now()), ['Dockerfile', 'a.txt', 'big.bin', 'sub/b.txt'])
    assertNothingLeft()
  })

  test('ADD extracts local archives and fetches URLs; COPY --chown/--chmod and --from an image', async () => {
    const dir = context({ 'payload/inner.txt': 'inside the archive\n', 'plain.txt': 'plain\n' })
    spawnSync('tar', ['-czf', join(dir, 'payload.tar.gz'), '-C', join(dir, 'payload'), '.'])
    // The URL is served by another process: the CLIs run synchronously and would block a server in this one.
    const web = context({ 'files/web.txt': 'from the web\n' })
    const port = 20000 + Math.floor(Math.random() * 20000)
    const httpd = spawn('/bin/busybox', ['httpd', '-f', '-p', `127.0.0.1:${port}`, '-h', web], { stdio: 'ignore' })
    try {
      await eventually(() => spawnSync('/bin/busybox', ['wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${port}/files/web.txt`]).status === 0, 'busybox httpd')
      write(dir, {
        Dockerfile: [
          'FROM busybox',
          'ADD payload.tar.gz /opt/payload/',
          `ADD http://127.0.0.1:${port}/files/web.txt /downloads/`,
          'COPY --chown=1234:5678 --chmod=640 plain.txt /owned.txt',
          'COPY --from=sleeper-docker /bin/sleep /copied-sleep',
          '',
        ].join('\n'),
      })
      ok(build('berth', ['-t', 'adds', dir]))
    } finally {
      httpd.kill('SIGKILL')
    }
    const out = ok(d.docker(['run', '--rm', 'adds', 'sh', '-c',
      'cat /opt/payload/inner.txt /downloads/web.txt; stat -c "%u:%g %a" /owned.txt /downloads/web.txt; test -x /copied-sleep && echo copied'])).stdout
    assert.equal(out, 'inside the archive\nfrom the web\n1234:5678 640\n0:0 600\ncopied\n')
  })

  test('--cache-from reuses the steps an image already has', () => {
    const dir = context({ Dockerfile: 'FROM busybox\nRUN echo layer > /layer\nENV X=1\n' })
    ok(build('berth', ['-t', 'cache-source', dir]))
    ok(build('berth', ['--no-cache', '-t', 'cache-source', dir]))
    const prune = ok(d.berth(['version']))
    void prune
    const fromImage = ok(build('docker', ['--cache-from', 'cache-source', '-t', 'cache-user', dir]))
    assert.equal(usingCache(fromImage), 2, fromImage.stdout)
    assert.equal(inspect('cache-user', '{{json .RootFS.Layers}}'), inspect('cache-source', '{{json .RootFS.Layers}}'))
  })

  test('RUN is on the default bridge, with /etc/hosts and /etc/resolv.conf that stay out of its layer', async () => {
    const gateway = d.bip.split('/')[0] as string
    const port = await freePort()
    // In a child: the build below blocks this process's event loop.
    const server = spawn(process.execPath, ['-e', `require('net').createServer((s) => s.end('hello from the host\\n')).listen(${port}, '${gateway}', () => console.log('ready'))`])
    try {
      let ready = ''
      server.stdout.on('data', (c: Buffer) => (ready += c.toString()))
      await eventually(() => ready.includes('ready'), 'the host server to listen')
      const dir = context({
        Dockerfile: [
          'FROM busybox',
          `RUN nc ${gateway} ${port} > /got && ip route | grep -q "default via ${gateway}" && grep -q "$(hostname)" /etc/hosts && grep -q nameserver /etc/resolv.conf`,
          // A RUN cannot change what the next one sees there.
          'RUN echo "nameserver 192.0.2.1" > /etc/resolv.conf && echo changed >> /etc/hosts',
          'RUN ! grep -q -e 192.0.2.1 -e changed /etc/resolv.conf /etc/hosts',
          '',
        ].join('\n'),
      })
      ok(build('docker', ['-t', 'netrun', dir]))
      assert.equal(ok(d.docker(['run', '--rm', 'netrun', 'cat', '/got'])).stdout, 'hello from the host\n')
      // The mount points the runtime made for the etc files are in no layer: the RUNs that only wrote
      // to those files changed nothing.
      const layers = layerEntries('netrun')
      assert.deepEqual(layers.at(-1), ['got'])
      assert.equal(layers.length, Number(inspect('busybox', '{{len .RootFS.Layers}}')) + 1)
    } finally {
      server.kill()
    }
    assertNothingLeft()
  })

  /** The paths each layer of an image holds, bottom first (from `docker save`). */
  const layerEntries = (ref: string): string[][] => {
    const out = mkdtempSync('/var/tmp/berth-build-save-')
    try {
      ok(d.docker(['save', '-o', join(out, 'image.tar'), ref]))
      spawnSync('tar', ['-xf', join(out, 'image.tar'), '-C', out])
      const [manifest] = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Array<{ Layers: string[] }>
      return (manifest?.Layers ?? []).map((l) => spawnSync('tar', ['-tf', join(out, l)], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean).map((p) => p.replace(/^\.\//, '')).filter((p) => p !== '' && p !== './'))
    } finally {
      rmSync(out, { recursive: true, force: true })
    }
  }

  test('an interrupted build leaves no container, mount or workspace', async () => {
    const dir = context({ Dockerfile: 'FROM busybox\nRUN echo started; sleep 60\n' })
    const child = spawn('docker', ['build', dir], { env: { ...process.env, DOCKER_HOST: d.host } })
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    await eventually(() => out.includes('started'), 'the RUN step to start', 30_000)
    child.kill('SIGKILL')
    await eventually(() => {
      try {
        assertNothingLeft()
        return true
      } catch {
        return false
      }
    }, 'the build container to go', 15_000)
    assertNothingLeft()
  })

  test('a daemon crash during a RUN leaves nothing once berthd is back', async () => {
    const dir = context({ Dockerfile: 'FROM busybox\nRUN echo started; sleep 60\n' })
    const child = spawn('docker', ['build', dir], { env: { ...process.env, DOCKER_HOST: d.host } })
    let out = ''
    child.stdout.on('data', (c: Buffer) => (out += c.toString()))
    try {
      await eventually(() => out.includes('started'), 'the RUN step to start', 30_000)
      d.crash()
    } finally {
      child.kill('SIGKILL')
    }
    await d.start()
    assertNothingLeft()
  })

  test('bad input fails with the file and line, leaving no image, container or mount', () => {
    const images = ok(d.docker(['images', '-aq'])).stdout
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['unknown instruction', { Dockerfile: 'FROM busybox\nFORM busybox\n' }, /Dockerfile:2: unknown instruction: FORM/],
      ['unterminated heredoc', { Dockerfile: 'FROM busybox\nRUN <<EOF\necho hi\n' }, /Dockerfile:2: unterminated heredoc/],
      ['missing FROM', { Dockerfile: 'RUN echo hi\n' }, /Dockerfile:1: no build stage in current context/],
      ['COPY ../x', { Dockerfile: 'FROM busybox\nRUN true\nCOPY ../x /x\n' }, /Dockerfile:3: COPY failed: forbidden path outside the build context: \.\.\/x/],
      ['symlink out of the context', { Dockerfile: 'FROM busybox\nCOPY link/passwd /x\n' }, /Dockerfile:2: COPY failed: forbidden path outside the build context: link\/passwd/],
      ['missing file', { Dockerfile: 'FROM busybox\nCOPY nothere /x\n' }, /Dockerfile:2: COPY failed: file not found in build context/],
    ]
    for (const [what, files, expected] of cases) {
      const dir = context(files)
      symlinkSync('/etc', join(dir, 'link'))
      for (const kind of ['docker', 'berth'] as const) {
        const r = build(kind, ['-t', 'bad', dir])
        assert.notEqual(r.code, 0, `${what}: ${r.stdout}`)
        assert.match(r.stderr, expected, `${what} (${kind})`)
      }
    }
    const stdin = build('berth', ['-f', '-', context({})], { input: 'FROM busybox\nRUNN x\n' })
    assert.match(stdin.stderr, /Dockerfile:2: unknown instruction: RUNN \(did you mean RUN\?\)/)
    assert.equal(ok(d.docker(['images', '-aq'])).stdout, images)
    assertNothingLeft()
  })
})

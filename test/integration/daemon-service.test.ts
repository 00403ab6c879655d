// berthd as a service: TCP with mutual TLS for the real docker CLI and berth, plain TCP only when
// asked for, daemon.json merged with flags, and contexts shared with the docker CLI.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { spawnSync } from 'node:child_process'
import { Daemon, cleanupNetwork, freePort, isRoot, privateNetwork, runCli, berthBin, berthdBin } from './harness.js'

const skip = isRoot() ? false : 'needs root (namespaces, cgroups, overlay mounts)'

const openssl = (dir: string, args: string[]): void => {
  const r = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`)
}

/** A CA with a server certificate for 127.0.0.1 and a client certificate, in `dir/<prefix>-*.pem`. */
function makePki(dir: string, prefix: string): void {
  openssl(dir, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${prefix} test CA`, '-keyout', `${prefix}-ca-key.pem`, '-out', `${prefix}-ca.pem`])
  for (const [who, ext] of [['server', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth'], ['client', 'extendedKeyUsage=clientAuth']] as const) {
    writeFileSync(join(dir, `${prefix}-${who}.ext`), ext + '\n')
    openssl(dir, ['req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${who}`, '-keyout', `${prefix}-${who}-key.pem`, '-out', `${prefix}-${who}.csr`])
    openssl(dir, ['x509', '-req', '-in', `${prefix}-${who}.csr`, '-CA', `${prefix}-ca.pem`, '-CAkey', `${prefix}-ca-key.pem`, '-CAcreateserial', '-days', '2', '-extfile', `${prefix}-${who}.ext`, '-out', `${prefix}-${who}.pem`])
  }
}

describe('berthd over TCP with mutual TLS', { skip }, () => {
  const pki = mkdtempSync('/tmp/berth-pki-')
  const p = (f: string): string => join(pki, f)
  let port = 0
  let d: Daemon
  before(async () => {
    makePki(pki, 'good')
    makePki(pki, 'other')
    port = await freePort()
    d = new Daemon('crun', ['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', p('good-ca.pem'), '--tlscert', p('good-server.pem'), '--tlskey', p('good-server-key.pem')])
    await d.startWithBusybox()
  })
  after(async () => {
    await d?.stop()
    rmSync(pki, { recursive: true, force: true })
  })

  const tcp = (): string => `tcp://127.0.0.1:${port}`
  const dockerTls = (args: string[], certs: string[]) => runCli('docker', ['-H', tcp(), ...certs, ...args], { env: { DOCKER_CLI_HINTS: 'false' }, timeoutMs: 30_000 })
  const goodCerts = (): string[] => ['--tlsverify', '--tlscacert', p('good-ca.pem'), '--tlscert', p('good-client.pem'), '--tlskey', p('good-client-key.pem')]

  test('the real docker CLI with a client certificate from the CA runs a container', () => {
    const r = dockerTls(['run', '--rm', 'busybox', 'echo', 'over tls'], goodCerts())
    assert.equal(r.stdout, 'over tls\n', r.stderr)
  })

  test('the docker CLI with DOCKER_TLS_VERIFY and DOCKER_CERT_PATH, and berth with --tlsverify, work too', () => {
    const certDir = mkdtempSync('/tmp/berth-certpath-')
    try {
      for (const [from, to] of [['good-ca.pem', 'ca.pem'], ['good-client.pem', 'cert.pem'], ['good-client-key.pem', 'key.pem']] as const) {
        writeFileSync(join(certDir, to), spawnSync('cat', [p(from)]).stdout)
      }
      const env = { DOCKER_HOST: tcp(), DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certDir, DOCKER_CLI_HINTS: 'false' }
      const viaEnv = runCli('docker', ['version', '--format', '{{.Server.Os}}'], { env })
      assert.equal(viaEnv.stdout.trim(), 'linux', viaEnv.stderr)
      const berthEnv = runCli(berthBin, ['ps', '-a', '--format', '{{.ID}}'], { env })
      assert.equal(berthEnv.code, 0, berthEnv.stderr)
      const berthFlags = runCli(berthBin, ['-H', tcp(), ...goodCerts(), 'run', '--rm', 'busybox', 'echo', 'berth tls'])
      assert.equal(berthFlags.stdout, 'berth tls\n', berthFlags.stderr)
    } finally {
      rmSync(certDir, { recursive: true, force: true })
    }
  })

  test('no client certificate, one from another CA, or plain HTTP: nothing is served', () => {
    const noCert = dockerTls(['version'], ['--tlsverify', '--tlscacert', p('good-ca.pem'), '--tlscert', '/nonexistent/cert.pem', '--tlskey', '/nonexistent/key.pem'])
    assert.notEqual(noCert.code, 0)
    assert.doesNotMatch(noCert.stdout, /Server:/)
    const otherCa = dockerTls(['ps'], ['--tlsverify', '--tlscacert', p('good-ca.pem'), '--tlscert', p('other-client.pem'), '--tlskey', p('other-client-key.pem')])
    assert.notEqual(otherCa.code, 0)
    assert.match(otherCa.stderr, /certificate|tls|handshake|reset|EOF/i)
    const berthOther = runCli(berthBin, ['-H', tcp(), '--tlsverify', '--tlscacert', p('good-ca.pem'), '--tlscert', p('other-client.pem'), '--tlskey', p('other-client-key.pem'), 'ps'])
    assert.notEqual(berthOther.code, 0)
    const plain = runCli('docker', ['-H', tcp(), 'ps'], { env: { DOCKER_CLI_HINTS: 'false' } })
    assert.notEqual(plain.code, 0)
    // The unix socket still serves after the refused handshakes.
    assert.equal(d.docker(['version', '--format', '{{.Server.Os}}']).stdout.trim(), 'linux')
  })
})

describe('berthd listeners and daemon.json', { skip }, () => {
  const dirs: string[] = []
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })
  const tmp = (): string => {
    const dir = mkdtempSync('/tmp/berth-cfg-')
    dirs.push(dir)
    return dir
  }
  /** Runs berthd expecting it to refuse to start; returns its exit code and stderr. */
  const refused = (args: string[]): { code: number; stderr: string } => {
    const dir = tmp()
    const r = spawnSync(berthdBin, ['--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), ...args], { encoding: 'utf8', timeout: 20_000 })
    return { code: r.status ?? -1, stderr: r.stderr }
  }

  test('tcp:// without TLS refuses to start unless --tls=false is said, then serves with a warning', async () => {
    const port = await freePort()
    const net = privateNetwork()
    const r = refused(['-H', `tcp://127.0.0.1:${port}`, '--config-file', '/dev/null', ...net.args])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /refusing to serve tcp:\/\/127\.0\.0\.1:\d+ without TLS/)
    // Refused before anything was made on the host.
    const made = existsSync(`/sys/class/net/${net.bridge}`)
    cleanupNetwork(net.prefix)
    assert.equal(made, false, 'no bridge was made')
    const d = new Daemon('crun', ['-H', `tcp://127.0.0.1:${port}`, '--tls=false'])
    try {
      await d.start()
      const v = runCli('docker', ['-H', `tcp://127.0.0.1:${port}`, 'version', '--format', '{{.Server.Os}}'])
      assert.equal(v.stdout.trim(), 'linux', v.stderr)
      assert.match(d.log(), /level=warn msg="API is accessible on http:\/\/127\.0\.0\.1:\d+ without encryption/)
    } finally {
      await d.stop()
    }
  })

  test('fd:// serves the socket systemd passes (socket activation), as the contrib units use', { skip: spawnSync('which', ['systemd-socket-activate']).status !== 0 ? 'no systemd-socket-activate' : false }, async () => {
    const dir = tmp()
    const sock = join(dir, 'activated.sock')
    const { spawn } = await import('node:child_process')
    const net = privateNetwork()
    const child = spawn('systemd-socket-activate', ['-l', sock, berthdBin, '-H', 'fd://', '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--config-file', '/dev/null', ...net.args], { stdio: 'ignore' })
    try {
      // The socket exists before berthd runs; the first request starts it.
      const deadline = Date.now() + 20_000
      let v = runCli('docker', ['-H', `unix://${sock}`, 'version', '--format', '{{.Server.Os}}'])
      while (v.stdout.trim() !== 'linux' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200))
        v = runCli('docker', ['-H', `unix://${sock}`, 'version', '--format', '{{.Server.Os}}'])
      }
      assert.equal(v.stdout.trim(), 'linux', v.stderr)
    } finally {
      child.kill('SIGTERM')
      await new Promise((r) => child.once('exit', r))
      spawnSync('pkill', ['-f', `--data-root ${join(dir, 'data')}`])
      for (let i = 0; i < 100 && spawnSync('pgrep', ['-f', `--data-root ${join(dir, 'data')}`]).status === 0; i++) await new Promise((r) => setTimeout(r, 100))
      cleanupNetwork(net.prefix)
    }
  })

  test('daemon.json settings take effect; a flag also in the file and malformed JSON stop start-up clearly', async () => {
    const dir = tmp()
    const conflict = join(dir, 'conflict.json')
    writeFileSync(conflict, JSON.stringify({ debug: false, 'log-level': 'warn' }))
    const c = refused(['-D', '--config-file', conflict])
    assert.equal(c.code, 1)
    assert.match(c.stderr, new RegExp(`unable to configure the daemon with file ${conflict}: the following directives are specified both as a flag and in the configuration file: debug: \\(from flag: true, from file: false\\)`))
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, '{\n  "debug": true\n  "log-level": "info"\n}\n')
    const b = refused(['--config-file', bad])
    assert.equal(b.code, 1)
    assert.match(b.stderr, new RegExp(`unable to configure the daemon with file ${bad}: .*at line 3, column 3`))

    // hosts and log-level from the file: the daemon listens where the file says and logs no info lines.
    const d = new Daemon('crun')
    const extra = join(d.execRoot, 'extra.sock')
    writeFileSync(d.configFile, JSON.stringify({ hosts: [`unix://${extra}`], 'log-level': 'warn' }))
    // The harness passes -H itself: a daemon.json "hosts" would conflict, so use a second daemon by hand.
    const r = spawnSync(berthdBin, ['--data-root', d.dataRoot, '--exec-root', d.execRoot, '--config-file', d.configFile, '-H', `unix://${extra}`], { encoding: 'utf8', timeout: 20_000 })
    assert.equal(r.status, 1)
    assert.match(r.stderr, /hosts: \(from flag: \[unix:\/\/.*extra\.sock\], from file: \[unix:\/\/.*extra\.sock\]\)/)
    writeFileSync(d.configFile, JSON.stringify({ 'log-level': 'warn', 'live-restore': true }))
    try {
      await d.start()
      assert.equal(d.docker(['version', '--format', '{{.Server.Os}}']).stdout.trim(), 'linux')
      // --debug from the harness wins over nothing in the file; the ignored key is reported.
      assert.match(d.log(), /daemon\.json: \\"live-restore\\" is not applied by berth yet; ignored/)
    } finally {
      await d.stop()
    }
  })
})

describe('contexts shared with the docker CLI', { skip }, () => {
  const d = new Daemon()
  const config = mkdtempSync('/tmp/berth-docker-config-')
  before(() => d.start())
  after(async () => {
    await d.stop()
    rmSync(config, { recursive: true, force: true })
  })
  const env = { DOCKER_CONFIG: config, DOCKER_CLI_HINTS: 'false' }
  const berth = (args: string[]) => runCli(berthBin, args, { env })
  const docker = (args: string[]) => runCli('docker', args, { env })

  test('berth context create/use is seen by docker, and docker context create by berth', () => {
    const created = berth(['context', 'create', 'mine', '--description', 'private berthd', '--docker', `host=${d.host}`])
    assert.equal(created.code, 0, created.stderr)
    assert.equal(created.stdout, 'mine\n')
    assert.equal(created.stderr, 'Successfully created context "mine"\n')
    assert.match(docker(['context', 'ls', '--format', '{{.Name}}={{.DockerEndpoint}}']).stdout, new RegExp(`mine=${d.host}`))
    assert.equal(docker(['--context', 'mine', 'version', '--format', '{{.Server.Os}}']).stdout.trim(), 'linux')
    const used = berth(['context', 'use', 'mine'])
    assert.equal(used.stderr, 'Current context is now "mine"\n')
    assert.equal(docker(['context', 'show']).stdout.trim(), 'mine')
    assert.equal(berth(['version', '--format', '{{.Server.Os}}']).stdout.trim(), 'linux')
    assert.match(berth(['context', 'ls']).stdout, /^NAME\s+DESCRIPTION\s+DOCKER ENDPOINT\s+ERROR\ndefault\s+Current DOCKER_HOST based configuration\s+unix:\/\/\/run\/berth\/berth\.sock\s*\nmine \*\s+private berthd\s+unix:\/\/\/run\/bt-/)

    assert.equal(docker(['context', 'create', 'fromdocker', '--docker', `host=${d.host}`]).code, 0)
    assert.equal(berth(['--context', 'fromdocker', 'ps', '-a', '--format', '{{.ID}}']).code, 0)
    const inspect = JSON.parse(berth(['context', 'inspect', 'fromdocker']).stdout) as Array<{ Name: string; Endpoints: { docker: { Host: string } } }>
    assert.equal(inspect[0]?.Endpoints.docker.Host, d.host)
    assert.match(berth(['context', 'rm', 'mine']).stderr, /context "mine" is in use, set -f flag to force remove/)
    assert.equal(berth(['context', 'use', 'default']).code, 0)
    assert.equal(berth(['context', 'rm', 'mine', 'fromdocker']).stdout, 'mine\nfromdocker\n')
    assert.equal(docker(['context', 'ls', '-q']).stdout, 'default\n')
  })
})

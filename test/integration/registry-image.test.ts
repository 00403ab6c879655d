// berth's registry as a container image, used the way registry:2 is: `berth image bootstrap registry`
// builds berth/registry offline from the host's node and bin/berth-registry; then
// `docker run -d -p PORT:5000 -v VOL:/var/lib/registry berth/registry` through a real berthd, pushed
// to and pulled from with the real docker CLI; htpasswd auth and TLS through registry:2's variables.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { get as httpGet } from 'node:http'
import { get as httpsGet } from 'node:https'
import { join } from 'node:path'
import { Daemon, eventually, freePort, isRoot } from './harness.js'
import { htpasswdLine } from './registry-peers.js'

const hasTools = isRoot() && spawnSync('htpasswd', ['-h']).error === undefined && spawnSync('openssl', ['version']).status === 0
const skip = hasTools ? false : 'needs root, htpasswd and openssl (scripts/setup.sh installs them)'

/** The HTTP status of a GET ('000' when nothing answers over that protocol). `ca`: trust only it. */
function status(url: string, opts: { insecure?: boolean; ca?: string; servername?: string } = {}): Promise<string> {
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet
    const req = get(url, { timeout: 5000, rejectUnauthorized: !opts.insecure, ...(opts.ca ? { ca: readFileSync(opts.ca) } : {}), ...(opts.servername ? { servername: opts.servername } : {}) }, (res) => {
      res.resume()
      resolve(String(res.statusCode))
    })
    req.on('error', () => resolve('000'))
    req.on('timeout', () => req.destroy())
  })
}

describe('berth/registry image, run like registry:2', { skip }, () => {
  const d = new Daemon()
  const dir = mkdtempSync('/tmp/berth-registry-image-')
  const volume = `regdata-${process.pid}`
  before(async () => {
    await d.startWithBusybox()
    const boot = d.berth(['image', 'bootstrap', 'registry'])
    assert.equal(boot.code, 0, `${boot.stderr}\n${d.log()}`)
    assert.match(boot.stdout, /Loaded image: berth\/registry:latest/)
  })
  after(async () => {
    await d.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  test('bootstrap makes an image with registry:2\'s shape, and a second bootstrap keeps it', () => {
    const inspect = d.docker(['image', 'inspect', '--format', '{{json .Config}}', 'berth/registry'])
    assert.equal(inspect.code, 0, inspect.stderr)
    const config = JSON.parse(inspect.stdout) as { ExposedPorts: Record<string, object>; Volumes: Record<string, object>; Entrypoint: string[] }
    assert.deepEqual(Object.keys(config.ExposedPorts), ['5000/tcp'])
    assert.deepEqual(Object.keys(config.Volumes), ['/var/lib/registry'])
    const id = d.docker(['image', 'inspect', '--format', '{{.Id}}', 'berth/registry']).stdout
    assert.equal(d.berth(['image', 'bootstrap', 'registry']).code, 0)
    assert.equal(d.docker(['image', 'inspect', '--format', '{{.Id}}', 'berth/registry']).stdout, id)
  })

  test('docker run -d -p PORT:5000 -v VOL:/var/lib/registry: push, rmi, pull and run; the volume outlives the container', async () => {
    const port = await freePort()
    const addr = `127.0.0.1:${port}`
    const run = d.docker(['run', '-d', '--name', 'registry', '-p', `${addr}:5000`, '-v', `${volume}:/var/lib/registry`, 'berth/registry'])
    assert.equal(run.code, 0, run.stderr)
    await eventually(async () => (await status(`http://${addr}/v2/`)) === '200' || undefined, `registry on ${addr}`)

    const ref = `${addr}/it/busybox:1`
    assert.equal(d.docker(['tag', 'busybox', ref]).code, 0)
    const push = d.docker(['push', ref])
    assert.equal(push.code, 0, push.stderr)
    assert.match(push.stdout, /: Pushed$/m)
    assert.equal(d.docker(['rmi', ref, 'busybox']).code, 0)
    const pull = d.docker(['pull', ref])
    assert.equal(pull.code, 0, pull.stderr)
    assert.match(pull.stdout, /: Pull complete$/m)
    const echo = d.docker(['run', '--rm', ref, 'echo', 'from berth/registry'])
    assert.equal(echo.code, 0, echo.stderr)
    assert.equal(echo.stdout, 'from berth/registry\n')
    assert.equal(d.docker(['tag', ref, 'busybox']).code, 0)
    assert.match(d.docker(['logs', 'registry']).stdout, /PUT \/v2\/it\/busybox\/manifests\/1 201/)

    // A new container on the same volume serves what the first one stored.
    assert.equal(d.docker(['rm', '-f', 'registry']).code, 0)
    const again = d.docker(['run', '-d', '--name', 'registry2', '-p', `${addr}:5000`, '-v', `${volume}:/var/lib/registry`, 'berth/registry'])
    assert.equal(again.code, 0, again.stderr)
    await eventually(async () => (await status(`http://${addr}/v2/`)) === '200' || undefined, `second registry on ${addr}`)
    assert.equal(d.docker(['rmi', ref]).code, 0)
    const repull = d.docker(['pull', ref])
    assert.equal(repull.code, 0, repull.stderr)
    assert.equal(d.docker(['rm', '-f', 'registry2']).code, 0)
  })

  test('REGISTRY_AUTH=htpasswd: a wrong password is a clear 401, the right one logs in and pushes', async () => {
    const auth = join(dir, 'auth')
    mkdirSync(auth, { recursive: true })
    writeFileSync(join(auth, 'htpasswd'), `${htpasswdLine('alice', 's3cret')}\n`)
    const port = await freePort()
    const addr = `127.0.0.1:${port}`
    const run = d.docker(['run', '-d', '--name', 'secure', '-p', `${addr}:5000`, '-v', `${auth}:/auth:ro`,
      '-e', 'REGISTRY_AUTH=htpasswd', '-e', 'REGISTRY_AUTH_HTPASSWD_REALM=Registry Realm', '-e', 'REGISTRY_AUTH_HTPASSWD_PATH=/auth/htpasswd',
      'berth/registry'])
    assert.equal(run.code, 0, run.stderr)
    await eventually(async () => (await status(`http://${addr}/v2/`)) === '401' || undefined, `secure registry on ${addr}`)
    const env = { DOCKER_CONFIG: join(dir, 'docker-config') }

    const wrong = d.docker(['login', '-u', 'alice', '--password-stdin', addr], { env, input: 'nope\n' })
    assert.equal(wrong.code, 1)
    assert.match(wrong.stderr, new RegExp(`Error response from daemon: login attempt to http://${addr}/v2/ failed with status: 401 Unauthorized`))
    const ok = d.docker(['login', '-u', 'alice', '--password-stdin', addr], { env, input: 's3cret\n' })
    assert.equal(ok.code, 0, ok.stderr)
    assert.match(ok.stdout, /Login Succeeded/)
    const ref = `${addr}/secure/busybox:1`
    assert.equal(d.docker(['tag', 'busybox', ref]).code, 0)
    const push = d.docker(['push', ref], { env })
    assert.equal(push.code, 0, push.stderr)
    assert.equal(d.docker(['rm', '-f', 'secure']).code, 0)
  })

  test('REGISTRY_HTTP_TLS_CERTIFICATE/KEY and REGISTRY_HTTP_ADDR: serves HTTPS on the given port', async () => {
    const certs = join(dir, 'certs')
    mkdirSync(certs, { recursive: true })
    const gen = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-keyout', join(certs, 'domain.key'), '-out', join(certs, 'domain.crt')], { encoding: 'utf8' })
    assert.equal(gen.status, 0, gen.stderr)
    const port = await freePort()
    const addr = `127.0.0.1:${port}`
    const run = d.docker(['run', '-d', '--name', 'tls', '-p', `${addr}:5443`, '-v', `${certs}:/certs:ro`,
      '-e', 'REGISTRY_HTTP_ADDR=0.0.0.0:5443', '-e', 'REGISTRY_HTTP_TLS_CERTIFICATE=/certs/domain.crt', '-e', 'REGISTRY_HTTP_TLS_KEY=/certs/domain.key',
      'berth/registry'])
    assert.equal(run.code, 0, run.stderr)
    await eventually(async () => (await status(`https://${addr}/v2/`, { insecure: true })) === '200' || undefined, `TLS registry on ${addr}`)
    assert.equal(await status(`https://${addr}/v2/`, { ca: join(certs, 'domain.crt'), servername: 'localhost' }), '200', 'the certificate is the one given')
    assert.notEqual(await status(`http://${addr}/v2/`), '200', 'plain HTTP is not served')
    assert.equal(d.docker(['rm', '-f', 'tls']).code, 0)
  })

  test('a setting it cannot honour stops the container with a message naming the variable', async () => {
    const run = d.docker(['run', '--name', 'bad', '-e', 'REGISTRY_AUTH=token', 'berth/registry'])
    assert.equal(run.code, 1)
    assert.match(run.stderr, /REGISTRY_AUTH: only htpasswd is supported/)
    assert.equal(d.docker(['rm', '-f', 'bad']).code, 0)
  })
})

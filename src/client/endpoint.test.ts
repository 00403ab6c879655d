import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createContext, listContexts, readCurrentContext, removeContext, writeCurrentContext } from './context-store.js'
import { resolveEndpoint } from './endpoint.js'

async function configDir(t: { after(fn: () => Promise<void>): void }): Promise<NodeJS.ProcessEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-docker-config-'))
  t.after(() => rm(dir, { recursive: true, force: true }))
  return { DOCKER_CONFIG: dir }
}

test('resolveEndpoint() follows the docker order: -H, --context, DOCKER_HOST, DOCKER_CONTEXT, currentContext', async (t) => {
  const env = await configDir(t)
  createContext(env, { name: 'remote', description: 'r', endpoint: { host: 'tcp://10.0.0.1:2376', skipTLSVerify: false }, tls: { ca: Buffer.from('CA') } })
  assert.equal(resolveEndpoint({}, env).host, 'unix:///run/berth/berth.sock')
  writeCurrentContext(env, 'remote')
  const viaConfig = resolveEndpoint({}, env)
  assert.equal(viaConfig.host, 'tcp://10.0.0.1:2376')
  assert.equal(viaConfig.context, 'remote')
  assert.deepEqual(viaConfig.tls?.ca, Buffer.from('CA'))
  assert.equal(viaConfig.tls?.verify, true)
  assert.equal(resolveEndpoint({}, { ...env, DOCKER_HOST: 'unix:///x.sock' }).host, 'unix:///x.sock')
  assert.equal(resolveEndpoint({ context: 'remote' }, { ...env, DOCKER_HOST: 'unix:///x.sock' }).host, 'tcp://10.0.0.1:2376')
  assert.equal(resolveEndpoint({ host: ['unix:///h.sock'] }, env).host, 'unix:///h.sock')
  assert.equal(resolveEndpoint({}, { ...env, DOCKER_CONTEXT: 'default' }).host, 'unix:///run/berth/berth.sock')
  assert.throws(() => resolveEndpoint({ context: 'nope' }, env), /context "nope" does not exist/)
  assert.throws(() => resolveEndpoint({ context: 'remote', host: ['unix:///h'] }, env), /cannot specify both --host and --context/)
})

test('resolveEndpoint() reads TLS files from DOCKER_CERT_PATH with DOCKER_TLS_VERIFY, and --tls without verification', async (t) => {
  const env = await configDir(t)
  const certs = env.DOCKER_CONFIG!
  await writeFile(join(certs, 'ca.pem'), 'CA')
  await writeFile(join(certs, 'cert.pem'), 'CERT')
  await writeFile(join(certs, 'key.pem'), 'KEY')
  const verified = resolveEndpoint({ host: ['tcp://127.0.0.1:2376'] }, { DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs })
  assert.deepEqual(verified.tls, { verify: true, ca: Buffer.from('CA'), cert: Buffer.from('CERT'), key: Buffer.from('KEY') })
  assert.equal(resolveEndpoint({ host: ['tcp://127.0.0.1:2376'], tls: true }, { DOCKER_CERT_PATH: certs }).tls?.verify, false)
  assert.equal(resolveEndpoint({ host: ['tcp://127.0.0.1:2375'] }, { DOCKER_CERT_PATH: certs }).tls, undefined)
})

test('context store keeps Docker\'s layout: list, current context in config.json, remove', async (t) => {
  const env = await configDir(t)
  await writeFile(join(env.DOCKER_CONFIG!, 'config.json'), JSON.stringify({ auths: { 'localhost:5000': { auth: 'eDp5' } } }))
  createContext(env, { name: 'b', description: '', endpoint: { host: 'unix:///b.sock', skipTLSVerify: false }, tls: {} })
  createContext(env, { name: 'a', description: 'first', endpoint: { host: 'unix:///a.sock', skipTLSVerify: true }, tls: {} })
  assert.throws(() => createContext(env, { name: 'a', description: '', endpoint: { host: 'x', skipTLSVerify: false }, tls: {} }), /context "a" already exists/)
  assert.throws(() => createContext(env, { name: 'default', description: '', endpoint: { host: 'x', skipTLSVerify: false }, tls: {} }), /reserved/)
  assert.deepEqual(listContexts(env).map((c) => [c.name, c.endpoint.host, c.endpoint.skipTLSVerify]), [['a', 'unix:///a.sock', true], ['b', 'unix:///b.sock', false]])
  writeCurrentContext(env, 'a')
  assert.equal(readCurrentContext(env), 'a')
  const { readFile } = await import('node:fs/promises')
  assert.deepEqual(JSON.parse(await readFile(join(env.DOCKER_CONFIG!, 'config.json'), 'utf8')).auths, { 'localhost:5000': { auth: 'eDp5' } })
  removeContext(env, 'b')
  assert.deepEqual(listContexts(env).map((c) => c.name), ['a'])
  writeCurrentContext(env, 'default')
  assert.equal(readCurrentContext(env), undefined)
})

test('resolveEndpoint() verifies against node roots plus the extra CA file the launcher handed over, unless a CA is given', async (t) => {
  const env = await configDir(t)
  const dir = env.DOCKER_CONFIG!
  await writeFile(join(dir, 'extra.pem'), 'EXTRA')
  const host = { host: ['tcp://127.0.0.1:2376'], tlsverify: true }
  const extra = resolveEndpoint(host, { ...env, DOCKER_CERT_PATH: dir, BERTH_EXTRA_CA_CERTS: join(dir, 'extra.pem') }).tls?.ca as Array<string | Buffer>
  assert.ok(Array.isArray(extra) && extra.length > 1)
  assert.deepEqual(extra.at(-1), Buffer.from('EXTRA'))
  assert.equal(resolveEndpoint(host, { ...env, DOCKER_CERT_PATH: dir }).tls?.ca, undefined)
  await writeFile(join(dir, 'ca.pem'), 'CA')
  assert.deepEqual(resolveEndpoint(host, { ...env, DOCKER_CERT_PATH: dir, BERTH_EXTRA_CA_CERTS: join(dir, 'extra.pem') }).tls?.ca, Buffer.from('CA'))
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { authKeyFor, authKeyForImage, credentialsFor, encodeRegistryAuth, readDockerConfig, writeDockerConfig } from './docker-config.js'

test('authKeyFor() maps Docker Hub names to its key and strips schemes', () => {
  assert.equal(authKeyFor(undefined), 'https://index.docker.io/v1/')
  assert.equal(authKeyFor('docker.io'), 'https://index.docker.io/v1/')
  assert.equal(authKeyFor('http://127.0.0.1:5000/v2/'), '127.0.0.1:5000')
  assert.equal(authKeyForImage('127.0.0.1:5000/a/b:1'), '127.0.0.1:5000')
  assert.equal(authKeyForImage('busybox'), 'https://index.docker.io/v1/')
})

test('writeDockerConfig() keeps other keys, stores base64 user:pass with mode 0600', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-cfg-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const env = { DOCKER_CONFIG: dir }
  writeDockerConfig(env, { psFormat: 'x', auths: { 'r:5000': { auth: Buffer.from('u:p:q').toString('base64') } } })
  assert.equal(statSync(join(dir, 'config.json')).mode & 0o777, 0o600)
  assert.equal(readDockerConfig(env).psFormat, 'x')
  assert.deepEqual(credentialsFor(env, 'r:5000'), { username: 'u', password: 'p:q', serveraddress: 'r:5000' })
  assert.match(readFileSync(join(dir, 'config.json'), 'utf8'), /"auth": "dTpwOnE="/)
  assert.equal(encodeRegistryAuth(undefined), 'e30')
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { registryConfigFromEnv } from './env-config.js'

test('registryConfigFromEnv defaults to registry:2 (every address, port 5000, /var/lib/registry)', () => {
  assert.deepEqual(registryConfigFromEnv({}), { addr: '0.0.0.0:5000', root: '/var/lib/registry', deleteEnabled: false })
})

test('registryConfigFromEnv honours address, storage root, htpasswd auth and TLS', () => {
  const config = registryConfigFromEnv({
    REGISTRY_HTTP_ADDR: ':5443',
    REGISTRY_STORAGE_FILESYSTEM_ROOTDIRECTORY: '/data',
    REGISTRY_AUTH: 'htpasswd',
    REGISTRY_AUTH_HTPASSWD_PATH: '/auth/htpasswd',
    REGISTRY_AUTH_HTPASSWD_REALM: 'Registry Realm',
    REGISTRY_HTTP_TLS_CERTIFICATE: '/certs/domain.crt',
    REGISTRY_HTTP_TLS_KEY: '/certs/domain.key',
    REGISTRY_STORAGE_DELETE_ENABLED: 'true',
  })
  assert.deepEqual(config, {
    addr: '0.0.0.0:5443',
    root: '/data',
    deleteEnabled: true,
    htpasswd: { path: '/auth/htpasswd', realm: 'Registry Realm' },
    tls: { cert: '/certs/domain.crt', key: '/certs/domain.key' },
  })
  assert.equal(registryConfigFromEnv({ REGISTRY_HTTP_ADDR: '127.0.0.1:6000' }).addr, '127.0.0.1:6000')
  assert.equal(registryConfigFromEnv({ REGISTRY_AUTH_HTPASSWD_PATH: '/p' }).htpasswd?.realm, 'Registry Realm')
})

test('registryConfigFromEnv rejects what it cannot honour, naming the variable', () => {
  assert.throws(() => registryConfigFromEnv({ REGISTRY_AUTH: 'token' }), /REGISTRY_AUTH: only htpasswd/)
  assert.throws(() => registryConfigFromEnv({ REGISTRY_AUTH: 'htpasswd' }), /needs REGISTRY_AUTH_HTPASSWD_PATH/)
  assert.throws(() => registryConfigFromEnv({ REGISTRY_HTTP_TLS_KEY: '/k' }), /go together/)
  assert.throws(() => registryConfigFromEnv({ REGISTRY_HTTP_ADDR: 'localhost' }), /REGISTRY_HTTP_ADDR: invalid address/)
  assert.throws(() => registryConfigFromEnv({ REGISTRY_STORAGE: 's3' }), /REGISTRY_STORAGE: only the filesystem driver/)
  assert.throws(() => registryConfigFromEnv({ REGISTRY_STORAGE_DELETE_ENABLED: 'yes' }), /REGISTRY_STORAGE_DELETE_ENABLED: want true or false/)
})

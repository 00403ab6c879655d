import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseWwwAuthenticate } from './www-authenticate.js'
import { isInsecure } from './registry-client.js'

test('parseWwwAuthenticate() reads Bearer params with quoted commas and several challenges', () => {
  const got = parseWwwAuthenticate('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull,push", Basic realm="x"')
  assert.deepEqual(got, [
    { scheme: 'bearer', params: { realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull,push' } },
    { scheme: 'basic', params: { realm: 'x' } },
  ])
  assert.deepEqual(parseWwwAuthenticate('Basic realm="with \\"quote\\""'), [{ scheme: 'basic', params: { realm: 'with "quote"' } }])
})

test('isInsecure() allows loopback and configured registries only', () => {
  assert.equal(isInsecure('localhost:5000', []), true)
  assert.equal(isInsecure('127.3.4.5:80', []), true)
  assert.equal(isInsecure('[::1]:5000', []), true)
  assert.equal(isInsecure('registry.example:5000', []), false)
  assert.equal(isInsecure('registry.example:5000', ['registry.example:5000']), true)
  assert.equal(isInsecure('10.1.2.3:5000', ['10.0.0.0/8']), true)
  assert.equal(isInsecure('11.1.2.3:5000', ['10.0.0.0/8']), false)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_DAEMON_HOST, parseDaemonHost, resolveDaemonHost } from './daemon-host.js'

test('resolveDaemonHost() prefers the flag, then DOCKER_HOST, then the default socket', () => {
  assert.equal(resolveDaemonHost(['tcp://a:1'], { DOCKER_HOST: 'unix:///b' }), 'tcp://a:1')
  assert.equal(resolveDaemonHost([], { DOCKER_HOST: 'unix:///b' }), 'unix:///b')
  assert.equal(resolveDaemonHost(undefined, {}), DEFAULT_DAEMON_HOST)
  assert.equal(DEFAULT_DAEMON_HOST, 'unix:///run/berth/berth.sock')
})

test('resolveDaemonHost() refuses more than one -H', () => {
  assert.throws(() => resolveDaemonHost(['unix:///a', 'unix:///b'], {}), /Specify only one -H/)
})

test('parseDaemonHost() understands unix, tcp, http and bare host:port', () => {
  assert.deepEqual(parseDaemonHost('unix:///run/x.sock'), { kind: 'unix', socketPath: '/run/x.sock' })
  assert.deepEqual(parseDaemonHost('tcp://10.0.0.1:2376'), { kind: 'tcp', hostname: '10.0.0.1', port: 2376 })
  assert.deepEqual(parseDaemonHost('http://example.com'), { kind: 'tcp', hostname: 'example.com', port: 2375 })
  assert.deepEqual(parseDaemonHost('tcp://[::1]:99'), { kind: 'tcp', hostname: '::1', port: 99 })
  assert.deepEqual(parseDaemonHost('localhost:1234'), { kind: 'tcp', hostname: 'localhost', port: 1234 })
})

test('parseDaemonHost() rejects unsupported schemes and bad ports', () => {
  assert.throws(() => parseDaemonHost('ssh://me@host'), /unsupported protocol "ssh"/)
  assert.throws(() => parseDaemonHost('tcp://host:99999'), /invalid port/)
})

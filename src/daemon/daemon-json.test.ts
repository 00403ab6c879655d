import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseDaemonArgs } from './config.js'
import { DaemonConfigError, jsonErrorOffset } from './daemon-json.js'

const files = (map: Record<string, string>) => (path: string): string | undefined => map[path]

test('parseDaemonArgs() takes daemon.json keys with dockerd names: hosts, data-root, debug, tlsverify', () => {
  const c = parseDaemonArgs([], files({
    '/etc/berth/daemon.json': JSON.stringify({ hosts: ['unix:///tmp/x.sock', 'tcp://127.0.0.1:2376'], 'data-root': '/d', debug: true, tlsverify: true, tlscacert: '/c/ca.pem', tlscert: '/c/cert.pem', tlskey: '/c/key.pem', 'default-runtime': 'runc' }),
  }))
  assert.deepEqual(c.hosts, ['unix:///tmp/x.sock', 'tcp://127.0.0.1:2376'])
  assert.equal(c.dataRoot, '/d')
  assert.equal(c.logLevel, 'debug')
  assert.equal(c.runtime, 'runc')
  assert.deepEqual(c.tls, { verify: true, ca: '/c/ca.pem', cert: '/c/cert.pem', key: '/c/key.pem' })
  assert.equal(c.configFile, '/etc/berth/daemon.json')
})

test('parseDaemonArgs() refuses a key given both as a flag and in the file, naming both values', () => {
  assert.throws(
    () => parseDaemonArgs(['--data-root', '/flag'], files({ '/etc/berth/daemon.json': '{"data-root": "/file"}' })),
    (e: unknown) => e instanceof DaemonConfigError &&
      e.message === 'unable to configure the daemon with file /etc/berth/daemon.json: the following directives are specified both as a flag and in the configuration file: data-root: (from flag: /flag, from file: /file)',
  )
})

test('parseDaemonArgs() names the file and position of malformed JSON, and unknown keys', () => {
  assert.throws(
    () => parseDaemonArgs(['--config-file', '/x.json'], files({ '/x.json': '{\n  "debug": true,\n}' })),
    (e: unknown) => e instanceof DaemonConfigError && /^unable to configure the daemon with file \/x\.json: .* at line 3, column 1$/.test(e.message),
  )
  assert.throws(
    () => parseDaemonArgs([], files({ '/etc/berth/daemon.json': '{"no-such-thing": 1}' })),
    /the following directives don't match any configuration option: no-such-thing/,
  )
  assert.throws(() => parseDaemonArgs([], files({ '/etc/berth/daemon.json': '{"debug": "yes"}' })), /"debug" must be true or false/)
  assert.throws(() => parseDaemonArgs([], files({ '/etc/berth/daemon.json': '{"default-runtime": "kata"}' })), /invalid value "kata" for "default-runtime"/)
})

test('parseDaemonArgs() accepts Docker keys berth does not apply with a warning, a missing default file, and needs an explicit one', () => {
  const c = parseDaemonArgs([], files({ '/etc/berth/daemon.json': '{"live-restore": true}' }))
  assert.deepEqual(c.configWarnings, ['daemon.json: "live-restore" is not applied by berth yet; ignored'])
  assert.equal(parseDaemonArgs([], files({})).configFile, undefined)
  assert.throws(() => parseDaemonArgs(['--config-file', '/nope.json'], files({})), /open \/nope\.json: no such file or directory/)
})

test('parseDaemonArgs() --tls=false allows plain TCP; --tls alone is TLS without client verification', () => {
  assert.equal(parseDaemonArgs(['--tls=false']).insecureTcpAllowed, true)
  assert.equal(parseDaemonArgs([]).insecureTcpAllowed, false)
  const c = parseDaemonArgs(['--tls', '--tlscert', '/a', '--tlskey', '/b'])
  assert.equal(c.tls?.verify, false)
  assert.equal(c.insecureTcpAllowed, false)
})

test('jsonErrorOffset() finds the first syntax error JSON.parse does not locate', () => {
  assert.equal(jsonErrorOffset('{"a": [1,\n]}'), 10)
  assert.equal(jsonErrorOffset('{"a": tru}'), 9)
  assert.equal(jsonErrorOffset('{"a": 1} x'), 9)
  assert.equal(jsonErrorOffset('{"a": [1, 2], "b": {"c": null}}'), undefined)
  assert.throws(
    () => parseDaemonArgs(['--config-file', '/y.json'], files({ '/y.json': '{\n  "labels": ["a=b",\n}\n' })),
    (e: unknown) => e instanceof DaemonConfigError && e.message === "unable to configure the daemon with file /y.json: Unexpected token '}' at line 3, column 1",
  )
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseDaemonArgs } from './config.js'

test('parseDaemonArgs() defaults to the berth socket, data and exec roots, crun', () => {
  const c = parseDaemonArgs([])
  assert.deepEqual(c.hosts, ['unix:///run/berth/berth.sock'])
  assert.equal(c.dataRoot, '/var/lib/berth')
  assert.equal(c.execRoot, '/run/berth')
  assert.equal(c.pidfile, '/run/berth/berthd.pid')
  assert.equal(c.runtime, 'crun')
  assert.equal(c.logLevel, 'info')
})

test('parseDaemonArgs() takes dockerd flag names, repeated -H and --debug', () => {
  const c = parseDaemonArgs(['-H', 'unix:///tmp/a.sock', '--host=unix:///tmp/b.sock', '--data-root', '/d', '--exec-root', '/e', '--runtime', 'runc', '-D'])
  assert.deepEqual(c.hosts, ['unix:///tmp/a.sock', 'unix:///tmp/b.sock'])
  assert.equal(c.dataRoot, '/d')
  assert.equal(c.pidfile, '/e/berthd.pid')
  assert.equal(c.runtime, 'runc')
  assert.equal(c.logLevel, 'debug')
})

test('parseDaemonArgs() rejects an unknown runtime and unknown flags', () => {
  assert.throws(() => parseDaemonArgs(['--runtime', 'kata']))
  assert.throws(() => parseDaemonArgs(['--bogus']))
})

test('parseDaemonArgs() collects --insecure-registry entries and --loopback-registries-only', () => {
  const c = parseDaemonArgs(['--insecure-registry', 'reg.lan:5000', '--insecure-registry=10.0.0.0/8', '--loopback-registries-only'])
  assert.deepEqual(c.insecureRegistries, ['reg.lan:5000', '10.0.0.0/8'])
  assert.equal(c.loopbackRegistriesOnly, true)
  assert.equal(parseDaemonArgs([]).loopbackRegistriesOnly, false)
})

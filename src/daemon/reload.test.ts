import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseDaemonArgs } from './config.js'
import { reloadConfig, validateDaemonLabels, type ReloadTargets } from './reload.js'

/** Targets that record every call. */
function recorder(): ReloadTargets & { calls: string[]; events: Array<Record<string, string>> } {
  const calls: string[] = []
  const events: Array<Record<string, string>> = []
  return {
    calls,
    events,
    setLogLevel: (l) => calls.push(`log-level=${l}`),
    setDebug: (d) => calls.push(`debug=${d}`),
    setLabels: (l) => calls.push(`labels=${l.join(',')}`),
    setInsecureRegistries: (r) => calls.push(`insecure=${r.join(',')}`),
    publishReload: (a) => events.push(a),
  }
}

const withFile = (json: string, args: string[] = []) => parseDaemonArgs(['--config-file', '/etc/x.json', ...args], () => json)

test('reloadConfig applies log level, debug, labels and insecure registries that changed', () => {
  const current = withFile('{}')
  const next = withFile('{"debug": true, "labels": ["a=b"], "insecure-registries": ["reg.example:5000"]}')
  const t = recorder()
  const result = reloadConfig(current, next, t)
  assert.deepEqual(t.calls, ['log-level=debug', 'debug=true', 'labels=a=b', 'insecure=reg.example:5000'])
  assert.deepEqual(result.applied, ['log-level', 'debug', 'labels', 'insecure-registries'])
  assert.deepEqual(result.needRestart, [])
  assert.deepEqual(result.config.labels, ['a=b'])
  assert.equal(t.events.length, 1)
  assert.equal(t.events[0]?.['labels'], '["a=b"]')
  assert.equal(t.events[0]?.['debug'], 'true')
  assert.equal(t.events[0]?.['insecure-registries'], '["reg.example:5000"]')
})

test('reloadConfig reports changes that need a restart and keeps their current values', () => {
  const current = withFile('{}')
  const next = withFile('{"data-root": "/elsewhere", "bip": "10.9.0.1/24", "default-runtime": "runc"}')
  const t = recorder()
  const result = reloadConfig(current, next, t)
  assert.deepEqual(result.needRestart, ['data-root', 'default-runtime', 'bip'])
  assert.equal(result.config.dataRoot, current.dataRoot)
  assert.equal(result.config.runtime, 'crun')
  assert.deepEqual(t.calls, [])
  assert.deepEqual(result.applied, [])
  assert.equal(t.events.length, 1, 'a reload event is published even when nothing changed')
})

test('parseDaemonArgs reads labels from flags and daemon.json and refuses ones without "="', () => {
  assert.deepEqual(parseDaemonArgs(['--label', 'a=1', '--label', 'b=2']).labels, ['a=1', 'b=2'])
  assert.deepEqual(withFile('{"labels": ["x=y"]}').labels, ['x=y'])
  assert.throws(() => parseDaemonArgs(['--label', 'novalue']), /bad attribute format: novalue/)
  assert.doesNotThrow(() => validateDaemonLabels(['k=']))
})

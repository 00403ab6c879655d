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
    setTransfers: (l) => calls.push(`transfers=${l.downloads}/${l.uploads}`),
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

test('parseDaemonArgs takes --userns-remap and the daemon.json key userns-remap; a change needs a restart', () => {
  assert.equal(parseDaemonArgs(['--userns-remap=default']).usernsRemap, 'default')
  assert.equal(withFile('{"userns-remap": "alice:staff"}').usernsRemap, 'alice:staff')
  assert.equal(parseDaemonArgs([]).usernsRemap, undefined)
  const t = recorder()
  assert.deepEqual(reloadConfig(withFile('{}'), withFile('{"userns-remap": "default"}'), t).needRestart, ['userns-remap'])
})

test('reloadConfig applies max-concurrent-downloads/uploads from daemon.json numbers; bad counts are refused', () => {
  const t = recorder()
  const result = reloadConfig(withFile('{}'), withFile('{"max-concurrent-downloads": 6}'), t)
  assert.deepEqual(t.calls, ['transfers=6/5'])
  assert.deepEqual(result.applied, ['max-concurrent-downloads'])
  assert.equal(t.events[0]?.['max-concurrent-downloads'], '6')
  assert.equal(parseDaemonArgs(['--max-concurrent-uploads', '2']).maxConcurrentUploads, 2)
  assert.throws(() => withFile('{"max-concurrent-downloads": 0}'), /invalid max concurrent downloads: 0/)
  assert.throws(() => withFile('{"max-concurrent-uploads": "x"}'), /invalid max concurrent uploads: x/)
})

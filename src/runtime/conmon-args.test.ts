import { test } from 'node:test'
import assert from 'node:assert/strict'
import { conmonArgs, runtimePaths, socketName } from './conmon-args.js'

const bins = { conmonPath: '/usr/bin/conmon', runtimePath: '/usr/bin/crun' }
const paths = runtimePaths('/run/berth/runtime')
const base = { containerId: 'c1', bundleDir: '/var/lib/berth/containers/c1', logPath: '/var/lib/berth/containers/c1/container.log' }

/** Value following `flag` in argv (undefined when absent). */
function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name)
  return i < 0 ? undefined : argv[i + 1]
}

test('conmonArgs() wires conmon to the runtime, bundle, log and runtime dirs', () => {
  const argv = conmonArgs({ ...base, tty: false, openStdin: false }, bins, paths)
  assert.equal(argv[0], '/usr/bin/conmon')
  assert.equal(flag(argv, '--api-version'), '1')
  assert.equal(flag(argv, '-c'), 'c1')
  assert.equal(flag(argv, '-u'), 'c1')
  assert.equal(flag(argv, '-n'), 'c1')
  assert.equal(flag(argv, '-r'), '/usr/bin/crun')
  assert.equal(flag(argv, '-b'), '/var/lib/berth/containers/c1')
  assert.equal(flag(argv, '-p'), '/run/berth/runtime/persist/c1/pidfile')
  assert.equal(flag(argv, '--conmon-pidfile'), '/run/berth/runtime/persist/c1/conmon.pid')
  assert.equal(flag(argv, '-l'), 'k8s-file:/var/lib/berth/containers/c1/container.log')
  assert.equal(flag(argv, '--exit-dir'), '/run/berth/runtime/exits')
  assert.equal(flag(argv, '--persist-dir'), '/run/berth/runtime/persist/c1')
  assert.equal(flag(argv, '--socket-dir-path'), '/run/berth/runtime/sock')
  assert.equal(flag(argv, '--runtime-arg'), '--root=/run/berth/runtime/state')
  assert.ok(argv.includes('--no-sync-log'))
  for (const absent of ['-t', '-i', '--log-size-max', '--syslog']) assert.ok(!argv.includes(absent), `${absent} not passed`)
})

test('conmonArgs() adds -t, -i and --log-size-max only when asked', () => {
  const argv = conmonArgs({ ...base, tty: true, openStdin: true, logMaxSize: 10_485_760 }, bins, paths)
  assert.ok(argv.includes('-t'))
  assert.ok(argv.includes('-i'))
  assert.equal(flag(argv, '--log-size-max'), '10485760')
})

test('conmonArgs() drives runc with the same --root runtime argument', () => {
  const argv = conmonArgs({ ...base, tty: false, openStdin: false }, { ...bins, runtimePath: '/usr/sbin/runc' }, paths)
  assert.equal(flag(argv, '-r'), '/usr/sbin/runc')
  assert.equal(flag(argv, '--runtime-arg'), '--root=/run/berth/runtime/state')
})

test('conmonArgs() gives conmon a 32-character socket name so the attach path fits in sun_path', () => {
  const id = 'a'.repeat(32) + 'b'.repeat(32)
  const argv = conmonArgs(
    { containerId: id, bundleDir: '/b', logPath: '/b/container.log', tty: false, openStdin: false },
    { conmonPath: '/usr/bin/conmon', runtimePath: '/usr/bin/crun' },
    runtimePaths('/run/a-rather-long-exec-root-for-berth/runtime'),
  )
  assert.equal(argv[argv.indexOf('-c') + 1], id)
  assert.equal(argv[argv.indexOf('-u') + 1], socketName(id))
  const attach = `/run/a-rather-long-exec-root-for-berth/runtime/sock/${socketName(id)}/attach`
  assert.ok(Buffer.byteLength(attach) < 108, attach)
})

test('conmonArgs() keeps stdin open across attach sessions unless StdinOnce without a TTY', () => {
  const once = conmonArgs({ ...base, tty: false, openStdin: true, stdinOnce: true }, bins, paths)
  assert.ok(once.includes('-i') && !once.includes('--leave-stdin-open'))
  const kept = conmonArgs({ ...base, tty: false, openStdin: true, stdinOnce: false }, bins, paths)
  assert.ok(kept.includes('--leave-stdin-open'))
  const tty = conmonArgs({ ...base, tty: true, openStdin: true, stdinOnce: true }, bins, paths)
  assert.ok(tty.includes('--leave-stdin-open'))
  assert.ok(!conmonArgs({ ...base, tty: true, openStdin: false }, bins, paths).includes('--leave-stdin-open'))
})

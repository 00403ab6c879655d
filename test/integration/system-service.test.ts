// `berth system service install|uninstall` writes berthd's systemd units for this installation; on a
// host without systemd (PID 1 is not systemd) it says so and fails only when asked to start.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { berthBin, berthdBin, isRoot, runCli } from './harness.js'

const skip = isRoot() ? false : 'needs root'
const systemd = existsSync('/run/systemd/system')

test('berth system service install --unit-dir --no-start writes both units with this berthd', { skip }, (t) => {
  const dir = mkdtempSync('/tmp/berth-units-')
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const r = runCli(berthBin, ['system', 'service', 'install', '--unit-dir', dir, '--no-start'])
  assert.equal(r.code, 0, r.stderr)
  const service = readFileSync(join(dir, 'berthd.service'), 'utf8')
  assert.match(service, new RegExp(`\\nExecStart=${berthdBin.replace(/[.]/g, '\\.')} -H fd://\\n`))
  assert.match(service, /\nExecReload=\/bin\/kill -s HUP \$MAINPID\n/)
  assert.match(readFileSync(join(dir, 'berthd.socket'), 'utf8'), /\nListenStream=\/run\/berth\/berth\.sock\n/)

  const prefixed = runCli(berthBin, ['system', 'service', 'install', '--unit-dir', dir, '--no-start', '--prefix', '/opt/berth'])
  assert.equal(prefixed.code, 0, prefixed.stderr)
  assert.match(prefixed.stderr, /WARNING: \/opt\/berth\/bin\/berthd does not exist/)
  assert.match(readFileSync(join(dir, 'berthd.service'), 'utf8'), /\nExecStart=\/opt\/berth\/bin\/berthd -H fd:\/\/\n/)

  const removed = runCli(berthBin, ['system', 'service', 'uninstall', '--unit-dir', dir])
  assert.equal(removed.code, 0, removed.stderr)
  assert.equal(existsSync(join(dir, 'berthd.service')), false)
  assert.equal(existsSync(join(dir, 'berthd.socket')), false)
  assert.equal(dirname(berthdBin), dirname(berthBin))
})

test('berth system service install without systemd writes the units but fails to start', { skip: skip || (systemd && 'systemd runs this host') }, (t) => {
  const dir = mkdtempSync('/tmp/berth-units-')
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const r = runCli(berthBin, ['system', 'service', 'install', '--unit-dir', dir])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /berthd was not started: systemd is not running on this host \(PID 1 is "[^"]+"\)/)
  assert.ok(existsSync(join(dir, 'berthd.service')))
  const noStart = runCli(berthBin, ['system', 'service', 'install', '--unit-dir', dir, '--no-start'])
  assert.equal(noStart.code, 0, noStart.stderr)
  assert.match(noStart.stdout, /Note: systemd is not running on this host/)
})

test('berth system service rejects an unknown action', { skip }, () => {
  const r = runCli(berthBin, ['system', 'service', 'restart'])
  assert.equal(r.code, 1)
  assert.match(r.stderr, /unknown action "restart": use install or uninstall/)
})

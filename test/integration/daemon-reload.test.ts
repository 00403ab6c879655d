// SIGHUP reloads what dockerd reloads and berthd has (labels, insecure registries, debug/log level),
// publishes a `daemon reload` event, reports settings that need a restart, and keeps serving with
// the old configuration when daemon.json does not parse.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { Daemon, isRoot } from './harness.js'

const skip = isRoot() ? false : 'needs root'

async function until<T>(what: string, probe: () => T | undefined, d: Daemon): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = probe()
    if (v !== undefined) return v
    await new Promise((r) => setTimeout(r, 50))
  }
  throw new Error(`${what} never happened:\n${d.log()}`)
}

describe('berthd SIGHUP configuration reload', { skip }, () => {
  let d: Daemon
  let pid = 0
  const fullLog = (): string => readFileSync(d.logFile, 'utf8')
  /** Sends SIGHUP and waits for the reload to be logged (the n-th one). */
  let reloads = 0
  const hup = async (): Promise<void> => {
    reloads++
    process.kill(pid, 'SIGHUP')
    await until('the reload', () => {
      const n = fullLog().split('\n').filter((l) => /Reloaded configuration|Error reloading configuration/.test(l)).length
      return n >= reloads ? true : undefined
    }, d)
  }
  before(async () => {
    d = new Daemon('crun')
    await d.start()
    pid = Number(readFileSync(join(d.execRoot, 'berthd.pid'), 'utf8'))
  })
  after(async () => {
    await d?.stop()
  })

  test('labels and insecure registries from daemon.json take effect and a daemon reload event is published', async () => {
    const since = Math.floor(Date.now() / 1000) - 1
    writeFileSync(d.configFile, JSON.stringify({ labels: ['tier=test', 'zone=a'], 'insecure-registries': ['reg.invalid:5000'], 'max-concurrent-downloads': 5 }))
    await hup()
    const info = JSON.parse(d.docker(['info', '--format', '{{json .}}']).stdout) as {
      Labels: string[]; RegistryConfig: { IndexConfigs: Record<string, { Secure: boolean }>; InsecureRegistryCIDRs: string[] }
    }
    assert.deepEqual(info.Labels, ['tier=test', 'zone=a'])
    assert.equal(info.RegistryConfig.IndexConfigs['reg.invalid:5000']?.Secure, false)
    assert.ok(info.RegistryConfig.InsecureRegistryCIDRs.includes('127.0.0.0/8'))
    for (const cli of ['docker', 'berth'] as const) {
      const text = d.cli(cli, ['info']).stdout
      assert.match(text, /Labels:\n {2}tier=test\n {2}zone=a\n/, cli)
      assert.match(text, /Insecure Registries:\n {2}reg\.invalid:5000\n/, cli)
    }
    const events = d.docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'type=daemon', '--format', '{{.Action}} {{index .Actor.Attributes "labels"}} {{index .Actor.Attributes "max-concurrent-downloads"}}'])
    assert.equal(events.code, 0, events.stderr)
    assert.match(events.stdout, /^reload \["tier=test","zone=a"\] 5$/m)
    assert.match(fullLog(), /msg="Reloaded configuration: \{.*" changed="labels,insecure-registries,max-concurrent-downloads"/)
  })

  test('a setting that needs a restart is reported and not applied', async () => {
    writeFileSync(d.configFile, JSON.stringify({ labels: ['tier=test', 'zone=a'], 'max-concurrent-downloads': 5, 'firewall-backend': 'iptables' }))
    await hup()
    assert.match(fullLog(), /configuration changes that need a restart of berthd were not applied: firewall-backend/)
    assert.deepEqual(JSON.parse(d.docker(['info', '--format', '{{json .Labels}}']).stdout), ['tier=test', 'zone=a'])
  })

  test('a malformed daemon.json keeps the running configuration and is logged with its position', async () => {
    writeFileSync(d.configFile, '{\n  "labels": ["tier=broken",\n}\n')
    await hup()
    const log = fullLog()
    assert.match(log, /Error reloading configuration: keeping the current one/)
    assert.ok(log.includes(`unable to configure the daemon with file ${d.configFile}`), log.slice(-2000))
    assert.match(log, /at line 3, column 1/)
    assert.equal(d.docker(['version', '--format', '{{.Server.Version}}']).code, 0)
    assert.deepEqual(JSON.parse(d.docker(['info', '--format', '{{json .Labels}}']).stdout), ['tier=test', 'zone=a'])
  })
})

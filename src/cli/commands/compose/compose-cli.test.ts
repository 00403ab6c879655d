import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { EngineClient } from '../../../client/index.js'
import { runCli } from '../../cli.js'
import { fakeEngineClient, memoryIo } from '../../testing/fake-engine-client.js'

async function berth(argv: string[], responses: Parameters<typeof fakeEngineClient>[0] = {}) {
  const { client, calls } = fakeEngineClient(responses)
  const { io, stdout, stderr } = memoryIo()
  const code = await runCli(argv, io, { makeClient: (): EngineClient => client })
  return { code, stdout: stdout(), stderr: stderr(), calls }
}

function projectDir(t: { after: (fn: () => void) => void }, yaml: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'compose-cli-test-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'compose.yaml'), yaml)
  return dir
}

const YAML = 'services:\n  web: { image: busybox, depends_on: [db] }\n  db: { image: busybox }\n'

test('compose group flags work before and after the subcommand', async (t) => {
  const dir = projectDir(t, YAML)
  const before = await berth(['compose', '-f', join(dir, 'compose.yaml'), 'config', '--services'])
  assert.equal(before.code, 0, before.stderr)
  assert.deepEqual(before.stdout.split('\n').filter(Boolean).sort(), ['db', 'web'])
  const after = await berth(['compose', 'config', '--services', '--project-directory', dir, '-p', 'other'])
  assert.equal(after.code, 0, after.stderr)
  assert.deepEqual(after.stdout.split('\n').filter(Boolean).sort(), ['db', 'web'])
})

test('compose --help lists the subcommands and the global options', async () => {
  const { code, stdout } = await berth(['compose', '--help'])
  assert.equal(code, 0)
  assert.match(stdout, /^Usage: {2}berth compose \[OPTIONS\] COMMAND\n/)
  assert.match(stdout, /\n {2}up +Create and start containers\n/)
  assert.match(stdout, /\nOptions:\n[^]*-f, --file stringArray +Compose configuration files\n/)
})

test('compose up -d creates the network and containers in dependency order and starts them', async (t) => {
  const dir = projectDir(t, YAML)
  let n = 0
  const { code, stderr, calls } = await berth(['compose', '--project-directory', dir, '-p', 'proj', 'up', '-d'], {
    containerList: () => [],
    imageInspect: () => ({ value: { Id: 'sha256:img', Config: { Labels: {} } }, raw: '' }),
    networkList: () => [],
    networkCreate: () => ({ Id: 'net1', Warning: '' }),
    containerCreate: () => ({ Id: `c${++n}`, Warnings: [] }),
    containerStart: () => undefined,
  })
  assert.equal(code, 0, stderr)
  const creates = calls.filter((c) => c.method === 'containerCreate').map((c) => (c.args[1] as { name: string }).name)
  assert.deepEqual(creates, ['proj-db-1', 'proj-web-1'])
  const net = calls.find((c) => c.method === 'networkCreate')!.args[0] as { Name: string; Labels: Record<string, string> }
  assert.equal(net.Name, 'proj_default')
  assert.equal(net.Labels['com.docker.compose.network'], 'default')
  assert.deepEqual(calls.filter((c) => c.method === 'containerStart').map((c) => c.args[0]), ['c1', 'c2'])
  assert.match(stderr, / ✔ Network proj_default {2}Created\n/)
  assert.match(stderr, / ✔ Container proj-web-1 {2}Started\n/)
})

test('compose -p NAME down works without a compose file, from the project label', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'compose-cli-empty-'))
  t.after(() => rmSync(dir, { recursive: true, force: true }))
  const { code, stderr, calls } = await berth(['compose', '-p', 'gone', '--project-directory', dir, 'down'], {
    containerList: () => [{ Id: 'x1', Names: ['/gone-web-1'], State: 'exited', Labels: { 'com.docker.compose.project': 'gone', 'com.docker.compose.service': 'web', 'com.docker.compose.container-number': '1' }, Created: 1 }],
    containerRemove: () => undefined,
    networkList: () => [{ Name: 'gone_default', Id: 'n1', Labels: { 'com.docker.compose.project': 'gone' } }],
    networkRemove: () => undefined,
  })
  assert.equal(code, 0, stderr)
  assert.deepEqual(calls.find((c) => c.method === 'containerList')!.args[0], { all: true, filters: { label: ['com.docker.compose.project=gone'] } })
  assert.deepEqual(calls.filter((c) => c.method === 'containerRemove').map((c) => c.args[0]), ['x1'])
  assert.deepEqual(calls.filter((c) => c.method === 'networkRemove').map((c) => c.args[0]), ['gone_default'])
})

test('compose up reports a bad compose file with its name and creates nothing', async (t) => {
  const dir = projectDir(t, 'services:\n  web: { image: busybox, networks: [nope] }\n')
  const { code, stderr, calls } = await berth(['compose', '--project-directory', dir, 'up', '-d'])
  assert.equal(code, 1)
  assert.match(stderr, /nope/)
  assert.deepEqual(calls.filter((c) => c.method !== 'close'), [])
})

const engineResponses = (n = { count: 0 }): Parameters<typeof fakeEngineClient>[0] => ({
  containerList: () => [],
  imageInspect: () => ({ value: { Id: 'sha256:img', Config: { Labels: {} } }, raw: '' }),
  networkList: () => [],
  networkCreate: () => ({ Id: 'net1', Warning: '' }),
  containerCreate: () => ({ Id: `c${++n.count}`, Warnings: [] }),
  containerStart: () => undefined,
  imagePull: () => (async function* () { yield { status: 'Pulled' } })(),
  imagePush: () => (async function* () { yield { status: 'Pushed' } })(),
})

test('compose up --no-deps creates only the named service; create starts nothing', async (t) => {
  const dir = projectDir(t, YAML)
  const noDeps = await berth(['compose', '--project-directory', dir, '-p', 'proj', 'up', '-d', '--no-deps', 'web'], engineResponses())
  assert.equal(noDeps.code, 0, noDeps.stderr)
  assert.deepEqual(noDeps.calls.filter((c) => c.method === 'containerCreate').map((c) => (c.args[1] as { name: string }).name), ['proj-web-1'])
  const created = await berth(['compose', '--project-directory', dir, '-p', 'proj', 'create'], engineResponses())
  assert.equal(created.code, 0, created.stderr)
  assert.equal(created.calls.filter((c) => c.method === 'containerCreate').length, 2)
  assert.equal(created.calls.filter((c) => c.method === 'containerStart').length, 0)
})

test('compose pull pulls services that name an image; push pushes services with build and image', async (t) => {
  const dir = projectDir(t, `
services:
  web: { image: registry.test/web:1, build: ./web }
  db: { image: busybox }
  local: { build: ./local }
`)
  const pull = await berth(['compose', '--project-directory', dir, '-p', 'proj', 'pull'], engineResponses())
  assert.equal(pull.code, 0, pull.stderr)
  assert.deepEqual(pull.calls.filter((c) => c.method === 'imagePull').map((c) => c.args[0]), ['busybox', 'registry.test/web:1'])
  assert.match(pull.stderr, / ✔ db {2}Pulled\n/)
  const push = await berth(['compose', '--project-directory', dir, '-p', 'proj', 'push'], engineResponses())
  assert.equal(push.code, 0, push.stderr)
  assert.deepEqual(push.calls.filter((c) => c.method === 'imagePush').map((c) => [c.args[0], (c.args[1] as { tag: string }).tag]), [['registry.test/web', '1']])
})

test('compose up rejects --scale for an unknown service and a custom container_name with scale > 1', async (t) => {
  const dir = projectDir(t, 'services:\n  web: { image: busybox, container_name: fixed }\n')
  const unknown = await berth(['compose', '--project-directory', dir, 'up', '-d', '--scale', 'nope=2'], engineResponses())
  assert.equal(unknown.code, 1)
  assert.match(unknown.stderr, /no such service: nope/)
  const named = await berth(['compose', '--project-directory', dir, 'up', '-d', '--scale', 'web=2'], engineResponses())
  assert.equal(named.code, 1)
  assert.match(named.stderr, /The "web" service is using the custom container name "fixed"/)
})

test('selectBranch() finds the compose subcommand past the group flags', async () => {
  const { selectBranch } = await import('../../program.js')
  assert.equal(selectBranch(['compose', '-f', 'x.yml', '-p', 'name', '--ansi=never', '--dry-run', 'up', '-d'])?.leaf?.name, 'up')
  assert.equal(selectBranch(['-H', 'unix:///x', 'compose', '--project-directory', '/tmp', 'down'])?.leaf?.name, 'down')
  assert.equal(selectBranch(['compose', '-fx.yml', 'ps'])?.leaf?.name, 'ps')
  assert.equal(selectBranch(['compose', '--bogus', 'up'])?.leaf, undefined)
})

test('compose -f - reads the compose file from standard input', async () => {
  const { io, stdout, stderr } = memoryIo({ stdin: 'services:\n  fromstdin: { image: busybox }\n' })
  const code = await runCli(['compose', '-f', '-', '-p', 'x', 'config', '--services'], io, { makeClient: (): EngineClient => fakeEngineClient().client })
  assert.equal(code, 0, stderr())
  assert.equal(stdout(), 'fromstdin\n')
})

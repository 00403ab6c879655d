import { test } from 'node:test'
import assert from 'node:assert/strict'
import { access, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from '../sys/index.js'
import { startTestServer, type TestServer } from './testing/http-harness.js'

/**
 * Runs the real docker CLI (28.x) against the API over the fake engine: catches wire-format
 * mistakes a hand-written client would share with the server.
 */
const dockerBin = '/usr/local/bin/docker'
const haveDocker = await access(dockerBin).then(() => true, () => false)

async function withDocker(t: { after(fn: () => Promise<void>): void }): Promise<{ srv: TestServer; docker: (args: string[], input?: string) => Promise<{ code: number | null; out: string; err: string }> }> {
  const srv = await startTestServer()
  const config = await mkdtemp(join(tmpdir(), 'berth-docker-config-'))
  t.after(async () => {
    await srv.close()
    await rm(config, { recursive: true, force: true })
  })
  const env = { ...process.env, DOCKER_HOST: `unix://${srv.socketPath}`, DOCKER_CONFIG: config, DOCKER_CLI_HINTS: 'false' }
  const docker = async (args: string[], input?: string): Promise<{ code: number | null; out: string; err: string }> => {
    const r = await run([dockerBin, ...args], { env, check: false, timeoutMs: 20_000, input })
    return { code: r.exitCode, out: r.stdout.toString(), err: r.stderr.toString() }
  }
  srv.engine.images.add('busybox', { architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z', config: { Cmd: ['sh'], Env: ['PATH=/bin'] } }, 4_400_000)
  return { srv, docker }
}

test('docker version, info and images read the API without errors', { skip: haveDocker ? false : 'docker CLI not installed' }, async (t) => {
  const { docker } = await withDocker(t)
  const version = await docker(['version'])
  assert.equal(version.code, 0, version.err)
  assert.match(version.out, /Server: berth\n Engine:\n  Version:\s+0\.1\.0\n  API version:\s+1\.50 \(minimum version 1\.24\)/)
  const info = await docker(['info'])
  assert.equal(info.code, 0, info.err)
  assert.match(info.out, /Images: 1\n/)
  assert.match(info.out, /Storage Driver: overlayfs\n/)
  // Go prints the Runtimes map in random order.
  assert.match(info.out, /Runtimes: (crun runc|runc crun)\n/)
  assert.match(info.out, /Swarm: inactive\n/)
  assert.doesNotMatch(info.err, /error/i)
  const images = await docker(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}'])
  assert.equal(images.code, 0, images.err)
  assert.match(images.out, /^busybox:latest [0-9a-f]{12} 4\.4MB\n$/)
})

test('docker create, ps -a, inspect, start -a, logs and rm work end to end', { skip: haveDocker ? false : 'docker CLI not installed' }, async (t) => {
  const { srv, docker } = await withDocker(t)
  srv.engine.containers.script = { output: [{ stream: 'stdout', text: 'hello out\n' }, { stream: 'stderr', text: 'hello err\n' }], exitCode: 0, keepRunning: false }
  const created = await docker(['create', '--name', 'web', '--label', 'tier=front', 'busybox', 'echo', 'hi there'])
  assert.equal(created.code, 0, created.err)
  const id = created.out.trim()
  assert.match(id, /^[0-9a-f]{64}$/)
  const ps = await docker(['ps', '-a', '--no-trunc', '--format', '{{.ID}}|{{.Names}}|{{.Image}}|{{.Command}}|{{.Status}}|{{.Labels}}'])
  assert.equal(ps.code, 0, ps.err)
  assert.equal(ps.out, `${id}|web|busybox|"echo 'hi there'"|Created|tier=front\n`)
  const inspect = await docker(['inspect', '--format', '{{.Name}} {{.State.Status}} {{.Config.Image}} {{json .Config.Cmd}} {{.HostConfig.RestartPolicy.Name}}', id.slice(0, 12)])
  assert.equal(inspect.code, 0, inspect.err)
  assert.equal(inspect.out, '/web created busybox ["echo","hi there"] no\n')
  const full = await docker(['inspect', 'web'])
  assert.equal(full.code, 0, full.err)
  assert.equal((JSON.parse(full.out) as Array<{ Id: string }>)[0]?.Id, id)
  const started = await docker(['start', '-a', 'web'])
  assert.equal(started.code, 0, started.err)
  assert.equal(started.out, 'hello out\n')
  assert.equal(started.err, 'hello err\n')
  const logs = await docker(['logs', 'web'])
  assert.equal(logs.out, 'hello out\n')
  assert.equal(logs.err, 'hello err\n')
  const exited = await docker(['ps', '-a', '--format', '{{.Status}}'])
  assert.match(exited.out, /^Exited \(0\) (Less than a second|\d+ seconds?) ago\n$/)
  const rm = await docker(['rm', 'web'])
  assert.equal(rm.code, 0, rm.err)
  assert.equal((await docker(['ps', '-aq'])).out, '')
})

test('docker run attaches, waits and reports the exit code', { skip: haveDocker ? false : 'docker CLI not installed' }, async (t) => {
  const { srv, docker } = await withDocker(t)
  srv.engine.containers.script = { output: [{ stream: 'stdout', text: 'from run\n' }], exitCode: 3, keepRunning: false }
  const r = await docker(['run', '--name', 'r1', 'busybox'])
  assert.equal(r.out, 'from run\n')
  assert.equal(r.code, 3)
  const i = await docker(['run', '-i', '--name', 'r2', 'busybox', 'cat'], 'piped stdin\n')
  assert.equal(i.out, 'from run\n')
  assert.equal(Buffer.concat(srv.engine.containers.stdin).toString(), 'piped stdin\n')
})

test('docker reports missing objects, import and pull errors in one line', { skip: haveDocker ? false : 'docker CLI not installed' }, async (t) => {
  const { docker } = await withDocker(t)
  const missing = await docker(['inspect', 'nothere'])
  assert.equal(missing.code, 1)
  assert.match(missing.err, /No such object: nothere/)
  const imported = await docker(['import', '-', 'imp:1'], 'not really a tar')
  assert.equal(imported.code, 0, imported.err)
  assert.match(imported.out, /^sha256:[0-9a-f]{64}\n$/)
  const pull = await docker(['pull', 'alpine'])
  assert.equal(pull.code, 1)
  assert.match(pull.err, /Error response from daemon: Cannot pull "docker.io\/library\/alpine:latest": pulling images from a registry is not available/)
})

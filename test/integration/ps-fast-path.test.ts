// bin/berth answers plain `berth ps` invocations without node: curl prints the daemon's rendered
// GET /berth/cli/ps (scripts/berth-launcher.sh). Its output must be the node CLI's, byte for byte,
// for every flag combination it takes, and anything else must end up in the node CLI.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Daemon, berthBin, isRoot, runCli, type CliResult } from './harness.js'

const skip = isRoot() ? false : 'needs root (containers, bridges)'
const loader = join(berthBin, '..', 'berth.js')
/** A time zone the daemon (which has the test's environment) is not in. */
const otherZone = process.env.TZ === 'Asia/Tokyo' ? 'Europe/Paris' : 'Asia/Tokyo'

/** A PATH with curl (and grep) and no node: bin/berth can only answer by its fast path (a fallback exits 127). */
function curlOnlyPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-ps-path-'))
  symlinkSync('/usr/bin/curl', join(dir, 'curl'))
  symlinkSync('/usr/bin/grep', join(dir, 'grep'))
  return dir
}

describe('berth ps without node', { skip }, () => {
  const d = new Daemon()
  const path = curlOnlyPath()
  const ids: string[] = []
  const ok = (args: string[]): string => {
    const r = d.docker(args)
    assert.equal(r.code, 0, `docker ${args.join(' ')}: ${r.stderr}`)
    return r.stdout
  }
  const viaNode = (args: string[], env: Record<string, string> = {}): CliResult => runCli(process.execPath, [loader, ...args], { env })
  const viaLauncher = (args: string[], env: Record<string, string> = {}): CliResult => runCli(berthBin, args, { env })
  /**
   * The launcher's answer against the node CLI's. "5 seconds ago" and "Up 5 seconds" change while the
   * test runs: the node CLI runs before and after the launcher, and one of the two must match; on a
   * busy machine two seconds may pass in between, so a mismatch is tried again (up to three times).
   */
  const sameAsNode = (args: string[], env: Record<string, string> = {}): CliResult => {
    const key = (r: CliResult): string => JSON.stringify([r.code, r.stdout, r.stderr])
    let message = ''
    for (let attempt = 0; attempt < 3; attempt++) {
      const first = viaNode(args, env)
      const fast = viaLauncher(args, env)
      const second = viaNode(args, env)
      if (key(fast) === key(first) || key(fast) === key(second)) return fast
      message = `berth ${args.join(' ')}:\n${key(fast)}\nnode CLI:\n${key(first)}\n${key(second)}`
    }
    assert.fail(message)
  }

  before(async () => {
    await d.startWithBusybox()
    ids.push(
      ok(['create', '--name', 'fast-a', '--label', 'tier=web', '--label', 'com.example.x=1', '--expose', '80', '--expose', '81', '-p', '127.0.0.1:18080:8080',
        'busybox', 'sh', '-c', 'echo a long command line that docker truncates ünïcode']).trim(),
      ok(['create', '--name', 'fast-b', '-v', '/tmp:/host-tmp', '-v', 'fastvol:/data', 'busybox', 'true']).trim(),
      ok(['run', '-d', '--name', 'fast-c', 'busybox', 'sleep', '1000']).trim(),
    )
  })
  after(async () => {
    d.docker(['rm', '-f', ...ids])
    d.docker(['volume', 'rm', 'fastvol'])
    rmSync(path, { recursive: true, force: true })
    await d.stop()
  })

  test('prints what the node CLI prints, for every flag it takes, with no node on PATH', () => {
    const table = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}'
    const combos = [
      [], ['-a'], ['-aq'], ['-qa'], ['--all', '--quiet'], ['-a', '--no-trunc'], ['-a', '-s'], ['-as', '--no-trunc'], ['-l'], ['--latest', '-q'],
      ['-n', '2'], ['-n2'], ['--last', '1'], ['--last=2', '-a'], ['-n', '-1', '-a'], ['-a', '--filter', 'name=fast-a'], ['-a', '-f', 'label=tier=web', '-f', 'status=created'],
      ['-a', '-fstatus=running'], ['-a', '--filter=name=fast'], ['-a', '--format', '--all'],
      ['-a', '--format', table], ['-a', '--no-trunc', `--format=${table}`], ['-a', '--format', ''], ['-a', '--format', 'table'],
      ['-a', '--format', '{{.Names}} {{.Label "tier"}} {{.Mounts}} {{.LocalVolumes}} {{.Networks}} {{.State}} {{.CreatedAt}}'],
      ['-a', '--format', 'table {{.Names}}\t{{.Ports}}\t{{.Size}}'], ['-a', '--format', 'json'], ['-a', '--format', '{{json .Labels}} & {{.Names}} %41 +'],
      ['-a', '-q', '--format', '{{.Names}}'], ['-a', '--format', '@{{.Names}}=@x 名前'],
    ]
    for (const flags of combos) {
      const args = ['-H', d.host, 'ps', ...flags]
      const r = sameAsNode(args, { PATH: path })
      assert.equal(r.code, 0, `berth ${args.join(' ')}: ${r.stderr}`)
    }
    assert.equal(sameAsNode(['-H', d.host, 'container', 'ls', '-a', '-q'], { PATH: path }).stdout.split('\n').length, 4)
    assert.match(sameAsNode(['ps', '-a', '--format', '{{.Names}}'], { PATH: path, DOCKER_HOST: d.host }).stdout, /fast-c/)
  })

  test('leaves errors and everything else to the node CLI', (t) => {
    const configDir = mkdtempSync(join(tmpdir(), 'berth-ps-config-'))
    t.after(() => rmSync(configDir, { recursive: true, force: true }))
    writeFileSync(join(configDir, 'config.json'), '{"currentContext": "elsewhere"}\n')
    const errors = [
      ['-H', d.host, 'ps', '-a', '--format', '{{.Nope}}'],
      ['-H', d.host, 'ps', '-a', '--format', '{{.ID'],
      ['-H', d.host, 'ps', '--filter', 'nokey'],
      ['-H', d.host, 'ps', '--filter', 'bogus=1'],
      ['-H', d.host, 'ps', '-n', 'x'],
      ['-H', d.host, 'ps', '--bogus'],
      ['-H', d.host, 'ps', 'extra'],
      ['-H', 'unix:///nonexistent/berth.sock', 'ps', '-a'],
    ]
    // Local times: the daemon renders them only for a client in its own time zone.
    assert.match(sameAsNode(['-H', d.host, 'ps', '-a', '--format', '{{.CreatedAt}}'], { TZ: otherZone }).stdout, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4} /)
    for (const args of errors) {
      const r = sameAsNode(args)
      assert.notEqual(r.code, 0, `berth ${args.join(' ')}`)
      assert.notEqual(r.stderr, '', `berth ${args.join(' ')}`)
    }
    // Understood but not taken (so with no node on PATH, the launcher cannot answer).
    for (const [args, env] of [
      [['-H', d.host, 'ps', '--help'], {}],
      [['-H', d.host, '-D', 'ps'], {}],
      [['ps'], { DOCKER_CONTEXT: 'elsewhere' }],
      [['ps'], { DOCKER_CONFIG: configDir }],
      [['-H', d.host, 'ps', '-a'], { TZ: otherZone }],
      [['ps'], { DOCKER_HOST: d.host, DOCKER_API_VERSION: '1.41' }],
    ] as const) {
      assert.equal(viaLauncher([...args], { ...env, PATH: path }).code, 127, args.join(' '))
    }
  })

  test('falls back to the node CLI when the daemon does not know GET /berth/cli/ps', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'berth-ps-old-'))
    const socket = join(dir, 'old.sock')
    const requests: string[] = []
    const server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`)
      const path = (req.url ?? '').replace(/^\/v[\d.]+/, '').split('?')[0]
      if (path === '/_ping') {
        res.writeHead(200, { 'Api-Version': '1.50', 'Content-Type': 'text/plain' })
        return res.end(req.method === 'HEAD' ? undefined : 'OK')
      }
      if (path === '/containers/json') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Api-Version': '1.50' })
        return res.end('[]\n')
      }
      res.writeHead(404, { 'Content-Type': 'application/json' })
      res.end('{"message":"page not found"}\n')
    })
    await new Promise<void>((resolve) => server.listen(socket, resolve))
    t.after(async () => {
      await new Promise((resolve) => server.close(resolve))
      rmSync(dir, { recursive: true, force: true })
    })
    // Run without blocking this process, which is the daemon here.
    const r = await runAsync(berthBin, ['-H', `unix://${socket}`, 'ps', '-a'])
    assert.equal(r.code, 0, r.stderr)
    assert.equal(r.stdout, 'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n')
    assert.ok(requests.some((x) => x.startsWith('GET /berth/cli/ps')), requests.join('\n'))
    assert.ok(requests.some((x) => /^GET \/v[\d.]+\/containers\/json/.test(x)), requests.join('\n'))
  })
})

function runAsync(cmd: string, args: string[]): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()))
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

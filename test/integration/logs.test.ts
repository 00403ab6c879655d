// Log drivers end to end: json-file rotation (max-size, max-file) over conmon's reopen, the none
// driver, and create-time validation; real berthd, crun, conmon, docker CLI.
import { test, describe, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { Daemon, isRoot, eventually } from './harness.js'

const skip = isRoot() ? false : 'needs root (namespaces, cgroups, overlay mounts)'

const numbersOf = (text: string): number[] => text.split('\n').filter(Boolean).map(Number)

/** True when xs is from, from+1, ..., to. */
function isRun(xs: number[], from: number, to: number): boolean {
  return xs.length === to - from + 1 && xs.every((x, i) => x === from + i)
}

describe('container logs', { skip }, () => {
  const d = new Daemon()
  before(() => d.startWithBusybox())
  after(() => d.stop())

  const logFiles = (id: string): string[] =>
    readdirSync(join(d.dataRoot, 'containers', id)).filter((n) => /^container\.log(\.\d+)?$/.test(n)).sort()

  const call = (method: string, path: string, body?: string) => d.api(method, path, body)

  test('max-size and max-file rotate the log and logs reads the newest lines without a gap', async () => {
    const r = d.docker(['run', '-d', '--log-opt', 'max-size=1k', '--log-opt', 'max-file=3', 'busybox', 'sh', '-c', 'seq 1 2000; sleep 300'])
    assert.equal(r.code, 0, r.stderr)
    const id = r.stdout.trim()
    await eventually(() => logFiles(id).includes('container.log.2'), 'two rotated files')
    const numbers = (await eventually(() => {
      const xs = numbersOf(d.docker(['logs', id]).stdout)
      return xs.at(-1) === 2000 ? xs : undefined
    }, 'the last line in the logs')) as number[]
    const files = logFiles(id)
    assert.ok(files.length <= 3, files.join(' '))
    assert.ok(files.includes('container.log.1'), files.join(' '))
    const first = numbers[0] as number
    assert.ok(first > 1, `the oldest lines are dropped (first: ${first})`)
    assert.ok(isRun(numbers, first, 2000), `contiguous: ${numbers.join(',')}`)
    assert.deepEqual(numbersOf(d.docker(['logs', '--tail', '3', id]).stdout), [1998, 1999, 2000])

    const cfg = d.docker(['inspect', '--format', '{{json .HostConfig.LogConfig}}', id])
    assert.deepEqual(JSON.parse(cfg.stdout), { Type: 'json-file', Config: { 'max-size': '1k', 'max-file': '3' } })
    assert.equal(d.docker(['rm', '-f', id]).code, 0)
  })

  test('logs -f follows a rotating log to the end without a gap or a repeat', () => {
    const script = 'sleep 0.5; i=0; while [ $i -lt 25 ]; do seq $((i*100+1)) $((i*100+100)); i=$((i+1)); sleep 0.1; done'
    const r = d.docker(['run', '-d', '--log-driver', 'json-file', '--log-opt', 'max-size=1k', '--log-opt', 'max-file=2', 'busybox', 'sh', '-c', script])
    assert.equal(r.code, 0, r.stderr)
    const id = r.stdout.trim()
    const follow = d.docker(['logs', '-f', id], { timeoutMs: 30_000 })
    assert.equal(follow.code, 0, follow.stderr)
    const numbers = numbersOf(follow.stdout)
    assert.ok(isRun(numbers, 1, 2500), `got ${numbers.length} lines: ${numbers.slice(0, 5).join(',')} ... ${numbers.slice(-5).join(',')}`)
    assert.ok(logFiles(id).includes('container.log.1'), logFiles(id).join(' '))
    assert.equal(d.docker(['rm', '-f', id]).code, 0)
  })

  test('local and k8s-file are accepted and keep a readable log', async () => {
    for (const driver of ['local', 'k8s-file']) {
      const r = d.docker(['run', '-d', '--log-driver', driver, 'busybox', 'echo', `via ${driver}`])
      assert.equal(r.code, 0, r.stderr)
      const id = r.stdout.trim()
      await eventually(() => d.docker(['logs', id]).stdout === `via ${driver}\n`, `${driver} log`)
      assert.equal(d.docker(['inspect', '--format', '{{.HostConfig.LogConfig.Type}}', id]).stdout.trim(), driver)
      assert.equal(d.docker(['rm', '-f', id]).code, 0)
    }
  })

  test('the none driver keeps no log: logs fails as in Docker, attach still works', async () => {
    const attached = d.docker(['run', '--rm', '--log-driver', 'none', 'busybox', 'echo', 'still attached'])
    assert.equal(attached.code, 0, attached.stderr)
    assert.equal(attached.stdout, 'still attached\n')
    const r = d.docker(['run', '-d', '--log-driver', 'none', 'busybox', 'echo', 'hi'])
    assert.equal(r.code, 0, r.stderr)
    const id = r.stdout.trim()
    await eventually(() => d.docker(['inspect', '--format', '{{.State.Status}}', id]).stdout.trim() === 'exited', 'exit')
    const logs = d.docker(['logs', id])
    assert.notEqual(logs.code, 0)
    assert.match(logs.stderr, /configured logging driver does not support reading/)
    assert.deepEqual(logFiles(id), [])
    assert.equal(d.docker(['inspect', '--format', '{{.LogPath}}|{{.HostConfig.LogConfig.Type}}', id]).stdout.trim(), '|none')
    assert.equal(d.docker(['rm', id]).code, 0)
  })

  test('create rejects a bad log option or an unknown driver with 400', async () => {
    const create = (logConfig: object) => call('POST', '/v1.50/containers/create', JSON.stringify({ Image: 'busybox', HostConfig: { LogConfig: logConfig } }))
    const size = await create({ Type: 'json-file', Config: { 'max-size': 'abc' } })
    assert.equal(size.status, 400)
    assert.match(JSON.parse(size.body).message, /invalid size: 'abc'/)
    const driver = await create({ Type: 'nosuchdriver', Config: {} })
    assert.equal(driver.status, 400)
    assert.match(JSON.parse(driver.body).message, /no log driver named 'nosuchdriver' is registered/)
    const cli = d.docker(['create', '--log-opt', 'max-file=x', '--log-opt', 'max-size=1m', 'busybox'])
    assert.notEqual(cli.code, 0)
    assert.match(cli.stderr, /max-file|strconv.Atoi/)
    assert.equal(d.docker(['ps', '-aq']).stdout, '')
  })

  test('inspect shows the default json-file LogConfig when none was given', () => {
    const id = d.docker(['create', 'busybox']).stdout.trim()
    assert.deepEqual(JSON.parse(d.docker(['inspect', '--format', '{{json .HostConfig.LogConfig}}', id]).stdout), { Type: 'json-file', Config: {} })
    assert.equal(d.docker(['rm', id]).code, 0)
  })
})

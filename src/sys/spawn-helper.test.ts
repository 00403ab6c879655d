import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RuntimeError } from '../common/index.js'
import { SpawnHelper, bashQuote, helperRequest } from './spawn-helper.js'
import { run, useSpawnHelper } from './process.js'

async function helper(t: { after(fn: () => Promise<void> | void): void }): Promise<{ h: SpawnHelper; dir: string }> {
  const root = await mkdtemp(join(tmpdir(), 'berth-spawn-'))
  const dir = join(root, 'jobs')
  const h = new SpawnHelper(dir)
  t.after(async () => {
    h.close()
    await rm(root, { recursive: true, force: true })
  })
  return { h, dir }
}

test('bashQuote() and helperRequest() make one space-free word per argument', () => {
  assert.equal(bashQuote("a b'c\\d\n"), "$'a\\x20b\\'c\\\\d\\x0a'")
  assert.equal(helperRequest(7, ['ls', '-l'], { input: true, cwd: '/tmp' }), "7 1 $'/tmp' $'ls' $'-l'\n")
  assert.equal(helperRequest(8, ['true'], { input: false }), "8 0 $'' $'true'\n")
})

test('SpawnHelper.run() makes its directory anew with mode 0700, what an earlier one left removed', async (t) => {
  const { h, dir } = await helper(t)
  await mkdir(dir, { mode: 0o777 })
  await writeFile(join(dir, 'stale.out'), 'left over')
  const res = await h.run(['echo', 'fresh'])
  assert.equal(res.stdout.toString(), 'fresh\n')
  assert.equal((await stat(dir)).mode & 0o777, 0o700)
  assert.equal((await readdir(dir)).includes('stale.out'), false)
})

test('SpawnHelper.run() passes every argument unchanged and returns stdout, stderr and the exit code', async (t) => {
  const { h, dir } = await helper(t)
  const args = ['plain', 'with space', "quo'te", 'back\\slash', 'new\nline', '$HOME `id` $(id)', 'tab\there', 'ünïcödé', '*', '']
  const res = await h.run(['printf', '%s|', ...args])
  assert.equal(res.stdout.toString(), args.map((a) => `${a}|`).join(''))
  assert.equal(res.exitCode, 0)
  assert.equal(res.signal, null)
  const failed = await h.run(['sh', '-c', 'echo out; echo err >&2; exit 3'], { check: false })
  assert.deepEqual([failed.exitCode, failed.stdout.toString(), failed.stderr.toString()], [3, 'out\n', 'err\n'])
  await assert.rejects(h.run(['sh', '-c', 'echo boom >&2; exit 1']), (e: unknown) => e instanceof RuntimeError && e.exitCode === 1 && /boom/.test(e.message))
  // The job files are deleted once read.
  await new Promise((r) => setTimeout(r, 50))
  assert.deepEqual(await readdir(dir), [])
})

test('SpawnHelper.run() feeds input, runs in cwd, runs jobs concurrently and kills at timeoutMs', async (t) => {
  const { h } = await helper(t)
  assert.equal((await h.run(['cat'], { input: 'fed\nthrough stdin' })).stdout.toString(), 'fed\nthrough stdin')
  assert.equal((await h.run(['pwd'], { cwd: '/usr' })).stdout.toString(), '/usr\n')
  const started = Date.now()
  const all = await Promise.all([1, 2, 3, 4].map((n) => h.run(['sh', '-c', `sleep 0.3; echo ${n}`])))
  assert.deepEqual(all.map((r) => r.stdout.toString()), ['1\n', '2\n', '3\n', '4\n'])
  assert.ok(Date.now() - started < 1100, 'the four sleeps overlapped')
  const killed = await h.run(['sleep', '30'], { timeoutMs: 100, check: false })
  assert.deepEqual([killed.exitCode, killed.signal], [null, 'SIGKILL'])
  await assert.rejects(h.run(['berth-no-such-command']), /ENOENT/)
  await assert.rejects(h.run(['pwd'], { cwd: '/no/such/dir' }), /ENOENT/)
})

test('run() spawns commands itself when the helper cannot be started', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'berth-spawn-'))
  const h = new SpawnHelper(join(root, 'jobs'), '/no/such/bash')
  useSpawnHelper(h)
  t.after(async () => {
    useSpawnHelper(undefined)
    h.close()
    await rm(root, { recursive: true, force: true })
  })
  assert.equal((await run(['echo', 'direct'])).stdout.toString(), 'direct\n')
  assert.equal(h.failed, true)
  assert.equal((await run(['echo', 'again'])).stdout.toString(), 'again\n')
})

test('SpawnHelper runs its jobs with berthd\'s environment plus the one it was given', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'berth-spawn-'))
  const h = new SpawnHelper(join(root, 'jobs'), 'bash', { BERTH_SPAWN_TEST: 'given' })
  t.after(async () => {
    h.close()
    await rm(root, { recursive: true, force: true })
  })
  const res = await h.run(['sh', '-c', 'echo "$BERTH_SPAWN_TEST:$HOME"'])
  assert.equal(res.stdout.toString(), `given:${process.env.HOME ?? ''}\n`)
})

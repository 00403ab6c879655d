import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { mkdir, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FdLauncher, FdLauncherUnavailable, asciiQuote, launchRequest } from './fd-launcher.js'

const TINI = '/usr/bin/tini-static'

async function launcher(t: { after(fn: () => Promise<void> | void): void }): Promise<{ l: FdLauncher; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-launcher-'))
  const l = new FdLauncher(TINI)
  t.after(async () => {
    l.close()
    await rm(dir, { recursive: true, force: true })
  })
  return { l, dir }
}

/** Pids of the live children of `pid` and whether each is a zombie. */
function children(pid: number): Array<{ pid: number; zombie: boolean }> {
  const out = []
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      if (Number(ppid) === pid) out.push({ pid: Number(d), zombie: state === 'Z' })
    } catch {
      // gone meanwhile
    }
  }
  return out
}

test('launchRequest() counts the bytes of the quoted words, env words counted before argv', () => {
  const words = "$'/p/o' $'/dev/null' $'/p/3' $'t' $'' $'1' $'K=v\\x20w' $'sh' $'-c' $'a\\x20b'"
  assert.equal(
    launchRequest(3, { argv: ['sh', '-c', 'a b'], stdout: '/p/o', stderr: '/dev/null', fd3: '/p/3', env: { K: 'v w' } }),
    `3 ${words.length}\n${words}`,
  )
})

test('launchRequest() gives fd 4 as t<text> or p<path>, and the cwd after it', () => {
  const req = launchRequest(4, { argv: ['x'], stdout: '/o', stderr: '/e', fd3: '/3', fd4Path: '/p/start', cwd: '/run/c d' })
  assert.equal(req.split('\n')[1], "$'/o' $'/e' $'/3' $'p/p/start' $'/run/c\\x20d' $'0' $'x'")
  assert.equal(launchRequest(5, { argv: ['x'], stdout: '/o', stderr: '/e', fd3: '/3', fd4Text: 'pq' }).split('\n')[1], "$'/o' $'/e' $'/3' $'tpq' $'' $'0' $'x'")
})

test('asciiQuote() escapes quotes, backslashes, controls, spaces and the UTF-8 bytes of non-ASCII', () => {
  assert.equal(asciiQuote("a b'c\\d\n"), "$'a\\x20b\\'c\\\\d\\x0a'")
  assert.equal(asciiQuote('é'), "$'\\xc3\\xa9'")
})

test('FdLauncher.launch() runs argv with stdout, stderr and fd 3 at the given paths, env added, and reports the exit status', async (t) => {
  if (!existsSync(TINI)) return t.skip('no tini')
  const { l, dir } = await launcher(t)
  const [out, err, fd3] = ['out', 'err', 'fd3'].map((f) => join(dir, f)) as [string, string, string]
  const args = ['with space', "quo'te", '$HOME `id`', 'new\nline', '', 'ünï 日本 €']
  const status = await l.launch({
    argv: ['sh', '-c', 'printf "%s|" "$@"; echo "$BERTH_T" >&2; echo three >&3; read x || echo eof >&3; cat /proc/self/fd/4 >&3; exit 7', 'sh', ...args],
    stdout: out,
    stderr: err,
    fd3,
    fd4Text: '{"json": "with spaces", "u": "日本"}',
    env: { BERTH_T: 'env välue' },
  })
  assert.equal(status, 7)
  assert.equal(await readFile(out, 'utf8'), args.map((a) => `${a}|`).join(''))
  assert.equal(await readFile(err, 'utf8'), 'env välue\n')
  // stdin is /dev/null; fd 4 can be opened again by its /proc path (as crun opens its --process).
  assert.equal(await readFile(fd3, 'utf8'), 'three\neof\n{"json": "with spaces", "u": "日本"}\n')
  // A job killed by a signal: 128 + its number, as crun reports it.
  assert.equal(await l.launch({ argv: ['sh', '-c', 'kill -KILL $$'], stdout: '/dev/null', stderr: '/dev/null', fd3: '/dev/null' }), 137)
  // SIGINT too (the job is a foreground command: its subshell still reports it).
  assert.equal(await l.launch({ argv: ['sh', '-c', 'kill -INT $$'], stdout: '/dev/null', stderr: '/dev/null', fd3: '/dev/null' }), 130)
  // A path that cannot be opened: the job fails before argv runs.
  assert.equal(await l.launch({ argv: ['sh', '-c', 'touch ' + join(dir, 'ran')], stdout: join(dir, 'no/such/dir'), stderr: '/dev/null', fd3: '/dev/null' }), 1)
  assert.equal(existsSync(join(dir, 'ran')), false)
})

test('FdLauncher.launch() with fd 4 from a path runs in the cwd given and reports the pid it can be killed by', async (t) => {
  if (!existsSync(TINI)) return t.skip('no tini')
  const { l, dir } = await launcher(t)
  const fd3 = join(dir, 'fd3')
  await writeFile(join(dir, 'start'), 'from a file\n')
  await mkdir(join(dir, 'work dir'))
  const pids: number[] = []
  const status = await l.launch({
    argv: ['sh', '-c', 'echo $$ >&3; pwd >&3; cat <&4 >&3'], stdout: '/dev/null', stderr: '/dev/null', fd3, fd4Path: join(dir, 'start'), cwd: join(dir, 'work dir'), onPid: (p) => pids.push(p),
  })
  assert.equal(status, 0)
  assert.equal(pids.length, 1)
  assert.equal(await readFile(fd3, 'utf8'), `${pids[0] as number}\n${join(dir, 'work dir')}\nfrom a file\n`)
  // A job blocked reading a FIFO nobody writes to (conmon waiting for its start byte) is killed by its pid.
  execFileSync('mkfifo', [join(dir, 'fifo')])
  let killed = false
  const blocked = l.launch({
    argv: ['sh', '-c', 'read x <&4'], stdout: '/dev/null', stderr: '/dev/null', fd3: '/dev/null', fd4Path: join(dir, 'fifo'),
    onPid: (p) => {
      setTimeout(() => {
        process.kill(p, 'SIGKILL')
        killed = true
      }, 100)
    },
  })
  // Opening the FIFO's read end waits for a writer: be one, and never write.
  const writer = await open(join(dir, 'fifo'), 'w')
  t.after(() => writer.close())
  assert.equal(await blocked, 137)
  assert.equal(killed, true)
  // A cwd that does not exist fails the job before argv runs.
  assert.equal(await l.launch({ argv: ['sh', '-c', 'touch ' + join(dir, 'ran')], stdout: '/dev/null', stderr: '/dev/null', fd3: '/dev/null', cwd: join(dir, 'nope') }), 1)
  assert.equal(existsSync(join(dir, 'ran')), false)
})

test('FdLauncher.launch() runs jobs concurrently, and its tini reaps what a job leaves behind', async (t) => {
  if (!existsSync(TINI)) return t.skip('no tini')
  const { l } = await launcher(t)
  const started = Date.now()
  const statuses = await Promise.all([1, 2, 3].map((n) => l.launch({ argv: ['sh', '-c', `sleep 0.3; exit ${n}`], stdout: '/dev/null', stderr: '/dev/null', fd3: '/dev/null' })))
  assert.deepEqual(statuses, [1, 2, 3])
  assert.ok(Date.now() - started < 900, 'the three sleeps overlapped')
  // The job's child outlives it (as a process crun could not start outlives crun): reparented to tini, reaped there.
  assert.equal(await l.launch({ argv: ['sh', '-c', 'sleep 0.2 & exit 0'], stdout: '/dev/null', stderr: '/dev/null', fd3: '/dev/null' }), 0)
  await new Promise((r) => setTimeout(r, 600))
  const tini = (l as unknown as { child: { pid: number } }).child.pid
  assert.deepEqual(children(tini).filter((c) => c.zombie), [])
  assert.equal(children(tini).length, 1, 'only the launcher shell is left under tini')
})

test('FdLauncher.launch() rejects with FdLauncherUnavailable when the helper cannot be started', async () => {
  const l = new FdLauncher('/no/such/tini')
  try {
    await assert.rejects(l.launch({ argv: ['true'], stdout: '/dev/null', stderr: '/dev/null', fd3: '/dev/null' }), FdLauncherUnavailable)
    assert.equal(l.failed, true)
    await assert.rejects(l.launch({ argv: ['true'], stdout: '/dev/null', stderr: '/dev/null', fd3: '/dev/null' }), FdLauncherUnavailable)
  } finally {
    l.close()
  }
})

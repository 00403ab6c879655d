import { test } from 'node:test'
import assert from 'node:assert/strict'
import { runtimePaths } from './conmon-args.js'
import { conmonExecArgs, execSessionDir, execStartError, removeFinishedSessions } from './conmon-exec.js'

const bins = { conmonPath: '/usr/bin/conmon', runtimePath: '/usr/bin/crun' }
const paths = runtimePaths('/run/berth/runtime')
const execId = 'e'.repeat(64)

function flag(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name)
  return i < 0 ? undefined : argv[i + 1]
}

test('conmonExecArgs() runs exec mode in the session dir, with its own exit dir and attach handshake', () => {
  const process = { terminal: true, user: { uid: 0, gid: 0 }, args: ['sh'], cwd: '/' }
  const argv = conmonExecArgs({ containerId: 'c1', execId, process, openStdin: true }, bins, paths)
  const dir = execSessionDir(paths, execId)
  assert.equal(dir, `/run/berth/runtime/exec/${'e'.repeat(32)}`)
  assert.equal(flag(argv, '-c'), 'c1')
  assert.equal(flag(argv, '-u'), 'e'.repeat(32))
  assert.equal(flag(argv, '-b'), dir)
  assert.equal(flag(argv, '--exit-dir'), `${dir}/exits`)
  assert.equal(flag(argv, '--exec-process-spec'), `${dir}/process.json`)
  assert.equal(flag(argv, '-l'), 'k8s-file:/dev/null')
  for (const present of ['-t', '-i', '-e', '--exec-attach']) assert.ok(argv.includes(present), `${present} passed`)
  const plain = conmonExecArgs({ containerId: 'c1', execId, process: { ...process, terminal: false }, openStdin: false }, bins, paths)
  assert.ok(!plain.includes('-t') && !plain.includes('-i'))
})

test('execStartError() words runtime failures as Docker does', () => {
  const missing = execStartError('executable file `nosuch` not found in $PATH: No such file or directory\n', 'nosuch')
  assert.equal(missing.code, 'EXEC_NOT_FOUND')
  assert.equal(missing.message, 'exec: "nosuch": executable file not found in $PATH')
  const denied = execStartError('open executable: Permission denied\n', '/etc/passwd')
  assert.equal(denied.code, 'EXEC_PERMISSION')
  assert.equal(denied.message, 'exec: "/etc/passwd": permission denied')
  assert.equal(execStartError('something else\n', 'x').code, 'EXEC_START_FAILED')
})

test('removeFinishedSessions() removes sessions whose monitor wrote exit, and their socket links', async (t) => {
  const { mkdtemp, mkdir, writeFile, symlink, readdir, rm } = await import('node:fs/promises')
  const root = await mkdtemp('/tmp/berth-exec-sweep-')
  t.after(() => rm(root, { recursive: true, force: true }))
  const p = runtimePaths(root)
  await mkdir(p.socketDir, { recursive: true })
  for (const name of ['done', 'running']) {
    await mkdir(`${root}/exec/${name}`, { recursive: true })
    await symlink(`${root}/exec/${name}`, `${p.socketDir}/${name}`)
  }
  await writeFile(`${root}/exec/done/exit`, '0')
  assert.equal(await removeFinishedSessions(p), 1)
  assert.deepEqual(await readdir(`${root}/exec`), ['running'])
  assert.deepEqual(await readdir(p.socketDir), ['running'])
})

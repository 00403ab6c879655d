import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Process } from '../../common/index.js'
import { execProcess, type ExecProcessInput } from './exec-spec.js'

const base: Process = {
  terminal: false,
  user: { uid: 0, gid: 0 },
  args: ['sleep', '100'],
  env: ['PATH=/bin'],
  cwd: '/srv',
  capabilities: { bounding: ['CAP_CHOWN', 'CAP_KILL'], effective: ['CAP_CHOWN', 'CAP_KILL'], permitted: ['CAP_CHOWN', 'CAP_KILL'] },
  rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 }],
  noNewPrivileges: true,
}

function input(over: Partial<ExecProcessInput> = {}): ExecProcessInput {
  return {
    base,
    spec: { image: 'busybox', env: ['A=1', 'B=2'], workingDir: '/srv', host: {} },
    imageConfig: { Env: ['PATH=/usr/bin:/bin', 'IMG=x'] },
    hostname: 'abc',
    config: { cmd: ['sh', '-c', 'id'] },
    user: { uid: 0, gid: 0, additionalGids: [], home: '/root' },
    allCapabilities: ['CAP_CHOWN', 'CAP_KILL', 'CAP_SYS_ADMIN'],
    ...over,
  }
}

test('execProcess() keeps the container rlimits and defaults, with the exec args', () => {
  const p = execProcess(input())
  assert.deepEqual(p.args, ['sh', '-c', 'id'])
  assert.deepEqual(p.rlimits, base.rlimits)
  assert.equal(p.noNewPrivileges, true)
  assert.equal(p.cwd, '/srv')
  assert.equal(p.terminal, false)
  assert.deepEqual(p.env, ['PATH=/usr/bin:/bin', 'HOSTNAME=abc', 'A=1', 'B=2', 'IMG=x', 'HOME=/root'])
  assert.deepEqual(p.capabilities?.effective, ['CAP_CHOWN', 'CAP_KILL'])
})

test('execProcess() applies env overrides, working dir, user and tty', () => {
  const p = execProcess(input({
    config: { cmd: ['sh'], env: ['A=9', 'NEW=1'], workingDir: '/tmp/../etc', tty: true },
    user: { uid: 65534, gid: 65534, additionalGids: [], home: '/home' },
  }))
  assert.deepEqual(p.env, ['PATH=/usr/bin:/bin', 'HOSTNAME=abc', 'TERM=xterm', 'A=9', 'B=2', 'IMG=x', 'HOME=/home', 'NEW=1'])
  assert.equal(p.cwd, '/etc')
  assert.equal(p.terminal, true)
  assert.deepEqual(p.user, { uid: 65534, gid: 65534, additionalGids: [65534] })
  assert.deepEqual(p.capabilities, { bounding: ['CAP_CHOWN', 'CAP_KILL'] })
})

test('execProcess() with privileged grants every host capability', () => {
  const p = execProcess(input({ config: { cmd: ['sh'], privileged: true } }))
  assert.deepEqual(p.capabilities?.bounding, ['CAP_CHOWN', 'CAP_KILL', 'CAP_SYS_ADMIN'])
  assert.deepEqual(p.capabilities?.permitted, ['CAP_CHOWN', 'CAP_KILL', 'CAP_SYS_ADMIN'])
})

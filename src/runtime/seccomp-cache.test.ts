import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Spec } from '../common/index.js'
import { SECCOMP_BPF_ANNOTATION, SeccompCache } from './seccomp-cache.js'

const profile = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['read'], action: 'SCMP_ACT_ALLOW' }] }
const spec = (seccomp?: object): Spec => ({ ociVersion: '1.0.2', linux: seccomp ? { seccomp } : {} }) as Spec

test('SeccompCache hands the filter the runtime compiled for a profile to later creates of the same profile', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'berth-seccomp-'))
  t.after(() => rm(stateDir, { recursive: true, force: true }))
  const cache = new SeccompCache(stateDir)
  const bpf = Buffer.alloc(16, 7) // two sock_filter entries
  assert.equal(cache.annotationsFor('c1', spec(profile)), undefined)
  await mkdir(join(stateDir, 'c1'))
  await writeFile(join(stateDir, 'c1', 'seccomp.bpf'), bpf)
  cache.created('c1')
  assert.deepEqual(cache.annotationsFor('c2', spec(profile)), { [SECCOMP_BPF_ANNOTATION]: bpf.toString('base64') })
  // Another profile, or a spec without one, gets nothing.
  assert.equal(cache.annotationsFor('c3', spec({ ...profile, defaultAction: 'SCMP_ACT_KILL' })), undefined)
  assert.equal(cache.annotationsFor('c4', spec()), undefined)
})

test('SeccompCache keeps nothing for a failed create or a missing or malformed filter file', async (t) => {
  const stateDir = await mkdtemp(join(tmpdir(), 'berth-seccomp-'))
  t.after(() => rm(stateDir, { recursive: true, force: true }))
  const cache = new SeccompCache(stateDir)
  assert.equal(cache.annotationsFor('failed', spec(profile)), undefined)
  await mkdir(join(stateDir, 'failed'))
  await writeFile(join(stateDir, 'failed', 'seccomp.bpf'), Buffer.alloc(8))
  cache.forget('failed')
  cache.created('failed')
  assert.equal(cache.annotationsFor('missing', spec(profile)), undefined)
  cache.created('missing')
  assert.equal(cache.annotationsFor('odd', spec(profile)), undefined)
  await mkdir(join(stateDir, 'odd'))
  await writeFile(join(stateDir, 'odd', 'seccomp.bpf'), Buffer.alloc(5))
  cache.created('odd')
  assert.equal(cache.annotationsFor('next', spec(profile)), undefined)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Spec } from '../../common/index.js'
import { applySecurity, groupAddGids, parseDeviceCgroupRule, parseSecurityOpts, tmpfsMount, validateModes, validateSysctls } from './security-spec.js'

const baseSpec = (): Spec => ({
  ociVersion: '1.0.2',
  process: { user: { uid: 0, gid: 0 }, cwd: '/', args: ['sh'] },
  hostname: 'h',
  mounts: [{ destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: [] }],
  linux: { namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }] },
})

test('parseSecurityOpts() reads seccomp and no-new-privileges and refuses unknown options like dockerd', () => {
  assert.deepEqual(parseSecurityOpts(['no-new-privileges']), { seccomp: 'default', noNewPrivileges: true })
  assert.equal(parseSecurityOpts(['seccomp=unconfined']).seccomp, 'unconfined')
  assert.deepEqual(parseSecurityOpts(['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}']).seccomp, { defaultAction: 'SCMP_ACT_ALLOW' })
  assert.equal(parseSecurityOpts(['no-new-privileges:false', 'label=disable']).noNewPrivileges, false)
  assert.throws(() => parseSecurityOpts(['bogus']), /invalid --security-opt 1: "bogus"/)
  assert.throws(() => parseSecurityOpts(['foo=bar']), /invalid --security-opt 2: "foo=bar"/)
})

test('validateSysctls() allows namespaced sysctls only where the namespace is the container\'s', () => {
  validateSysctls({ 'net.ipv4.ip_forward': '1', 'kernel.shmmax': '1', 'fs.mqueue.msg_max': '10' }, { ipc: '', network: 'bridge', uts: '' })
  assert.throws(() => validateSysctls({ 'kernel.panic': '1' }, { ipc: '', network: '', uts: '' }), /sysctl 'kernel.panic' is not allowed/)
  assert.throws(() => validateSysctls({ 'net.core.somaxconn': '1' }, { ipc: '', network: 'host', uts: '' }), /not allowed in host network namespace/)
  assert.throws(() => validateSysctls({ 'kernel.sem': '1' }, { ipc: 'host', network: '', uts: '' }), /host IPC namespace/)
  assert.throws(() => validateModes({ PidMode: 'weird' }), /invalid PID mode: weird/)
})

test('applySecurity() shares host namespaces, joins container namespaces and adds devices and groups', () => {
  const spec = baseSpec()
  applySecurity(spec, {
    PidMode: 'host', IpcMode: 'container:x', UTSMode: 'host', SecurityOpt: ['no-new-privileges'],
    DeviceCgroupRules: ['c 10:229 rwm'],
  }, false, {
    capabilities: [], arch: 'x64', namespacePaths: { ipc: '/proc/42/ns/ipc' }, extraGids: [1234],
    devices: [{ device: { type: 'c', path: '/dev/fuse', major: 10, minor: 229 }, permissions: 'rw' }],
  })
  assert.deepEqual(spec.linux!.namespaces, [{ type: 'mount' }, { type: 'ipc', path: '/proc/42/ns/ipc' }])
  assert.equal(spec.hostname, undefined)
  assert.equal(spec.process!.noNewPrivileges, true)
  assert.ok(spec.linux!.seccomp)
  // The joined IPC namespace brings its own /dev/shm.
  assert.deepEqual(spec.mounts!.map((m) => m.destination), [])
  assert.deepEqual(spec.linux!.devices, [{ type: 'c', path: '/dev/fuse', major: 10, minor: 229 }])
  assert.deepEqual(spec.linux!.resources!.devices, [
    { allow: true, type: 'c', major: 10, minor: 229, access: 'rwm' },
    { allow: true, type: 'c', major: 10, minor: 229, access: 'rw' },
  ])
  assert.deepEqual(spec.process!.user.additionalGids, [1234])
})

test('applySecurity() leaves seccomp off for privileged and unconfined containers', () => {
  const privileged = baseSpec()
  applySecurity(privileged, {}, true, { capabilities: [], arch: 'x64' })
  assert.equal(privileged.linux!.seccomp, undefined)
  const unconfined = baseSpec()
  applySecurity(unconfined, { SecurityOpt: ['seccomp=unconfined'] }, false, { capabilities: [], arch: 'x64' })
  assert.equal(unconfined.linux!.seccomp, undefined)
})

test('tmpfsMount(), parseDeviceCgroupRule() and groupAddGids() parse Docker\'s forms', () => {
  assert.deepEqual(tmpfsMount('/t', '').options, ['noexec', 'nosuid', 'nodev'])
  assert.deepEqual(parseDeviceCgroupRule('a *:* rwm'), { allow: true, type: 'a', access: 'rwm' })
  assert.throws(() => parseDeviceCgroupRule('x 1:2 q'), /invalid device cgroup format/)
  assert.deepEqual(groupAddGids(['7', 'audio'], 'audio:x:29:\n'), [7, 29])
  assert.throws(() => groupAddGids(['nope'], ''), /Unable to find group nope/)
})

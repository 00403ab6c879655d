import { test } from 'node:test'
import assert from 'node:assert/strict'
import { DEFAULT_SECCOMP_PROFILE } from './default-profile.js'
import { seccompSpec } from './seccomp-spec.js'

const allowedNames = (caps: string[]): Set<string> => {
  const spec = seccompSpec(DEFAULT_SECCOMP_PROFILE, { capabilities: caps, arch: 'x64' })
  return new Set(spec.syscalls!.filter((s) => s.action === 'SCMP_ACT_ALLOW' && !s.args).flatMap((s) => s.names))
}

test('seccompSpec() of the default profile refuses by default and maps x86_64 to its sub-architectures', () => {
  const spec = seccompSpec(DEFAULT_SECCOMP_PROFILE, { capabilities: [], arch: 'x64' })
  assert.equal(spec.defaultAction, 'SCMP_ACT_ERRNO')
  assert.equal(spec.defaultErrnoRet, 1)
  assert.deepEqual(spec.architectures, ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'])
})

test('seccompSpec() allows mount, unshare and module loading only with their capabilities', () => {
  const plain = allowedNames(['CAP_CHOWN'])
  for (const name of ['read', 'openat', 'execve', 'socket', 'sethostname']) assert.ok(plain.has(name), name)
  for (const name of ['mount', 'umount2', 'unshare', 'setns', 'init_module', 'finit_module', 'reboot', 'keyctl', 'kexec_load']) {
    assert.ok(!plain.has(name), name)
  }
  const admin = allowedNames(['CAP_SYS_ADMIN', 'CAP_SYS_MODULE'])
  for (const name of ['mount', 'unshare', 'setns', 'init_module']) assert.ok(admin.has(name), name)
  assert.ok(!admin.has('keyctl'))
})

test('seccompSpec() restricts clone to no namespace flags and makes clone3 ENOSYS without CAP_SYS_ADMIN', () => {
  const spec = seccompSpec(DEFAULT_SECCOMP_PROFILE, { capabilities: [], arch: 'x64' })
  const clone = spec.syscalls!.filter((s) => s.names.includes('clone'))
  assert.equal(clone.length, 1)
  assert.deepEqual(clone[0]!.args, [{ index: 0, value: 0x7e020000, op: 'SCMP_CMP_MASKED_EQ', valueTwo: 0 }])
  const clone3 = spec.syscalls!.find((s) => s.names.includes('clone3'))
  assert.deepEqual([clone3?.action, clone3?.errnoRet], ['SCMP_ACT_ERRNO', 38])
  const admin = seccompSpec(DEFAULT_SECCOMP_PROFILE, { capabilities: ['CAP_SYS_ADMIN'], arch: 'x64' })
  assert.ok(admin.syscalls!.some((s) => s.names.includes('clone3') && s.action === 'SCMP_ACT_ALLOW'))
})

test('seccompSpec() takes a user profile with name/names, includes and explicit architectures', () => {
  const spec = seccompSpec({
    defaultAction: 'SCMP_ACT_ALLOW',
    architectures: ['SCMP_ARCH_X86_64'],
    syscalls: [
      { name: 'mkdir', action: 'SCMP_ACT_ERRNO' },
      { names: ['chmod'], action: 'SCMP_ACT_ERRNO', includes: { arches: ['arm64'] } },
    ],
  }, { capabilities: [], arch: 'x64' })
  assert.deepEqual(spec.architectures, ['SCMP_ARCH_X86_64'])
  assert.deepEqual(spec.syscalls, [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }])
  assert.throws(() => seccompSpec({} as never, { capabilities: [], arch: 'x64' }), /defaultAction/)
})

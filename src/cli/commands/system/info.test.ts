import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { SystemInfo } from '../../../client/index.js'
import { securityOptionLines, serverInfo } from './info.js'

const partial = (fields: Record<string, unknown>): SystemInfo => fields as unknown as SystemInfo

test('securityOptionLines renders names and profiles as the docker CLI', () => {
  assert.deepEqual(securityOptionLines(['name=seccomp,profile=builtin', 'name=userns', 'name=cgroupns']), [
    '  seccomp', '   Profile: builtin', '  userns', '  cgroupns',
  ])
  assert.deepEqual(securityOptionLines(['apparmor']), ['  apparmor'])
})

test('serverInfo shows Security Options after the init binary and before the kernel version', () => {
  const text = serverInfo(partial({ InitBinary: 'docker-init', KernelVersion: '6.1', SecurityOptions: ['name=seccomp,profile=builtin', 'name=userns'] }))
  assert.match(text, / Init Binary: docker-init\n Security Options:\n {2}seccomp\n {3}Profile: builtin\n {2}userns\n Kernel Version: 6\.1\n/)
  assert.doesNotMatch(serverInfo(partial({ SecurityOptions: [] })), /Security Options/)
})

test('serverInfo lists labels and insecure registries (hosts, then CIDRs) as the docker CLI', () => {
  const text = serverInfo(partial({
    ExperimentalBuild: false, LiveRestoreEnabled: true, Labels: ['a=b'],
    RegistryConfig: { InsecureRegistryCIDRs: ['::1/128', '127.0.0.0/8'], IndexConfigs: { 'docker.io': { Name: 'docker.io', Secure: true }, 'r:5000': { Name: 'r:5000', Secure: false } } },
  }))
  assert.match(text, / Experimental: false\n Labels:\n {2}a=b\n Insecure Registries:\n {2}r:5000\n {2}::1\/128\n {2}127\.0\.0\.0\/8\n Live Restore Enabled: true\n/)
})

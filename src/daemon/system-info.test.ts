import { test } from 'node:test'
import assert from 'node:assert/strict'
import { kernelHasSeccomp, securityOptions } from './system-info.js'

test('securityOptions lists what dockerd lists, in its order', () => {
  assert.deepEqual(securityOptions({ seccomp: true, userns: false, cgroupns: false }), ['name=seccomp,profile=builtin'])
  assert.deepEqual(securityOptions({ seccomp: true, userns: true, cgroupns: true, noNewPrivileges: true }), [
    'name=seccomp,profile=builtin', 'name=userns', 'name=cgroupns', 'name=no-new-privileges',
  ])
  assert.deepEqual(securityOptions({ seccomp: false, userns: false, cgroupns: false }), [])
})

test('kernelHasSeccomp reads the Seccomp line of /proc/self/status', () => {
  assert.equal(kernelHasSeccomp('Name:\tnode\nSeccomp:\t0\n'), true)
  assert.equal(kernelHasSeccomp('Name:\tnode\n'), false)
})

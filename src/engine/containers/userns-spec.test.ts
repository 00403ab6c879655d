import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Spec } from '../../common/oci-spec.js'
import { applyUserns, usesRemappedUserns, validateUserns } from './userns-spec.js'
import { ociSpec } from './oci-spec.js'
import type { ResolvedUser } from './process-spec.js'
import { sampleRecord } from './testing/fixtures.js'

const mappings = { uids: [{ containerId: 0, hostId: 100000, size: 65536 }], gids: [{ containerId: 0, hostId: 200000, size: 65536 }] }

test('usesRemappedUserns is true with mappings unless UsernsMode is host', () => {
  assert.equal(usesRemappedUserns({}, mappings), true)
  assert.equal(usesRemappedUserns({ UsernsMode: 'host' }, mappings), false)
  assert.equal(usesRemappedUserns({}, undefined), false)
})

test('validateUserns refuses privileged, host network and host pid unless --userns=host', () => {
  assert.throws(() => validateUserns({}, true, 'default', mappings), /privileged mode is incompatible with user namespaces/)
  assert.throws(() => validateUserns({}, false, 'host', mappings), /cannot share the host's network namespace/)
  assert.throws(() => validateUserns({ PidMode: 'host' }, false, 'default', mappings), /cannot share the host PID namespace/)
  validateUserns({ UsernsMode: 'host', PidMode: 'host' }, true, 'host', mappings)
  validateUserns({ PidMode: 'host' }, true, 'host', undefined)
})

test('applyUserns adds the user namespace, the OCI mappings and a writable cgroup mount', () => {
  const spec: Spec = {
    ociVersion: '1.0.2',
    mounts: [{ destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid'] }],
    linux: { namespaces: [{ type: 'pid' }] },
  }
  applyUserns(spec, mappings)
  assert.deepEqual(spec.linux?.namespaces, [{ type: 'pid' }, { type: 'user' }])
  assert.deepEqual(spec.linux?.uidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }])
  assert.deepEqual(spec.linux?.gidMappings, [{ containerID: 0, hostID: 200000, size: 65536 }])
  assert.deepEqual(spec.mounts?.[0]?.options, ['nosuid'])
})

test('ociSpec() with the daemon\'s userns mappings adds a user namespace unless UsernsMode is host', () => {
  const record = sampleRecord({ spec: { image: 'busybox', host: {} } })
  const root: ResolvedUser = { uid: 0, gid: 0, additionalGids: [], home: '/root' }
  const spec = ociSpec(record, root, { userns: mappings })
  assert.ok(spec.linux?.namespaces?.some((n) => n.type === 'user'))
  assert.deepEqual(spec.linux?.uidMappings, [{ containerID: 0, hostID: 100000, size: 65536 }])
  assert.deepEqual(spec.process?.user, { uid: 0, gid: 0, additionalGids: [0] }, 'the process user stays in container ids')
  const host = ociSpec(sampleRecord({ spec: { image: 'busybox', host: { raw: { UsernsMode: 'host' } } } }), root, { userns: mappings })
  assert.ok(!host.linux?.namespaces?.some((n) => n.type === 'user'))
  assert.equal(host.linux?.uidMappings, undefined)
})

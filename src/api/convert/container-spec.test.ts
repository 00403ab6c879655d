import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isEngineError } from '../../common/index.js'
import { containerSpecFromCreate } from './container-spec.js'

test('containerSpecFromCreate() maps Config and HostConfig and keeps the raw HostConfig', () => {
  const spec = containerSpecFromCreate({
    Image: 'busybox', Cmd: ['sh', '-c', 'echo hi'], Env: ['A=1'], Tty: true, OpenStdin: false, Labels: { a: 'b' },
    StopTimeout: 3, Entrypoint: null,
    HostConfig: { NetworkMode: 'host', AutoRemove: true, RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 }, CapAdd: [], ShmSize: 1024 },
  })
  assert.equal(spec.image, 'busybox')
  assert.deepEqual(spec.cmd, ['sh', '-c', 'echo hi'])
  assert.equal(spec.entrypoint, null)
  assert.deepEqual(spec.env, ['A=1'])
  assert.equal(spec.tty, true)
  assert.equal(spec.openStdin, false)
  assert.equal(spec.stopTimeout, 3)
  assert.equal(spec.host.networkMode, 'host')
  assert.equal(spec.host.autoRemove, true)
  assert.deepEqual(spec.host.restartPolicy, { name: 'on-failure', maximumRetryCount: 2 })
  assert.equal(spec.host.capAdd, undefined)
  assert.equal(spec.host.raw?.ShmSize, 1024)
})

test('containerSpecFromCreate() accepts a string Cmd and an empty Entrypoint reset', () => {
  const spec = containerSpecFromCreate({ Image: 'x', Cmd: 'top', Entrypoint: [] })
  assert.deepEqual(spec.cmd, ['top'])
  assert.deepEqual(spec.entrypoint, [])
})

test('containerSpecFromCreate() rejects an empty body and unknown restart policies', () => {
  assert.throws(() => containerSpecFromCreate(undefined), (e: unknown) => isEngineError(e, 'InvalidArgument'))
  assert.throws(() => containerSpecFromCreate({ Image: 'x', HostConfig: { RestartPolicy: { Name: 'sometimes' } } }),
    (e: unknown) => isEngineError(e, 'InvalidArgument') && /unknown policy 'sometimes'/.test(e.message))
})

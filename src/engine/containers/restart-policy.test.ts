import { test } from 'node:test'
import assert from 'node:assert/strict'
import { nextRestartDelay, restartPolicyError, shouldRestart, startsWithDaemon } from './restart-policy.js'
import type { ContainerRecord, RestartPolicy } from './types.js'

const policy = (name: RestartPolicy['name'], maximumRetryCount = 0): RestartPolicy => ({ name, maximumRetryCount })

test('shouldRestart() follows each policy and never restarts a manual stop', () => {
  const base = { exitCode: 1, manuallyStopped: false, restartCount: 0 }
  assert.equal(shouldRestart({ ...base, policy: undefined }), false)
  assert.equal(shouldRestart({ ...base, policy: policy('no') }), false)
  assert.equal(shouldRestart({ ...base, policy: policy('always'), exitCode: 0 }), true)
  assert.equal(shouldRestart({ ...base, policy: policy('unless-stopped'), exitCode: 0 }), true)
  assert.equal(shouldRestart({ ...base, policy: policy('on-failure'), exitCode: 0 }), false)
  assert.equal(shouldRestart({ ...base, policy: policy('on-failure'), restartCount: 99 }), true)
  assert.equal(shouldRestart({ ...base, policy: policy('always'), manuallyStopped: true }), false)
})

test('shouldRestart() with on-failure:3 allows exactly three restarts', () => {
  const allowed = [0, 1, 2, 3].map((restartCount) => shouldRestart({ policy: policy('on-failure', 3), exitCode: 2, manuallyStopped: false, restartCount }))
  assert.deepEqual(allowed, [true, true, true, false])
})

test('nextRestartDelay() doubles from 100 ms up to a minute and resets after a 10 s run', () => {
  let d = 0
  const seen: number[] = []
  for (let i = 0; i < 12; i++) seen.push((d = nextRestartDelay(d, 50)))
  assert.deepEqual(seen.slice(0, 4), [100, 200, 400, 800])
  assert.equal(seen.at(-1), 60_000)
  assert.equal(nextRestartDelay(60_000, 10_000), 100)
})

test('startsWithDaemon() brings back always, unless-stopped unless stopped by hand, and failed on-failure', () => {
  const rec = (name: RestartPolicy['name'], manuallyStopped: boolean, exitCode = 0): Pick<ContainerRecord, 'spec' | 'state' | 'restartCount' | 'manuallyStopped'> =>
    ({ spec: { image: 'x', host: { restartPolicy: policy(name) } }, state: { exitCode } as ContainerRecord['state'], restartCount: 0, manuallyStopped })
  assert.equal(startsWithDaemon(rec('always', true)), true)
  assert.equal(startsWithDaemon(rec('unless-stopped', false)), true)
  assert.equal(startsWithDaemon(rec('unless-stopped', true)), false)
  assert.equal(startsWithDaemon(rec('on-failure', false, 1)), true)
  assert.equal(startsWithDaemon(rec('on-failure', false, 0)), false)
  assert.equal(startsWithDaemon(rec('no', false, 1)), false)
})

test('restartPolicyError() refuses a policy with AutoRemove and a retry count without on-failure', () => {
  assert.match(restartPolicyError(policy('always'), true) ?? '', /AutoRemove/)
  assert.equal(restartPolicyError(policy('no'), true), undefined)
  assert.match(restartPolicyError(policy('always', 2), false) ?? '', /only be used with 'on-failure'/)
  assert.equal(restartPolicyError(policy('on-failure', 2), false), undefined)
})

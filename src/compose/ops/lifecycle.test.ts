import { test } from 'node:test'
import assert from 'node:assert/strict'
import { EngineError } from '../../common/index.js'
import type { ComposeProject, ServiceConfig } from '../model/index.js'
import { LABEL_DEPENDS_ON } from '../labels.js'
import { killServices, removableContainers, restartServices, startServices, stopServices } from './lifecycle.js'
import { plainProgressLine, type ProgressEvent } from './progress.js'
import { fakeClient, fakeContainer } from './testing.js'

const deps = { [LABEL_DEPENDS_ON]: 'db:service_started:false' }

function stack(state = 'running') {
  return [fakeContainer('p', 'web', 1, { State: state, labels: deps }), fakeContainer('p', 'db', 1, { State: state }), fakeContainer('p', 'web', 2, { State: state, labels: deps })]
}

test('stopServices() stops dependents before dependencies and reports Compose\'s progress', async () => {
  const { client, calls } = fakeClient(stack(), { containerStop: () => { throw new EngineError('NotModified', 'X', 'already stopped') } })
  const events: ProgressEvent[] = []
  await stopServices({ client, projectName: 'p', progress: (e) => events.push(e) })
  assert.deepEqual(calls.slice(0, 2).sort(), ['containerStop web1', 'containerStop web2'])
  assert.equal(calls[2], 'containerStop db1')
  assert.equal(plainProgressLine(events.at(-1)!), ' Container p-db-1  Stopped\n')
})

test('startServices() starts a service\'s dependencies first and skips running containers', async () => {
  const containers = stack('exited')
  containers[2]!.State = 'running'
  const { client, calls } = fakeClient(containers)
  await startServices({ client, projectName: 'p' }, { services: ['web'] })
  assert.deepEqual(calls, ['containerStart db1', 'containerStart web1'])
})

test('startServices() waits for a healthy dependency (condition from the label)', async () => {
  const containers = [fakeContainer('p', 'web', 1, { State: 'created', labels: { [LABEL_DEPENDS_ON]: 'db:service_healthy:false' } }), fakeContainer('p', 'db', 1, { State: 'running' })]
  let polls = 0
  const { client, calls } = fakeClient(containers, {
    containerInspect: () => ({ value: { State: { Status: 'running', Running: true, Health: { Status: ++polls < 3 ? 'starting' : 'healthy' } } } }),
  })
  const events: string[] = []
  await startServices({ client, projectName: 'p', progress: (e) => events.push(plainProgressLine(e)) }, { pollMs: 1 })
  assert.equal(polls, 3)
  assert.equal(calls.at(-1), 'containerStart web1')
  assert.deepEqual(events, [' Container p-db-1  Waiting\n', ' Container p-db-1  Healthy\n', ' Container p-web-1  Starting\n', ' Container p-web-1  Started\n'])
})

test('startServices() names an unknown service and a service without containers', async () => {
  const { client } = fakeClient(stack())
  await assert.rejects(startServices({ client, projectName: 'p' }, { services: ['nope'] }), { message: 'no such service: nope' })
  const project = {
    name: 'p', services: { web: { name: 'web', dependsOn: {}, scale: 1 } as unknown as ServiceConfig, extra: { name: 'extra', dependsOn: {}, scale: 1 } as unknown as ServiceConfig },
  } as unknown as ComposeProject
  await assert.rejects(startServices({ client, projectName: 'p', project }, { services: ['extra'] }), { message: 'service "extra" has no container to start' })
})

test('restartServices() --no-deps restarts only the named service', async () => {
  const { client, calls } = fakeClient(stack())
  await restartServices({ client, projectName: 'p' }, { services: ['web'], noDeps: true })
  assert.deepEqual(calls.sort(), ['containerRestart web1', 'containerRestart web2'])
  calls.length = 0
  await restartServices({ client, projectName: 'p' }, { services: ['web'] })
  assert.equal(calls[0], 'containerRestart db1')
})

test('killServices() signals running containers in reverse order and counts them', async () => {
  const { client, calls } = fakeClient([...stack(), fakeContainer('p', 'gone', 1, { State: 'exited' })])
  assert.equal(await killServices({ client, projectName: 'p' }, { signal: 'SIGTERM' }), 3)
  assert.equal(calls.at(-1), 'containerKill db1')
  const none = fakeClient([])
  assert.equal(await killServices({ client: none.client, projectName: 'p' }), 0)
})

test('removableContainers() keeps only containers that inspect as not running', async () => {
  const containers = [fakeContainer('p', 'web', 1, { State: 'exited' }), fakeContainer('p', 'db', 1)]
  const { client } = fakeClient(containers, {
    containerInspect: (id: string) => ({ value: { State: { Running: id.startsWith('db') } } }),
  })
  assert.deepEqual((await removableContainers({ client, projectName: 'p' })).map((c) => c.Names[0]), ['/p-web-1'])
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { canonicalName, listProjectContainers, nameWithoutProject, projectFilters, specifiedContainer } from './project-containers.js'
import { fakeClient, fakeContainer } from './testing.js'

test('projectFilters() asks for the project, a config hash, one service and non-one-off containers', () => {
  assert.deepEqual(projectFilters('My', { services: ['web'] }), {
    label: ['com.docker.compose.project=my', 'com.docker.compose.config-hash', 'com.docker.compose.service=web', 'com.docker.compose.oneoff=False'],
  })
  assert.deepEqual(projectFilters('p', { services: ['a', 'b'], oneOff: 'include' }).label, ['com.docker.compose.project=p', 'com.docker.compose.config-hash'])
  assert.deepEqual(projectFilters('p', { oneOff: 'only' }).label?.at(-1), 'com.docker.compose.oneoff=True')
})

test('listProjectContainers() filters several services client-side', async () => {
  const { client } = fakeClient([fakeContainer('p', 'web', 1), fakeContainer('p', 'db', 1), fakeContainer('p', 'cache', 1), fakeContainer('q', 'web', 1)])
  const list = await listProjectContainers(client, 'p', { services: ['web', 'db'] })
  assert.deepEqual(list.map(canonicalName).sort(), ['p-db-1', 'p-web-1'])
})

test('nameWithoutProject() drops the project of default names and keeps container_name', () => {
  assert.equal(nameWithoutProject(fakeContainer('p', 'web', 2)), 'web-2')
  assert.equal(nameWithoutProject(fakeContainer('p', 'web', 1, { Names: ['/custom'] })), 'custom')
  assert.equal(canonicalName(fakeContainer('p', 'web', 1, { Names: ['/other/alias', '/p-web-1'] })), 'p-web-1')
})

test('specifiedContainer() picks the lowest number, or the index, with Compose\'s errors', async () => {
  const { client } = fakeClient([fakeContainer('p', 'web', 3), fakeContainer('p', 'web', 2)])
  assert.equal(canonicalName(await specifiedContainer(client, 'p', 'web')), 'p-web-2')
  assert.equal(canonicalName(await specifiedContainer(client, 'p', 'web', { index: 3 })), 'p-web-3')
  await assert.rejects(specifiedContainer(client, 'p', 'web', { index: 4 }), { message: 'service "web" is not running container #4' })
  await assert.rejects(specifiedContainer(client, 'p', 'db'), { message: 'service "db" is not running' })
})

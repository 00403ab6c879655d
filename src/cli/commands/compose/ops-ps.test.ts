import { test } from 'node:test'
import assert from 'node:assert/strict'
import { toServiceContainer } from '../../../compose/ops/index.js'
import { fakeContainer } from '../../../compose/ops/testing.js'
import { renderRows } from '../../../format/index.js'
import { COMPOSE_PS_HEADERS, DEFAULT_COMPOSE_PS_TABLE, composeContainerContext, printList, statusesFromFilter } from './ops-ps.js'

const NOW = 1_700_000_000_000 + 5 * 60_000

test('composeContainerContext() renders Compose\'s ps table', () => {
  const web = toServiceContainer(fakeContainer('p', 'web', 1, {
    Command: 'httpd -f -p 80 -h /www', Ports: [{ IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' }],
  }))
  const db = toServiceContainer(fakeContainer('p', 'db', 1, { State: 'exited', Status: 'Exited (0) 1 minute ago' }))
  const out = renderRows({ format: 'table', defaultTable: DEFAULT_COMPOSE_PS_TABLE, headers: COMPOSE_PS_HEADERS, rows: [db, web].map((r) => composeContainerContext(r, true, NOW)) })
  assert.equal(out, [
    'NAME      IMAGE     COMMAND                  SERVICE   CREATED         STATUS                    PORTS',
    'p-db-1    busybox   "sleep 100"              db        5 minutes ago   Exited (0) 1 minute ago   ',
    'p-web-1   busybox   "httpd -f -p 80 -h /…"   web       5 minutes ago   Up 2 minutes              0.0.0.0:8080->80/tcp',
    '',
  ].join('\n'))
})

test('composeContainerContext() --format json gives Compose\'s keys in order with typed values', () => {
  const row = toServiceContainer(fakeContainer('p', 'web', 1, { Ports: [{ PrivatePort: 80, Type: 'tcp' }] }), '', 0)
  const json = JSON.parse(renderRows({ format: 'json', defaultTable: DEFAULT_COMPOSE_PS_TABLE, headers: COMPOSE_PS_HEADERS, rows: [composeContainerContext(row, true, NOW)] })) as Record<string, unknown>
  assert.deepEqual(Object.keys(json), [
    'Command', 'CreatedAt', 'ExitCode', 'Health', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Name', 'Names', 'Networks',
    'Ports', 'Project', 'Publishers', 'RunningFor', 'Service', 'Size', 'State', 'Status',
  ])
  assert.equal(json.ExitCode, 0)
  assert.equal(json.Name, 'p-web-1')
  assert.equal(json.Ports, '80/tcp')
  assert.deepEqual(json.Publishers, [{ URL: '', TargetPort: 80, PublishedPort: 0, Protocol: 'tcp' }])
  assert.equal(json.Command, '"sleep 100"')
})

test('statusesFromFilter() accepts only status=...', () => {
  assert.deepEqual(statusesFromFilter('status=exited'), ['exited'])
  assert.deepEqual(statusesFromFilter(undefined), [])
  assert.throws(() => statusesFromFilter('status'), { message: 'arguments to --filter should be in form KEY=VAL' })
  assert.throws(() => statusesFromFilter('name=x'), { message: 'unknown filter name' })
})

test('printList() renders Compose\'s pretty table (tabwriter 20, 1, 3) and JSON', () => {
  assert.equal(printList([['p', 'running(2)', '/x/compose.yaml']], ['NAME', 'STATUS', 'CONFIG FILES'], [], 'table'),
    'NAME                STATUS              CONFIG FILES\np                   running(2)          /x/compose.yaml\n')
  assert.equal(printList([], [], [{ Name: 'p', Status: 'running(1)', ConfigFiles: '' }], 'json'), '[{"Name":"p","Status":"running(1)","ConfigFiles":""}]\n')
  assert.throws(() => printList([], [], [], 'yaml'), /could not be parsed/)
})

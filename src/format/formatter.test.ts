import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ContainerSummary, ImageSummary } from '../api/types/index.js'
import { CONTAINER_HEADERS, DEFAULT_CONTAINER_TABLE, containerContext, displayablePorts } from './container-context.js'
import { renderRows } from './formatter.js'
import { DEFAULT_IMAGE_TABLE, IMAGE_HEADERS, imageContexts } from './image-context.js'

const now = Date.UTC(2024, 5, 1, 12, 0, 0)
const created = now / 1000 - 5

const summary: ContainerSummary = {
  Id: 'f'.repeat(64),
  Names: ['/web'],
  Image: 'busybox',
  ImageID: `sha256:${'1'.repeat(64)}`,
  Command: 'echo hello',
  Created: created,
  Ports: [],
  Labels: { tier: 'front', app: 'demo' },
  State: 'running',
  Status: 'Up 4 seconds',
  HostConfig: { NetworkMode: 'default' },
  NetworkSettings: { Networks: {} },
  Mounts: [],
}

function containers(format: string): string {
  return renderRows({
    format,
    defaultTable: DEFAULT_CONTAINER_TABLE,
    headers: CONTAINER_HEADERS,
    rows: [containerContext(summary, true, now)],
  })
}

test('renderRows() renders docker ps\'s default table', () => {
  assert.equal(
    containers('table'),
    'CONTAINER ID   IMAGE     COMMAND        CREATED         STATUS         PORTS     NAMES\n' +
      'ffffffffffff   busybox   "echo hello"   5 seconds ago   Up 4 seconds             web\n',
  )
})

test('renderRows() derives table headers from the fields of a custom table template', () => {
  assert.equal(containers('table {{.ID}}\\t{{.Names}}'), 'CONTAINER ID   NAMES\nffffffffffff   web\n')
  assert.equal(containers('table {{.Names}}\\t{{.Label "com.app-name"}}'), 'NAMES     app name\nweb       \n')
})

test('renderRows() prints a custom template once per row without a header', () => {
  assert.equal(containers('{{.Names}}: {{.Labels}}'), 'web: app=demo,tier=front\n')
})

test('renderRows() prints json with sorted keys', () => {
  const line = containers('json')
  const parsed = JSON.parse(line) as Record<string, string>
  assert.deepEqual(Object.keys(parsed), [...Object.keys(parsed)].sort())
  assert.equal(parsed.Command, '"echo hello"')
  assert.equal(parsed.Names, 'web')
})

test('renderRows() prefixes template errors with "template parsing error"', () => {
  assert.throws(() => containers('{{.Foo}}'), /^TemplateError: template parsing error: template: :1:2: executing "" at <.Foo>: can't evaluate field Foo in type \*formatter.ContainerContext$/)
})

const image: ImageSummary = {
  Id: '', ParentId: '', RepoTags: [], RepoDigests: [], Created: 0, Size: 0, SharedSize: -1, Labels: {}, Containers: -1,
}

test('renderRows() renders docker images rows per tag, with <none> for dangling images', () => {
  const images: ImageSummary[] = [
    { ...image, Id: `sha256:${'a'.repeat(64)}`, RepoTags: ['busybox:latest', 'me/box:v1'], Created: now / 1000 - 3600, Size: 4261301 },
    { ...image, Id: `sha256:${'b'.repeat(64)}`, Created: now / 1000 - 30, Size: 1000 },
  ]
  const out = renderRows({
    format: 'table',
    defaultTable: DEFAULT_IMAGE_TABLE,
    headers: IMAGE_HEADERS,
    rows: imageContexts(images, { trunc: true, digests: false, nowMs: now }),
  })
  assert.equal(
    out,
    'REPOSITORY   TAG       IMAGE ID       CREATED             SIZE\n' +
      'busybox      latest    aaaaaaaaaaaa   About an hour ago   4.26MB\n' +
      'me/box       v1        aaaaaaaaaaaa   About an hour ago   4.26MB\n' +
      '<none>       <none>    bbbbbbbbbbbb   30 seconds ago      1kB\n',
  )
})

test('displayablePorts() groups consecutive ports and lists host mappings last', () => {
  assert.equal(
    displayablePorts([
      { PrivatePort: 81, Type: 'tcp' },
      { PrivatePort: 80, Type: 'tcp' },
      { PrivatePort: 53, Type: 'udp' },
      { IP: '0.0.0.0', PrivatePort: 443, PublicPort: 8443, Type: 'tcp' },
      { IP: '::', PrivatePort: 22, PublicPort: 22, Type: 'tcp' },
    ]),
    '[::]:22->22/tcp, 53/udp, 80-81/tcp, 0.0.0.0:8443->443/tcp',
  )
})

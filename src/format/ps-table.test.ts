import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ContainerSummary } from '../api/types/index.js'
import { CONTAINER_HEADERS, DEFAULT_CONTAINER_TABLE, containerContext } from './container-context.js'
import { renderRows } from './formatter.js'
import { planPs, renderPs, type PsFlags } from './ps-table.js'

const now = Date.UTC(2024, 5, 1, 12, 0, 0)

const base: ContainerSummary = {
  Id: 'a'.repeat(64),
  Names: ['/web'],
  Image: 'busybox',
  ImageID: `sha256:${'1'.repeat(64)}`,
  Command: 'true',
  Created: now / 1000 - 5,
  Ports: [],
  Labels: {},
  State: 'created',
  Status: 'Created',
  HostConfig: { NetworkMode: 'bridge' },
  NetworkSettings: { Networks: {} },
  Mounts: [],
}

/** Rows unlike each other in every field the table shows. */
const containers: ContainerSummary[] = [
  base,
  {
    ...base,
    Id: 'b'.repeat(64),
    Names: ['/db', '/web/db'],
    Image: 'docker.io/library/postgres:16',
    Command: 'docker-entrypoint.sh postgres -c fsync=off',
    Created: now / 1000 - 7200,
    Ports: [
      { PrivatePort: 5432, Type: 'tcp' },
      { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
      { IP: '::', PrivatePort: 81, PublicPort: 81, Type: 'tcp' },
    ],
    Labels: { tier: 'back', 'com.example.app': 'shop' },
    State: 'running',
    Status: 'Up 2 hours',
    SizeRw: 12_345,
    SizeRootFs: 4_300_000,
    NetworkSettings: { Networks: { bridge: {} as never, backend: {} as never } },
    Mounts: [
      { Type: 'volume', Name: 'a-rather-long-volume-name', Source: '/var/lib/berth/volumes/x/_data', Destination: '/data', Driver: 'local', Mode: '', RW: true, Propagation: '' },
      { Type: 'bind', Source: '/srv', Destination: '/srv', Mode: '', RW: false, Propagation: 'rprivate' },
    ],
  },
  { ...base, Id: 'c'.repeat(64), Names: ['/ünïcode-名前'], Image: `sha256:${'1'.repeat(64)}`, Command: 'sh -c "echo \u0007\ttab"', State: 'exited', Status: 'Exited (3) 1 second ago' },
  { ...base, Id: 'd'.repeat(64), Image: '', Command: '', Created: now / 1000 - 86400 * 40 },
]

const generic = (flags: PsFlags): string => {
  const plan = planPs(flags)
  return renderRows({ format: plan.format, defaultTable: DEFAULT_CONTAINER_TABLE, headers: CONTAINER_HEADERS, rows: containers.map((c) => containerContext(c, plan.trunc, now)) })
}

test('renderPs() prints what the template interpreter prints, for simple templates and others', () => {
  const fields = Object.keys(CONTAINER_HEADERS)
  const formats = [
    undefined, 'table', '{{.ID}}', 'json', '{{json .}}', '{{.Label "tier"}}', '{{if .Ports}}{{.Ports}}{{end}}',
    `table ${fields.map((f) => `{{.${f}}}`).join('\\t')}`, fields.map((f) => `${f}={{.${f}}}`).join(' '),
    ...fields.map((f) => `table {{.${f}}}`), '{{.Names}}\\n', 'plain text',
  ]
  let compared = 0
  for (const format of formats) {
    for (const extra of [{}, { trunc: false }, { size: true }, { quiet: true }]) {
      const flags: PsFlags = { format, ...extra }
      assert.equal(renderPs(planPs(flags), containers, now), generic(flags), JSON.stringify(flags))
      compared++
    }
  }
  assert.equal(compared, formats.length * 4)
  assert.equal(renderPs(planPs({}), [], now), 'CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES\n')
})

test('renderPs() fails as the interpreter does on a missing field or a bad template', () => {
  for (const format of ['{{.Nope}}', 'table {{.ID}}\\t{{.Nope}}', '{{.ID']) {
    assert.throws(() => renderPs(planPs({ format }), containers, now), (err: Error) => {
      assert.throws(() => generic({ format }), { name: err.name, message: err.message })
      return true
    })
  }
})

test('planPs() applies -q, -s, -l and -n as docker ps does', () => {
  assert.deepEqual(planPs({}), { all: false, limit: -1, size: false, format: DEFAULT_CONTAINER_TABLE, trunc: true })
  assert.equal(planPs({ size: true }).format, `${DEFAULT_CONTAINER_TABLE}\t{{.Size}}`)
  assert.equal(planPs({ quiet: true, size: true, format: 'table {{.Names}}' }).format, '{{.ID}}')
  assert.equal(planPs({ latest: true }).limit, 1)
  assert.equal(planPs({ latest: true, last: 3 }).limit, 3)
  assert.equal(planPs({ format: '{{.Size}}' }).size, true)
  assert.equal(planPs({ all: true, trunc: false }).trunc, false)
})

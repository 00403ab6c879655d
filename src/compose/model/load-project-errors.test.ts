import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as path from 'node:path'
import { ComposeError } from './compose-error.js'
import { load, projectDir } from './test-fixtures.js'

async function loadError(t: import('node:test').TestContext, yaml: string, extra: Record<string, string> = {}): Promise<{ error: ComposeError; file: string }> {
  const dir = await projectDir(t, { 'compose.yaml': yaml, ...extra })
  const file = path.join(dir, 'compose.yaml')
  try {
    await load(dir)
  } catch (error) {
    assert.ok(error instanceof ComposeError, `expected ComposeError, got ${String(error)}`)
    return { error, file }
  }
  assert.fail('loadProject() should have failed')
}

test('loadProject() reports invalid YAML with file, line and column', async (t) => {
  const { error, file } = await loadError(t, 'services:\n  web:\n    image: busybox\n   ports: [80\n')
  assert.match(error.message, new RegExp(`^${file}: yaml: line \\d+, column \\d+: `))
  assert.equal(error.location.file, file)
})

test('loadProject() reports duplicate keys as YAML errors', async (t) => {
  const { error } = await loadError(t, 'services:\n  web:\n    image: a\n    image: b\n')
  assert.match(error.message, /yaml: line 4, column 5: .*[Uu]nique/)
})

test('loadProject() reports an unknown service key like Compose', async (t) => {
  const { error, file } = await loadError(t, 'services:\n  web:\n    image: busybox\n    foo: bar\n')
  assert.equal(error.message, `validating ${file}: services.web Additional property foo is not allowed`)
  assert.equal(error.location.path, 'services.web')
})

test('loadProject() reports wrong types and unknown top-level keys', async (t) => {
  const types = await loadError(t, 'services:\n  web:\n    image: busybox\n    ports: 80\n')
  assert.equal(types.error.message, `validating ${types.file}: services.web.ports must be a list`)
  const top = await loadError(t, 'services: {}\nbogus: 1\n')
  assert.equal(top.error.message, `validating ${top.file}: (root) Additional property bogus is not allowed`)
  const cond = await loadError(t, 'services:\n  a: {image: x, depends_on: {b: {condition: whenever}}}\n  b: {image: x}\n')
  assert.match(cond.error.message, /services\.a\.depends_on\.b\.condition must be one of the following: "service_started", "service_healthy", "service_completed_successfully"/)
})

test('loadProject() detects a depends_on cycle', async (t) => {
  const { error, file } = await loadError(t, 'services:\n  a: {image: x, depends_on: [b]}\n  b: {image: x, depends_on: [c]}\n  c: {image: x, depends_on: [a]}\n')
  assert.equal(error.message, `${file}: dependency cycle detected: a -> b -> c -> a`)
})

test('loadProject() rejects references to undefined services, networks, volumes and secrets', async (t) => {
  const dep = await loadError(t, 'services:\n  a: {image: x, depends_on: [nope]}\n')
  assert.equal(dep.error.message, `${dep.file}: service "a" depends on undefined service "nope": invalid compose project`)
  assert.equal(dep.error.location.path, 'services.a.depends_on.nope')
  const net = await loadError(t, 'services:\n  a: {image: x, networks: [front]}\n')
  assert.equal(net.error.message, `${net.file}: service "a" refers to undefined network front: invalid compose project`)
  const vol = await loadError(t, 'services:\n  a: {image: x, volumes: ["data:/data"]}\n')
  assert.equal(vol.error.message, `${vol.file}: service "a" refers to undefined volume data: invalid compose project`)
  const sec = await loadError(t, 'services:\n  a: {image: x, secrets: [tok]}\n')
  assert.match(sec.error.message, /refers to undefined secret tok/)
  const link = await loadError(t, 'services:\n  a: {image: x, links: ["db:database"]}\n')
  assert.match(link.error.message, /service "a" depends on undefined service "db"/)
})

test('loadProject() ignores a missing optional dependency with a warning', async (t) => {
  const dir = await projectDir(t, { 'compose.yaml': 'services:\n  a: {image: x, depends_on: {opt: {condition: service_started, required: false}}}\n' })
  const p = await load(dir)
  assert.deepEqual(p.services.a!.dependsOn, {})
  assert.match(p.warnings.join('\n'), /undefined service "opt"/)
})

test('loadProject() rejects a service with neither image nor build, and bad values', async (t) => {
  const none = await loadError(t, 'services:\n  a: {command: x}\n')
  assert.match(none.error.message, /service "a" has neither an image nor a build context specified/)
  const dur = await loadError(t, 'services:\n  a: {image: x, stop_grace_period: forever}\n')
  assert.match(dur.error.message, /services\.a\.stop_grace_period: invalid duration "forever"/)
  const size = await loadError(t, 'services:\n  a: {image: x, mem_limit: lots}\n')
  assert.match(size.error.message, /services\.a\.mem_limit: invalid size "lots"/)
  const port = await loadError(t, 'services:\n  a: {image: x, ports: ["8000-8002:80-81"]}\n')
  assert.match(port.error.message, /services\.a\.ports\[0\]: invalid ranges/)
  const scale = await loadError(t, 'services:\n  a: {image: x, scale: 2, deploy: {replicas: 3}}\n')
  assert.match(scale.error.message, /distinct values on 'scale' and 'deploy.replicas'/)
  const mode = await loadError(t, 'services:\n  a: {image: x, network_mode: host, networks: [n]}\nnetworks: {n: {}}\n')
  assert.match(mode.error.message, /mutually exclusive `network_mode` and `networks`/)
})

test('loadProject() reads the v1 format (top-level services, links, net)', async (t) => {
  const dir = await projectDir(t, {
    'docker-compose.yml': 'web:\n  image: busybox\n  links: ["db:database"]\n  ports: ["80:80"]\ndb:\n  image: busybox\n  net: host\n',
  })
  const p = await load(dir)
  assert.deepEqual(Object.keys(p.services).sort(), ['db', 'web'])
  assert.deepEqual(p.services.web!.links, ['db:database'])
  assert.equal(p.services.web!.dependsOn.db!.condition, 'service_started')
  assert.equal(p.services.db!.networkMode, 'host')
})

test('loadProject() ignores version: with Compose v2 warning (v2 and v3 files)', async (t) => {
  for (const version of ['2', '2.4', '3', '3.8']) {
    const dir = await projectDir(t, {
      'docker-compose.yml': `version: "${version}"\nservices:\n  web:\n    image: busybox\n    mem_limit: 64m\n    depends_on:\n      db: {condition: service_healthy}\n  db:\n    image: busybox\n    healthcheck: {test: ["CMD", "true"]}\nvolumes:\n  data: {}\n`,
    })
    const p = await load(dir)
    assert.equal(p.services.web!.memLimit, 64 * 1024 * 1024)
    assert.equal(p.warnings[0], `${path.join(dir, 'docker-compose.yml')}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`)
  }
})

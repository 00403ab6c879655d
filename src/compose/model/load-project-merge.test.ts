import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as path from 'node:path'
import { load, projectDir } from './test-fixtures.js'

test('loadProject() merges -f files with the spec rules', async (t) => {
  const dir = await projectDir(t, {
    'base.yaml': `
services:
  web:
    image: busybox
    command: [sleep, "100"]
    environment: {A: "1", B: "2"}
    labels: [x=1]
    ports: ["8080:80", "9090:90"]
    expose: ["1000"]
    dns: [1.1.1.1]
    volumes: ["./a:/data", "logs:/logs"]
    healthcheck: {test: [CMD, a], interval: 10s}
    ulimits: {nofile: {soft: 10, hard: 20}}
    logging: {driver: json-file, options: {max-size: 1m}}
    networks: {front: {aliases: [one]}}
    depends_on: [db]
  db: {image: busybox}
networks: {front: {}}
volumes: {logs: {}}
`,
    'override.yaml': `
services:
  web:
    image: busybox:2
    command: echo replaced
    environment: [B=3, C=4]
    labels: {y: "2"}
    ports: ["8080:80", "7070:70"]
    expose: ["1000", "2000"]
    dns: 8.8.8.8
    volumes: [{type: bind, source: ./b, target: /data}]
    healthcheck: {test: [CMD, b]}
    ulimits: {nofile: 30}
    logging: {options: {max-file: "3"}}
    networks: {front: {aliases: [two]}}
    depends_on: {cache: {condition: service_healthy}}
  cache: {image: busybox, healthcheck: {test: [CMD, "true"]}}
`,
  })
  const p = await load(dir, { files: ['base.yaml', 'override.yaml'] })
  const web = p.services.web!
  assert.equal(web.image, 'busybox:2')
  assert.deepEqual(web.command, ['echo', 'replaced'])
  assert.deepEqual(web.environment, { A: '1', B: '3', C: '4' })
  assert.deepEqual(web.labels, { x: '1', y: '2' })
  assert.deepEqual(web.ports.map((x) => `${x.published}:${x.target}`), ['8080:80', '9090:90', '7070:70'])
  assert.deepEqual(web.expose, ['1000', '2000'])
  assert.deepEqual(web.dns, ['1.1.1.1', '8.8.8.8'])
  assert.deepEqual(web.volumes.map((v) => [v.type, v.source, v.target]), [['bind', path.join(dir, 'b'), '/data'], ['volume', 'logs', '/logs']])
  assert.deepEqual(web.healthcheck!.test, ['CMD', 'b'])
  assert.equal(web.healthcheck!.interval, 10e9)
  assert.deepEqual(web.ulimits.nofile, { soft: 30, hard: 30 })
  assert.deepEqual(web.logging, { driver: 'json-file', options: { 'max-size': '1m', 'max-file': '3' } })
  assert.deepEqual(web.networks.front!.aliases, ['one', 'two'])
  assert.deepEqual(Object.keys(web.dependsOn).sort(), ['cache', 'db'])
  assert.equal(web.dependsOn.cache!.condition, 'service_healthy')
  assert.deepEqual(p.configFiles, [path.join(dir, 'base.yaml'), path.join(dir, 'override.yaml')])
})

test('loadProject() resolves override-file paths against the project directory', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': 'services:\n  web: {image: busybox}\n',
    'overrides/dev.yaml': 'services:\n  web: {volumes: ["./src:/src"], build: .}\n',
  })
  const p = await load(dir, { files: ['compose.yaml', 'overrides/dev.yaml'] })
  assert.equal(p.services.web!.volumes[0]!.source, path.join(dir, 'src'))
  assert.equal(p.services.web!.build!.context, dir)
})

test('loadProject() logging with another driver replaces the options', async (t) => {
  const dir = await projectDir(t, {
    'a.yaml': 'services:\n  w: {image: busybox, logging: {driver: json-file, options: {max-size: 1m}}}\n',
    'b.yaml': 'services:\n  w: {logging: {driver: syslog, options: {tag: x}}}\n',
  })
  const p = await load(dir, { files: ['a.yaml', 'b.yaml'] })
  assert.deepEqual(p.services.w!.logging, { driver: 'syslog', options: { tag: 'x' } })
})

test('loadProject() applies extends from the same file and from another file', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': `
services:
  base:
    image: busybox
    user: root
    environment: {TZ: utc, PORT: "80"}
    volumes: ["common:/var/lib/backup/data:rw"]
    security_opt: ["label:role:ROLE"]
  common:
    extends: base
    image: busybox:1
  cli:
    extends: {service: common}
    environment: [PORT=8080]
    volumes: ["cli:/var/lib/backup/data:ro"]
    security_opt: ["label:user:USER"]
  remote:
    extends: {file: lib/other.yaml, service: worker}
    command: run
volumes: {common: {}, cli: {}}
`,
    'lib/other.yaml': 'services:\n  worker:\n    build: ./w\n    env_file: w.env\n    command: idle\n',
    'lib/w.env': 'FROM_W=1\n',
  })
  const p = await load(dir)
  const cli = p.services.cli!
  assert.equal(cli.image, 'busybox:1')
  assert.equal(cli.user, 'root')
  assert.deepEqual(cli.environment, { TZ: 'utc', PORT: '8080' })
  assert.deepEqual(cli.volumes.map((v) => [v.source, v.readOnly]), [['cli', true]])
  assert.deepEqual(cli.securityOpt, ['label:role:ROLE', 'label:user:USER'])
  const remote = p.services.remote!
  assert.equal(remote.build!.context, path.join(dir, 'lib', 'w'))
  assert.deepEqual(remote.environment, { FROM_W: '1' })
  assert.deepEqual(remote.command, ['run'])
})

test('loadProject() rejects circular extends and extends of a missing service', async (t) => {
  const cyc = await projectDir(t, { 'compose.yaml': 'services:\n  a: {extends: b, image: x}\n  b: {extends: a}\n' })
  await assert.rejects(load(cyc), (e: Error) => e.message === `Circular reference:\n  a in ${path.join(cyc, 'compose.yaml')}\n  extends b in ${path.join(cyc, 'compose.yaml')}\n  extends a in ${path.join(cyc, 'compose.yaml')}`)
  const missing = await projectDir(t, { 'compose.yaml': 'services:\n  a: {extends: nope, image: x}\n' })
  await assert.rejects(load(missing), (e: Error) => e.message === `cannot extend service "a" in ${path.join(missing, 'compose.yaml')}: service "nope" not found`)
  const other = await projectDir(t, { 'compose.yaml': 'services:\n  a: {extends: {file: b.yaml, service: nope}}\n', 'b.yaml': 'services:\n  x: {image: busybox}\n' })
  await assert.rejects(load(other), /cannot extend service "a" in .*compose\.yaml: service "nope" not found in .*b\.yaml/)
})

test('loadProject() include brings in another project with its own directory and env', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': `
include:
  - sub/compose.yaml
  - path: other/compose.yaml
    env_file: other/custom.env
services:
  web: {image: busybox, depends_on: [db, cache]}
`,
    'sub/compose.yaml': 'services:\n  db:\n    image: "busybox:${DB_TAG}"\n    volumes: ["./data:/data"]\n',
    'sub/.env': 'DB_TAG=sub\n',
    'other/compose.yaml': 'services:\n  cache:\n    image: "busybox:${CACHE_TAG}"\n',
    'other/custom.env': 'CACHE_TAG=custom\n',
  })
  const p = await load(dir)
  assert.deepEqual(Object.keys(p.services).sort(), ['cache', 'db', 'web'])
  assert.equal(p.services.db!.image, 'busybox:sub')
  assert.equal(p.services.db!.volumes[0]!.source, path.join(dir, 'sub', 'data'))
  assert.equal(p.services.cache!.image, 'busybox:custom')
  assert.deepEqual(p.configFiles, [path.join(dir, 'compose.yaml'), path.join(dir, 'sub', 'compose.yaml'), path.join(dir, 'other', 'compose.yaml')])
})

test('loadProject() include honours project_directory for relative paths and .env', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': 'include:\n  - path: lib/compose.yaml\n    project_directory: app\nservices:\n  web: {image: busybox}\n',
    'lib/compose.yaml': 'services:\n  tool:\n    image: "busybox:${TOOL_TAG}"\n    build: ./src\n',
    'app/.env': 'TOOL_TAG=app\n',
  })
  const p = await load(dir)
  assert.equal(p.services.tool!.image, 'busybox:app')
  assert.equal(p.services.tool!.build!.context, path.join(dir, 'app', 'src'))
})

test('loadProject() include conflicts with a locally defined resource', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': 'include: [sub.yaml]\nservices:\n  db: {image: busybox:2}\n',
    'sub.yaml': 'services:\n  db: {image: busybox:1}\n',
  })
  await assert.rejects(load(dir), /services\.db conflicts with imported resource/)
})

test('loadProject() profiles: only services without profiles or with an active one are enabled', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': `
services:
  web: {image: busybox}
  debug: {image: busybox, profiles: [debug]}
  tools: {image: busybox, profiles: [tools], depends_on: [helper]}
  helper: {image: busybox, profiles: [tools, helpers]}
`,
  })
  const none = await load(dir)
  assert.deepEqual(Object.keys(none.services), ['web'])
  assert.deepEqual(Object.keys(none.disabledServices).sort(), ['debug', 'helper', 'tools'])
  const tools = await load(dir, { profiles: ['tools'] })
  assert.deepEqual(Object.keys(tools.services).sort(), ['helper', 'tools', 'web'])
  const fromEnv = await load(dir, { env: { COMPOSE_PROFILES: 'debug,tools' } })
  assert.deepEqual(Object.keys(fromEnv.services).sort(), ['debug', 'helper', 'tools', 'web'])
  assert.deepEqual(Object.keys((await load(dir, { profiles: ['*'] })).services).length, 4)
})

test('loadProject() profiles: depending on a service disabled by profiles is an error, as in Compose', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': 'services:\n  web: {image: busybox, depends_on: [db]}\n  db: {image: busybox, profiles: [db]}\n',
  })
  await assert.rejects(load(dir), /service "web" depends on service "db" which is disabled by profiles/)
  assert.deepEqual(Object.keys((await load(dir, { profiles: ['db'] })).services).sort(), ['db', 'web'])
})

test('loadProject() honours !reset and !override in override files', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': `
services:
  web:
    image: busybox
    ports: ["8080:80"]
    environment: {A: "1", B: "2"}
    build: {context: ., args: {X: "1"}}
    dns: [1.1.1.1]
`,
    'compose.override.yaml': `
services:
  web:
    ports: !reset []
    environment: !override
      C: "3"
    build:
      args: !reset {}
    dns: !override 8.8.8.8
`,
  })
  const p = await load(dir)
  const web = p.services.web!
  assert.deepEqual(web.ports, [])
  assert.deepEqual(web.environment, { C: '3' })
  assert.deepEqual(web.build!.args, {})
  assert.deepEqual(web.dns, ['8.8.8.8'])
})

test('loadProject() names the file that defined a bad service', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': 'services:\n  web: {image: busybox}\n',
    'extra.yaml': 'services:\n  worker: {image: busybox, depends_on: [nope]}\n',
  })
  await assert.rejects(load(dir, { files: ['compose.yaml', 'extra.yaml'] }), (e: Error) =>
    e.message === `${path.join(dir, 'extra.yaml')}: service "worker" depends on undefined service "nope": invalid compose project`)
})

test('loadProject() resolves bare build args from the environment and upgrades v1 build keys', async (t) => {
  const dir = await projectDir(t, {
    'docker-compose.yml': 'web:\n  build: ./app\n  dockerfile: Dockerfile.dev\n  log_driver: syslog\n  log_opt: {tag: web}\n',
    'compose2.yaml': 'services:\n  b:\n    build: {context: ., args: [FROM_ENV, UNSET_ARG, "SET=1"]}\n',
  })
  const v1 = await load(dir)
  assert.deepEqual([v1.services.web!.build!.context, v1.services.web!.build!.dockerfile], [path.join(dir, 'app'), 'Dockerfile.dev'])
  assert.deepEqual(v1.services.web!.logging, { driver: 'syslog', options: { tag: 'web' } })
  const p = await load(dir, { files: ['compose2.yaml'], env: { FROM_ENV: 'e' } })
  assert.deepEqual(p.services.b!.build!.args, { FROM_ENV: 'e', UNSET_ARG: null, SET: '1' })
})

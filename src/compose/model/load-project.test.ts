import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as path from 'node:path'
import { ComposeError } from './compose-error.js'
import { load, projectDir } from './test-fixtures.js'

test('loadProject() finds compose.yaml and its override, names the project after the directory', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': 'services:\n  web:\n    image: busybox\n    ports: ["80"]\n',
    'compose.override.yaml': 'services:\n  web:\n    ports: ["81"]\n',
  }, 'My.App')
  const p = await load(dir)
  assert.equal(p.name, 'myapp')
  assert.equal(p.workingDir, dir)
  assert.deepEqual(p.configFiles, [path.join(dir, 'compose.yaml'), path.join(dir, 'compose.override.yaml')])
  assert.deepEqual(p.services.web!.ports.map((x) => x.target), [80, 81])
})

test('loadProject() searches parent directories and prefers compose.yaml over docker-compose.yml', async (t) => {
  const dir = await projectDir(t, {
    'docker-compose.yml': 'services:\n  old:\n    image: busybox\n',
    'compose.yaml': 'services:\n  new:\n    image: busybox\n',
    'sub/dir/.keep': '',
  })
  const p = await load(path.join(dir, 'sub', 'dir'))
  assert.deepEqual(Object.keys(p.services), ['new'])
  assert.match(p.warnings[0]!, /Found multiple config files/)
})

test('loadProject() fails clearly when no compose file exists', async (t) => {
  const dir = await projectDir(t, { '.keep': '' })
  await assert.rejects(load(dir, { cwd: dir, files: [] , env: {} }).catch((e) => { throw e }), /no configuration file provided: not found|services/)
})

test('loadProject() project name: -p, then COMPOSE_PROJECT_NAME, then name:, then the directory', async (t) => {
  const dir = await projectDir(t, { 'compose.yaml': 'name: fromfile\nservices:\n  a:\n    image: busybox\n' })
  assert.equal((await load(dir, { projectName: 'cli' })).name, 'cli')
  assert.equal((await load(dir, { env: { COMPOSE_PROJECT_NAME: 'envname' } })).name, 'envname')
  assert.equal((await load(dir)).name, 'fromfile')
  await assert.rejects(load(dir, { projectName: 'Bad Name' }), /invalid project name "Bad Name": must consist only of lowercase alphanumeric characters/)
  await assert.rejects(load(dir, { env: { COMPOSE_PROJECT_NAME: 'UPPER' } }), /invalid project name "UPPER"/)
})

test('loadProject() normalizes name: from the files and exposes COMPOSE_PROJECT_NAME to interpolation', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': 'name: "My App ${SUFFIX:-x}"\nservices:\n  a:\n    image: busybox\n    container_name: "${COMPOSE_PROJECT_NAME}-a"\n',
  })
  const p = await load(dir)
  assert.equal(p.name, 'myappx')
  assert.equal(p.services.a!.containerName, 'myappx-a')
})

test('loadProject() merges several YAML documents in one file and rejects an empty file', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': 'services:\n  a: {image: busybox, environment: [A=1]}\n---\nservices:\n  a: {environment: {B: "2"}}\n',
    'empty.yaml': '# nothing\n',
  })
  assert.deepEqual((await load(dir)).services.a!.environment, { A: '1', B: '2' })
  await assert.rejects(load(dir, { files: ['empty.yaml'] }), /empty compose file/)
})

test('loadProject() interpolates from the process env overlaid on .env', async (t) => {
  const dir = await projectDir(t, {
    '.env': 'TAG=1.0\nPORT=8080\nexport NAME_FROM_DOTENV=dotproj\n',
    'compose.yaml': 'services:\n  web:\n    image: "busybox:${TAG}"\n    ports: ["${PORT}:80"]\n    environment:\n      MSG: "${MSG:-hello} $$HOME"\n',
  })
  const p = await load(dir, { env: { TAG: '2.0' } })
  assert.equal(p.services.web!.image, 'busybox:2.0')
  assert.equal(p.services.web!.ports[0]!.published, '8080')
  assert.deepEqual(p.services.web!.environment, { MSG: 'hello $HOME' })
  assert.equal(p.environment.PORT, '8080')
  assert.deepEqual(p.envFiles, [path.join(dir, '.env')])
})

test('loadProject() --env-file replaces .env and COMPOSE_PROJECT_NAME may come from it', async (t) => {
  const dir = await projectDir(t, {
    '.env': 'TAG=dotenv\n',
    'prod.env': 'TAG=prod\nCOMPOSE_PROJECT_NAME=prodproj\n',
    'compose.yaml': 'services:\n  web:\n    image: "busybox:${TAG}"\n',
  })
  const p = await load(dir, { envFiles: ['prod.env'] })
  assert.equal(p.services.web!.image, 'busybox:prod')
  assert.equal(p.name, 'prodproj')
  await assert.rejects(load(dir, { envFiles: ['missing.env'] }), /couldn't find env file/)
  assert.equal((await load(dir, { env: { COMPOSE_ENV_FILES: 'prod.env' } })).services.web!.image, 'busybox:prod')
})

test('loadProject() warns about unset variables and fails on ${VAR:?err}', async (t) => {
  const dir = await projectDir(t, { 'compose.yaml': 'services:\n  web:\n    image: "busybox${SUFFIX}"\n    environment: [ "A=${SUFFIX}" ]\n' })
  const p = await load(dir)
  assert.equal(p.services.web!.image, 'busybox')
  assert.deepEqual(p.warnings, ['The "SUFFIX" variable is not set. Defaulting to a blank string.'])
  const bad = await projectDir(t, { 'compose.yaml': 'services:\n  web:\n    image: "${IMAGE:?IMAGE must be set}"\n' })
  await assert.rejects(load(bad), (e: ComposeError) =>
    e instanceof ComposeError && e.message.includes('compose.yaml') && e.message.includes('services.web.image: required variable IMAGE is missing a value: IMAGE must be set'))
})

test('loadProject() noInterpolate keeps ${VAR} text', async (t) => {
  const dir = await projectDir(t, { 'compose.yaml': 'services:\n  web:\n    image: "busybox:${TAG:-x}"\n' })
  assert.equal((await load(dir, { noInterpolate: true })).services.web!.image, 'busybox:${TAG:-x}')
})

test('loadProject() normalizes the common service keys', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': `
services:
  web:
    build: ./web
    image: myweb
    command: sh -c "echo hi && sleep 1"
    entrypoint: ["/bin/sh"]
    environment: [A=1, B, "C=x=y"]
    env_file: [common.env, {path: missing.env, required: false}]
    ports: ["8080:80", "127.0.0.1:9000-9001:9000-9001/udp", 3000, "[::1]:53:53/udp", {target: 443, published: 8443}]
    expose: [3000, "4000/udp"]
    volumes: ["./data:/data:ro", "db:/var/lib/db:nocopy", "/anon", "~/cache:/cache:z", {type: tmpfs, target: /tmp, tmpfs: {size: 1m}}]
    networks:
      front: {aliases: [www], ipv4_address: 10.5.0.5}
      back:
    depends_on:
      db: {condition: service_healthy}
      cache:
        condition: service_completed_successfully
        restart: true
    healthcheck: {test: curl -f http://localhost, interval: 1m30s, timeout: 10s, retries: 3, start_period: 500ms}
    restart: unless-stopped
    labels: [com.example=1]
    container_name: the-web
    hostname: webhost
    user: "1000:1000"
    working_dir: /app
    read_only: true
    init: true
    tmpfs: /run
    ulimits: {nofile: {soft: 1024, hard: 2048}, nproc: 512}
    mem_limit: 512m
    cpus: "0.5"
    cap_add: [NET_ADMIN]
    cap_drop: [ALL]
    stop_signal: SIGINT
    stop_grace_period: 1m30s
    extra_hosts: ["somehost:162.242.195.82", "other=10.0.0.1"]
    dns: 8.8.8.8
    logging: {driver: json-file, options: {max-size: 10m}}
    secrets: [token]
    configs: [{source: app, target: /etc/app.conf, mode: 0440}]
  db:
    image: busybox
    networks: [back]
    healthcheck: {test: [CMD, "true"]}
  cache:
    image: busybox
    scale: 2
networks: {front: {}, back: {}}
volumes: {db: {}}
secrets: {token: {file: ./token.txt}}
configs: {app: {content: "x=1"}}
`,
    'common.env': 'A=from-file\nD=4\n',
  })
  const p = await load(dir, { env: { B: 'from-env', HOME: '/home/u' } })
  const web = p.services.web!
  assert.equal(web.build!.context, path.join(dir, 'web'))
  assert.equal(web.build!.dockerfile, 'Dockerfile')
  assert.deepEqual(web.command, ['sh', '-c', 'echo hi && sleep 1'])
  assert.deepEqual(web.entrypoint, ['/bin/sh'])
  assert.deepEqual(web.environment, { A: '1', B: 'from-env', C: 'x=y', D: '4' })
  assert.deepEqual(web.ports, [
    { target: 80, protocol: 'tcp', mode: 'ingress', published: '8080' },
    { target: 9000, protocol: 'udp', mode: 'ingress', published: '9000', hostIp: '127.0.0.1' },
    { target: 9001, protocol: 'udp', mode: 'ingress', published: '9001', hostIp: '127.0.0.1' },
    { target: 3000, protocol: 'tcp', mode: 'ingress' },
    { target: 53, protocol: 'udp', mode: 'ingress', published: '53', hostIp: '::1' },
    { target: 443, protocol: 'tcp', mode: 'ingress', published: '8443' },
  ])
  assert.deepEqual(web.expose, ['3000', '4000/udp'])
  assert.deepEqual(web.volumes, [
    { type: 'bind', source: path.join(dir, 'data'), target: '/data', readOnly: true, bind: { createHostPath: true } },
    { type: 'volume', source: 'db', target: '/var/lib/db', readOnly: false, volume: { nocopy: true } },
    { type: 'volume', target: '/anon', readOnly: false, volume: { nocopy: false } },
    { type: 'bind', source: '/home/u/cache', target: '/cache', readOnly: false, bind: { createHostPath: true, selinux: 'z' } },
    { type: 'tmpfs', target: '/tmp', readOnly: false, tmpfs: { size: 1048576 } },
  ])
  assert.deepEqual(web.networks.front, { aliases: ['www'], linkLocalIps: [], priority: 0, driverOpts: {}, ipv4Address: '10.5.0.5' })
  assert.deepEqual(Object.keys(web.networks), ['front', 'back'])
  assert.deepEqual(web.dependsOn, {
    db: { condition: 'service_healthy', required: true, restart: false },
    cache: { condition: 'service_completed_successfully', required: true, restart: true },
  })
  assert.deepEqual(web.healthcheck, { disable: false, test: ['CMD-SHELL', 'curl -f http://localhost'], interval: 90e9, timeout: 10e9, retries: 3, startPeriod: 500e6 })
  assert.equal(web.restart, 'unless-stopped')
  assert.deepEqual(web.labels, { 'com.example': '1' })
  assert.equal(web.containerName, 'the-web')
  assert.equal(web.hostname, 'webhost')
  assert.equal(web.user, '1000:1000')
  assert.equal(web.workingDir, '/app')
  assert.equal(web.readOnly, true)
  assert.equal(web.init, true)
  assert.deepEqual(web.tmpfs, ['/run'])
  assert.deepEqual(web.ulimits, { nofile: { soft: 1024, hard: 2048 }, nproc: { soft: 512, hard: 512 } })
  assert.equal(web.memLimit, 512 * 1024 * 1024)
  assert.equal(web.cpus, 0.5)
  assert.deepEqual([web.capAdd, web.capDrop], [['NET_ADMIN'], ['ALL']])
  assert.equal(web.stopSignal, 'SIGINT')
  assert.equal(web.stopGracePeriod, 90e9)
  assert.deepEqual(web.extraHosts, ['somehost:162.242.195.82', 'other:10.0.0.1'])
  assert.deepEqual(web.dns, ['8.8.8.8'])
  assert.deepEqual(web.logging, { driver: 'json-file', options: { 'max-size': '10m' } })
  assert.deepEqual(web.secrets, [{ source: 'token', target: '/run/secrets/token' }])
  assert.deepEqual(web.configs, [{ source: 'app', target: '/etc/app.conf', mode: 0o440 }])
  assert.deepEqual(p.services.db!.healthcheck!.test, ['CMD', 'true'])
  assert.equal(p.services.cache!.scale, 2)
  assert.deepEqual(p.secrets.token, { name: 'proj_token', external: false, file: path.join(dir, 'token.txt') })
  assert.deepEqual(p.configs.app, { name: 'proj_app', external: false, content: 'x=1' })
})

test('loadProject() adds the implicit default network and project-scoped resource names', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': `
services:
  a: {image: busybox}
  b: {image: busybox, networks: [back]}
networks:
  back: {driver: bridge, internal: true, ipam: {config: [{subnet: 10.9.0.0/24, gateway: 10.9.0.1}]}}
  ext: {external: true}
  named: {name: exactly-this}
volumes:
  data: {}
  shared: {external: true, name: shared-vol}
  legacy: {external: {name: legacy-vol}}
`,
  })
  const p = await load(dir)
  assert.deepEqual(Object.keys(p.services.a!.networks), ['default'])
  assert.equal(p.networks.default!.name, 'proj_default')
  assert.equal(p.networks.back!.name, 'proj_back')
  assert.equal(p.networks.back!.internal, true)
  assert.deepEqual(p.networks.back!.ipam!.config, [{ subnet: '10.9.0.0/24', gateway: '10.9.0.1', auxAddresses: {} }])
  assert.deepEqual([p.networks.ext!.name, p.networks.ext!.external], ['ext', true])
  assert.equal(p.networks.named!.name, 'exactly-this')
  assert.equal(p.volumes.data!.name, 'proj_data')
  assert.deepEqual([p.volumes.shared!.name, p.volumes.shared!.external], ['shared-vol', true])
  assert.deepEqual([p.volumes.legacy!.name, p.volumes.legacy!.external], ['legacy-vol', true])
})

test('loadProject() leaves out the default network when no service uses it', async (t) => {
  const dir = await projectDir(t, { 'compose.yaml': 'services:\n  a: {image: busybox, network_mode: host}\n' })
  const p = await load(dir)
  assert.deepEqual(p.networks, {})
  assert.deepEqual(p.services.a!.networks, {})
  assert.equal(p.services.a!.networkMode, 'host')
})

test('withServicesEnabled() enables targeted services with their profiles, as compose up <service> does', async (t) => {
  const { withServicesEnabled } = await import('./build-project.js')
  const dir = await projectDir(t, {
    'compose.yaml': `
services:
  web: {image: busybox}
  mock: {image: busybox, profiles: [dev], depends_on: [db]}
  db: {image: busybox, profiles: [dev]}
  admin: {image: busybox, profiles: [debug], depends_on: [db]}
  other: {image: busybox, profiles: [z]}
`,
  })
  const p = await load(dir)
  const mock = withServicesEnabled(p, ['mock'])
  assert.deepEqual(Object.keys(mock.services).sort(), ['db', 'mock', 'web'])
  assert.deepEqual(mock.profiles, ['dev'])
  assert.throws(() => withServicesEnabled(p, ['admin']), /service "admin" depends on service "db" which is disabled by profiles/)
  assert.deepEqual(Object.keys(withServicesEnabled(p, ['admin', 'db']).services).sort(), ['admin', 'db', 'mock', 'web'])
  assert.throws(() => withServicesEnabled(p, ['missing']), /no such service: missing/)
})

test('loadProject() supports anchors, aliases and << merge keys in x- extensions', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': `
x-common: &common
  image: busybox
  restart: always
  environment: &env
    A: "1"
services:
  a:
    <<: *common
    environment:
      <<: *env
      B: "2"
  b: *common
`,
  })
  const p = await load(dir)
  assert.deepEqual([p.services.a!.image, p.services.a!.restart], ['busybox', 'always'])
  assert.deepEqual(p.services.a!.environment, { A: '1', B: '2' })
  assert.deepEqual(p.services.b!.environment, { A: '1' })
  assert.deepEqual(Object.keys(p.extensions!), ['x-common'])
})

test('loadProject() --project-directory moves .env lookup and relative paths', async (t) => {
  const dir = await projectDir(t, {
    'files/compose.yaml': 'services:\n  a:\n    image: "busybox:${TAG}"\n    volumes: ["./data:/data"]\n',
    'proj/.env': 'TAG=fromproj\n',
  })
  const p = await load(dir, { files: ['files/compose.yaml'], projectDirectory: 'proj' })
  assert.equal(p.workingDir, path.join(dir, 'proj'))
  assert.equal(p.name, 'proj')
  assert.equal(p.services.a!.image, 'busybox:fromproj')
  assert.equal(p.services.a!.volumes[0]!.source, path.join(dir, 'proj', 'data'))
})

test('loadProject() rejects container_name on a scaled service', async (t) => {
  const dir = await projectDir(t, { 'compose.yaml': 'services:\n  a: {image: busybox, container_name: one, deploy: {replicas: 2}}\n' })
  await assert.rejects(load(dir), /services\.a: can't set container_name and a as container name must be unique/)
})

test('loadProject() reads "-f -" from standard input with paths relative to cwd', async (t) => {
  const dir = await projectDir(t, { 'override.yaml': 'services:\n  a: {environment: [B=2]}\n' })
  const p = await load(dir, {
    files: ['-', 'override.yaml'],
    readStdin: async () => 'services:\n  a: {image: busybox, environment: [A=1], volumes: ["./d:/d"]}\n',
  })
  assert.equal(p.name, 'proj')
  assert.deepEqual(p.configFiles, ['-', path.join(dir, 'override.yaml')])
  assert.deepEqual(p.services.a!.environment, { A: '1', B: '2' })
  assert.equal(p.services.a!.volumes[0]!.source, path.join(dir, 'd'))
  await assert.rejects(load(dir, { files: ['-'] }), /standard input/)
})

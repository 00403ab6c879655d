import test from 'node:test'
import assert from 'node:assert/strict'
import { LABEL_CONFIG_HASH, LABEL_CONTAINER_NUMBER, LABEL_ONEOFF, LABEL_PROJECT, LABEL_SERVICE } from '../labels.js'
import { networksByPriority, restartPolicy, serviceCreateRequest } from './service-request.js'
import { projectFromYaml } from './test-project.js'

const YAML = `
services:
  web:
    image: busybox
    command: ["httpd", "-f"]
    environment: { A: "1" }
    ports: ["8080:80", "127.0.0.1:9000:9000/udp"]
    expose: ["3000"]
    volumes: [data:/data, /srv/site:/site:ro, /anon]
    tmpfs: [/run/tmp]
    networks:
      front: { aliases: [www], ipv4_address: 172.30.5.10 }
      back: {}
    healthcheck: { test: ["CMD", "true"], interval: 2s, retries: 3 }
    restart: on-failure:3
    init: true
    stop_signal: SIGINT
    stop_grace_period: 0s
    mem_limit: 64m
    cpus: 0.5
    ulimits: { nofile: { soft: 100, hard: 200 } }
    cap_add: [NET_ADMIN]
    extra_hosts: ["somehost:10.1.2.3"]
    dns: [8.8.8.8]
    logging: { driver: json-file, options: { max-size: 1m } }
    secrets: [token]
    links: [db]
  db:
    image: busybox
secrets:
  token: { file: ./token.txt }
networks:
  front:
    ipam: { config: [{ subnet: 172.30.5.0/24 }] }
  back: {}
volumes:
  data: {}
`

test('serviceCreateRequest() converts a service into a create body like Docker Compose', async () => {
  const project = await projectFromYaml(YAML, 'proj', { 'token.txt': 's3cret' })
  const web = project.services['web']!
  const { body } = serviceCreateRequest(project, web, {
    containerName: 'proj-web-1', number: 1, configHash: 'abc', image: 'busybox', imageId: 'sha256:1', links: ['proj-db-1:db'],
  })
  assert.equal(body.Image, 'busybox')
  assert.deepEqual(body.Cmd, ['httpd', '-f'])
  assert.deepEqual(body.Env, ['A=1'])
  assert.equal(body.Labels?.[LABEL_PROJECT], 'proj')
  assert.equal(body.Labels?.[LABEL_SERVICE], 'web')
  assert.equal(body.Labels?.[LABEL_CONTAINER_NUMBER], '1')
  assert.equal(body.Labels?.[LABEL_ONEOFF], 'False')
  assert.equal(body.Labels?.[LABEL_CONFIG_HASH], 'abc')
  assert.deepEqual(Object.keys(body.ExposedPorts ?? {}).sort(), ['3000/tcp', '80/tcp', '9000/udp'])
  const host = body.HostConfig as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.deepEqual(host['PortBindings']['80/tcp'], [{ HostPort: '8080' }])
  assert.deepEqual(host['PortBindings']['9000/udp'], [{ HostIp: '127.0.0.1', HostPort: '9000' }])
  const mounts = host['Mounts'] as Array<Record<string, unknown>>
  assert.deepEqual(mounts.find((m) => m['Target'] === '/data'), { Type: 'volume', Source: 'proj_data', Target: '/data' })
  assert.equal(mounts.find((m) => m['Target'] === '/site')?.['ReadOnly'], true)
  assert.equal(mounts.find((m) => m['Target'] === '/anon')?.['Source'], undefined)
  const secret = mounts.find((m) => m['Target'] === '/run/secrets/token')!
  assert.equal(secret['Type'], 'bind')
  assert.equal(secret['ReadOnly'], true)
  assert.match(String(secret['Source']), /token\.txt$/)
  assert.deepEqual(host['Tmpfs'], { '/run/tmp': '' })
  assert.deepEqual(host['RestartPolicy'], { Name: 'on-failure', MaximumRetryCount: 3 })
  assert.equal(host['Init'], true)
  assert.equal(host['Memory'], 64 * 1024 * 1024)
  assert.equal(host['NanoCpus'], 500_000_000)
  assert.deepEqual(host['Ulimits'], [{ Name: 'nofile', Soft: 100, Hard: 200 }])
  assert.deepEqual(host['CapAdd'], ['NET_ADMIN'])
  assert.deepEqual(host['ExtraHosts'], ['somehost:10.1.2.3'])
  assert.deepEqual(host['Dns'], ['8.8.8.8'])
  assert.deepEqual(host['LogConfig'], { Type: 'json-file', Config: { 'max-size': '1m' } })
  assert.deepEqual(host['Links'], ['proj-db-1:db'])
  assert.equal(body.StopSignal, 'SIGINT')
  assert.equal(body.StopTimeout, 0)
  assert.deepEqual(body.Healthcheck, { Test: ['CMD', 'true'], Interval: 2e9, Retries: 3 })
  // Networks: the service name and aliases are DNS names; ipv4_address goes in the endpoint's IPAM config.
  assert.equal(host['NetworkMode'], 'proj_back')
  const endpoints = body.NetworkingConfig?.EndpointsConfig as Record<string, Record<string, unknown>>
  assert.deepEqual(Object.keys(endpoints).sort(), ['proj_back', 'proj_front'])
  assert.deepEqual(endpoints['proj_front']!['Aliases'], ['proj-web-1', 'web', 'www'])
  assert.deepEqual(endpoints['proj_front']!['IPAMConfig'], { IPv4Address: '172.30.5.10' })
  assert.deepEqual(endpoints['proj_back']!['Aliases'], ['proj-web-1', 'web'])
})

test('serviceCreateRequest() keeps a replaced container\'s anonymous volumes and can leave ports unpublished', async () => {
  const project = await projectFromYaml(YAML, 'proj', { 'token.txt': 's3cret' })
  const { body } = serviceCreateRequest(project, project.services['web']!, {
    containerName: 'proj-web-run-1', number: 1, configHash: 'abc', image: 'busybox', oneoff: true, publishPorts: false, useAliases: false,
    inheritedVolumes: { '/anon': 'a'.repeat(64), '/image-volume': 'b'.repeat(64) },
  })
  const host = body.HostConfig as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.equal(host['PortBindings'], undefined)
  const mounts = host['Mounts'] as Array<Record<string, unknown>>
  assert.equal(mounts.find((m) => m['Target'] === '/anon')?.['Source'], 'a'.repeat(64))
  assert.equal(mounts.find((m) => m['Target'] === '/image-volume')?.['Source'], 'b'.repeat(64))
  assert.equal(body.Labels?.[LABEL_ONEOFF], 'True')
  const endpoints = body.NetworkingConfig?.EndpointsConfig as Record<string, Record<string, unknown>>
  assert.deepEqual(endpoints['proj_front']!['Aliases'], ['proj-web-run-1'])
})

test('serviceCreateRequest() resolves network_mode service:x to the container of x', async () => {
  const project = await projectFromYaml('services:\n  a: { image: busybox }\n  b: { image: busybox, network_mode: "service:a" }\n')
  const { body } = serviceCreateRequest(project, project.services['b']!, {
    containerName: 'proj-b-1', number: 1, configHash: 'h', image: 'busybox', serviceContainer: (s) => (s === 'a' ? 'cid' : undefined),
  })
  assert.equal((body.HostConfig as Record<string, unknown>)['NetworkMode'], 'container:cid')
  assert.equal(body.NetworkingConfig, undefined)
  assert.throws(() => serviceCreateRequest(project, project.services['b']!, { containerName: 'x', number: 1, configHash: 'h', image: 'busybox' }), /container missing/)
})

test('networksByPriority() orders by priority, then name; restartPolicy() maps deploy.restart_policy', async () => {
  const project = await projectFromYaml(`
services:
  s:
    image: busybox
    networks: { b: {}, a: {}, c: { priority: 10 } }
    deploy: { restart_policy: { condition: any } }
networks: { a: {}, b: {}, c: {} }
`)
  assert.deepEqual(networksByPriority(project.services['s']!), ['c', 'a', 'b'])
  assert.deepEqual(restartPolicy(project.services['s']!), { Name: 'always' })
})

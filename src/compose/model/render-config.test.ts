import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parse } from 'yaml'
import { renderConfig } from './render-config.js'
import { load, projectDir } from './test-fixtures.js'

const COMPOSE = `
services:
  web:
    image: busybox
    command: sh -c "echo hi"
    environment: [B=2, A=1]
    ports: ["127.0.0.1:8080:80", "9000"]
    volumes: ["./site:/www:ro", "data:/data"]
    depends_on:
      db: {condition: service_healthy}
    healthcheck: {test: wget -q -O- localhost, interval: 90s, timeout: 500ms, retries: 3}
    stop_grace_period: 1m
    mem_limit: 1g
    extra_hosts: ["b.example:10.0.0.2", "a.example=10.0.0.1"]
    ulimits: {nofile: {soft: 10, hard: 20}, nproc: 30}
    x-custom: yes-please
  db:
    image: busybox
    networks: [back, default]
    healthcheck: {test: [CMD, "true"]}
    tmpfs: [/run]
networks:
  back: {ipam: {config: [{subnet: 10.1.0.0/24, gateway: 10.1.0.1, ip_range: 10.1.0.128/25}]}}
volumes:
  data: {}
`

test('renderConfig() prints the project like docker compose config', async (t) => {
  const dir = await projectDir(t, { 'compose.yaml': COMPOSE }, 'demo')
  const project = await load(dir)
  const expected = `name: demo
services:
  db:
    healthcheck:
      test:
        - CMD
        - "true"
    image: busybox
    networks:
      back: null
      default: null
    tmpfs:
      - /run
  web:
    command:
      - sh
      - -c
      - echo hi
    depends_on:
      db:
        condition: service_healthy
        required: true
    environment:
      A: "1"
      B: "2"
    extra_hosts:
      - a.example=10.0.0.1
      - b.example=10.0.0.2
    healthcheck:
      test:
        - CMD-SHELL
        - wget -q -O- localhost
      timeout: 500ms
      interval: 1m30s
      retries: 3
    image: busybox
    mem_limit: "1073741824"
    networks:
      default: null
    ports:
      - mode: ingress
        host_ip: 127.0.0.1
        target: 80
        published: "8080"
        protocol: tcp
      - mode: ingress
        target: 9000
        protocol: tcp
    stop_grace_period: 1m0s
    ulimits:
      nofile:
        soft: 10
        hard: 20
      nproc: 30
    volumes:
      - type: bind
        source: ${dir}/site
        target: /www
        read_only: true
        bind:
          create_host_path: true
      - type: volume
        source: data
        target: /data
        volume: {}
    x-custom: yes-please
networks:
  back:
    name: demo_back
    ipam:
      config:
        - subnet: 10.1.0.0/24
          gateway: 10.1.0.1
          ip_range: 10.1.0.128/25
  default:
    name: demo_default
volumes:
  data:
    name: demo_data
`
  assert.equal(renderConfig(project, { format: 'yaml' }), expected)
})

test('renderConfig() quotes strings YAML 1.1 would read as booleans or numbers', async (t) => {
  const dir = await projectDir(t, { 'compose.yaml': 'services:\n  a:\n    image: busybox\n    restart: "no"\n    environment: {FLAG: "on", N: "0755", T: "true"}\n' }, 'demo')
  const text = renderConfig(await load(dir), { format: 'yaml' })
  assert.match(text, /restart: "no"/)
  assert.match(text, /FLAG: "on"\n      "N": "0755"\n      T: "true"/)
})

test('renderConfig() prints secrets with their target and configs without the default one', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': 'services:\n  a:\n    image: busybox\n    secrets: [s]\n    configs: [c, {source: c, target: /etc/c.conf, mode: 0440}]\nsecrets: {s: {file: ./s.txt}}\nconfigs: {c: {file: ./c.txt}}\n',
  }, 'demo')
  const text = renderConfig(await load(dir), { format: 'yaml' })
  assert.match(text, /    configs:\n      - source: c\n      - source: c\n        target: \/etc\/c.conf\n        mode: 288\n/)
  assert.match(text, /    secrets:\n      - source: s\n        target: \/run\/secrets\/s\n/)
  assert.match(text, new RegExp(`secrets:\n  s:\n    name: demo_s\n    file: ${dir}/s.txt\n`))
})

test('renderConfig() JSON has the same content as the YAML', async (t) => {
  const dir = await projectDir(t, { 'compose.yaml': COMPOSE }, 'demo')
  const project = await load(dir)
  const json = JSON.parse(renderConfig(project, { format: 'json' }))
  assert.deepEqual(json, parse(renderConfig(project, { format: 'yaml' })))
  assert.equal(json.services.web.healthcheck.interval, '1m30s')
})

test('renderConfig() lists services, volumes, networks, profiles and images', async (t) => {
  const dir = await projectDir(t, {
    'compose.yaml': 'services:\n  b: {image: busybox}\n  a: {build: ., profiles: [dev]}\nvolumes: {v2: {}, v1: {}}\n',
  }, 'demo')
  const project = await load(dir, { profiles: ['dev'] })
  assert.equal(renderConfig(project, { format: 'yaml', services: true }), 'a\nb\n')
  assert.equal(renderConfig(project, { format: 'yaml', volumes: true }), 'v1\nv2\n')
  assert.equal(renderConfig(project, { format: 'yaml', networks: true }), 'default\n')
  assert.equal(renderConfig(project, { format: 'yaml', profiles: true }), 'dev\n')
  assert.equal(renderConfig(project, { format: 'yaml', images: true }), 'demo-a\nbusybox\n')
})

test('renderConfig() output loads back to the same project', async (t) => {
  const dir = await projectDir(t, { 'compose.yaml': COMPOSE }, 'demo')
  const project = await load(dir)
  const first = renderConfig(project, { format: 'yaml' })
  const again = await projectDir(t, { 'compose.yaml': first }, 'other')
  assert.equal(renderConfig(await load(again), { format: 'yaml' }), first)
})

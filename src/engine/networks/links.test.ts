import { test } from 'node:test'
import assert from 'node:assert/strict'
import { linkEnv, linkHostNames, parseLink } from './links.js'

test('parseLink() splits name and alias, defaulting the alias to the name', () => {
  assert.deepEqual(parseLink('db:database'), { name: 'db', alias: 'database' })
  assert.deepEqual(parseLink('/db'), { name: 'db', alias: 'db' })
})

test('linkHostNames() lists alias, hostname and name without repeats', () => {
  assert.equal(linkHostNames('database', 'db', 'abc123'), 'database abc123 db')
  assert.equal(linkHostNames('db', 'db', 'abc123'), 'db abc123')
})

test('linkEnv() builds moby\'s link variables', () => {
  assert.deepEqual(linkEnv({ alias: 'my-db', parentName: 'app', childIp: '172.17.0.3', exposed: ['5432/tcp', '53/udp'], childEnv: ['PATH=/bin', 'PASS=x'] }), [
    'MY_DB_PORT=udp://172.17.0.3:53',
    'MY_DB_PORT_53_UDP=udp://172.17.0.3:53',
    'MY_DB_PORT_53_UDP_ADDR=172.17.0.3',
    'MY_DB_PORT_53_UDP_PORT=53',
    'MY_DB_PORT_53_UDP_PROTO=udp',
    'MY_DB_PORT_5432_TCP=tcp://172.17.0.3:5432',
    'MY_DB_PORT_5432_TCP_ADDR=172.17.0.3',
    'MY_DB_PORT_5432_TCP_PORT=5432',
    'MY_DB_PORT_5432_TCP_PROTO=tcp',
    'MY_DB_NAME=/app/my-db',
    'MY_DB_ENV_PASS=x',
  ])
})

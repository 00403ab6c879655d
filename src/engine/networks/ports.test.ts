import { test } from 'node:test'
import assert from 'node:assert/strict'
import { exposedPorts, parsePortKey, portRequests } from './ports.js'

test('parsePortKey() defaults to tcp and rejects bad ports', () => {
  assert.deepEqual(parsePortKey('53/udp'), { port: 53, proto: 'udp' })
  assert.deepEqual(parsePortKey('80'), { port: 80, proto: 'tcp' })
  assert.throws(() => parsePortKey('0/tcp'), /invalid port/)
  assert.throws(() => parsePortKey('80/sctpx'), /invalid proto/)
})

test('portRequests() binds PortBindings, ranges and, with publishAll, the other exposed ports on random ports', () => {
  const reqs = portRequests(
    { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }], '53/udp': [{ HostPort: '5300-5310' }] },
    true,
    ['80/tcp', '443/tcp', '53/udp'],
  )
  assert.deepEqual(reqs, [
    { proto: 'udp', containerPort: 53, hostIp: '', hostPortStart: 5300, hostPortEnd: 5310 },
    { proto: 'tcp', containerPort: 80, hostIp: '127.0.0.1', hostPortStart: 8080, hostPortEnd: 8080 },
    { proto: 'tcp', containerPort: 443, hostIp: '', hostPortStart: 0, hostPortEnd: 0 },
  ])
  assert.deepEqual(portRequests(undefined, false, ['80/tcp']), [])
  assert.throws(() => portRequests({ '80/tcp': [{ HostPort: '9-3' }] }, false, []), /invalid hostPort/)
  assert.throws(() => portRequests({ '80/tcp': [{ HostIp: '::1', HostPort: '80' }] }, false, []), /IPv6 address ::1 is not supported/)
})

test('exposedPorts() merges sources and normalizes the protocol', () => {
  assert.deepEqual(exposedPorts({ '80/tcp': {} }, { '80': {}, '53/udp': {} }), ['80/tcp', '53/udp'])
})

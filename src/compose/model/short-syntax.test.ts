import { test } from 'node:test'
import assert from 'node:assert/strict'
import { canonicalVolume, parsePortSpec } from './short-syntax.js'

const ctx = { path: 'services.web.ports[0]' }

test('parsePortSpec() reads every short port form', () => {
  assert.deepEqual(parsePortSpec('3000', ctx), [{ mode: 'ingress', target: 3000, protocol: 'tcp' }])
  assert.deepEqual(parsePortSpec('3000-3001', ctx).map((p) => p.target), [3000, 3001])
  assert.deepEqual(parsePortSpec('8000:8000', ctx), [{ mode: 'ingress', target: 8000, published: '8000', protocol: 'tcp' }])
  assert.deepEqual(parsePortSpec('9090-9091:8080-8081', ctx).map((p) => [p.published, p.target]), [['9090', 8080], ['9091', 8081]])
  assert.deepEqual(parsePortSpec('127.0.0.1:5000-5001:5000-5001/udp', ctx).map((p) => [p.host_ip, p.published, p.target, p.protocol]),
    [['127.0.0.1', '5000', 5000, 'udp'], ['127.0.0.1', '5001', 5001, 'udp']])
  assert.deepEqual(parsePortSpec('[::1]:6001:6001', ctx), [{ mode: 'ingress', host_ip: '::1', target: 6001, published: '6001', protocol: 'tcp' }])
  assert.deepEqual(parsePortSpec('12400-12500:1240', ctx), [{ mode: 'ingress', target: 1240, published: '12400-12500', protocol: 'tcp' }])
  assert.deepEqual(parsePortSpec('127.0.0.1::80', ctx), [{ mode: 'ingress', host_ip: '127.0.0.1', target: 80, protocol: 'tcp' }])
})

test('parsePortSpec() rejects bad ports with the key path', () => {
  assert.throws(() => parsePortSpec('http', ctx), /services\.web\.ports\[0\]: invalid port "http"/)
  assert.throws(() => parsePortSpec('70000', ctx), /invalid port range/)
  assert.throws(() => parsePortSpec('80/icmp', ctx), /invalid protocol "icmp"/)
  assert.throws(() => parsePortSpec('1-3:1-2', ctx), /invalid ranges/)
})

test('canonicalVolume() reads short volume specs like compose-go', () => {
  const c = { path: 'services.web.volumes[0]' }
  assert.deepEqual(canonicalVolume('/data', c, '/p', '/home/u'), { type: 'volume', target: '/data', volume: {} })
  assert.deepEqual(canonicalVolume('db:/var/lib/db/', c, '/p', undefined), { type: 'volume', source: 'db', target: '/var/lib/db', volume: {} })
  assert.deepEqual(canonicalVolume('./src:/app:ro,rshared,Z', c, '/p', undefined),
    { type: 'bind', source: '/p/src', target: '/app', read_only: true, bind: { selinux: 'Z', propagation: 'rshared', create_host_path: true } })
  assert.deepEqual(canonicalVolume('../up:/up', c, '/p/q', undefined).source, '/p/up')
  assert.deepEqual(canonicalVolume('~/x:/x', c, '/p', '/home/u').source, '/home/u/x')
  assert.deepEqual(canonicalVolume('db:/d:nocopy,unknown', c, '/p', undefined), { type: 'volume', source: 'db', target: '/d', volume: { nocopy: true } })
  assert.deepEqual(canonicalVolume({ type: 'bind', source: 'rel', target: '/r' }, c, '/p', undefined), { type: 'bind', source: '/p/rel', target: '/r' })
  assert.throws(() => canonicalVolume('a:b:c:d', c, '/p', undefined), /invalid volume specification/)
  assert.throws(() => canonicalVolume('a::c', c, '/p', undefined), /invalid volume specification/)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildHostname, buildHosts, buildResolvConf, parseExtraHosts } from './etc-files.js'

test('buildHosts() writes Docker\'s default entries, own addresses and extra hosts', () => {
  const hosts = buildHosts({ hostNetwork: false, hostname: 'abc', addresses: ['172.17.0.2'], extraHosts: ['db:10.0.0.5', 'v6:fe80::1', 'gw:host-gateway'] })
  assert.equal(hosts, [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::\tip6-localnet',
    'ff00::\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    '172.17.0.2\tabc',
    '10.0.0.5\tdb',
    'fe80::1\tv6',
    '',
  ].join('\n'))
})

test('buildHosts() copies the host file for the host network', () => {
  assert.equal(buildHosts({ hostNetwork: true, hostHostsContent: '127.0.0.1 localhost', hostname: 'h', extraHosts: ['x=1.2.3.4'] }), '127.0.0.1 localhost\n1.2.3.4\tx\n')
})

test('parseExtraHosts() handles "=", ":" , bracketed IPv6 and host-gateway', () => {
  assert.deepEqual(parseExtraHosts(['a=1.1.1.1', 'b:[::1]', 'gw:host-gateway', 'bad'], '172.17.0.1'), [
    ['1.1.1.1', 'a'], ['::1', 'b'], ['172.17.0.1', 'gw'],
  ])
})

test('buildResolvConf() drops localhost nameservers and falls back to public ones', () => {
  const host = '# comment\nnameserver 127.0.0.53\nnameserver 10.0.0.1\nsearch example.com\noptions edns0\n'
  assert.equal(buildResolvConf(host, { hostNetwork: false }), '# comment\nnameserver 10.0.0.1\nsearch example.com\noptions edns0\n')
  assert.equal(buildResolvConf('nameserver 127.0.0.1\nnameserver ::1\n', { hostNetwork: false }), 'nameserver 8.8.8.8\nnameserver 8.8.4.4\n')
})

test('buildResolvConf() copies the host file for the host network', () => {
  const host = 'nameserver 127.0.0.53\n'
  assert.equal(buildResolvConf(host, { hostNetwork: true }), host)
})

test('buildResolvConf() replaces nameservers, search and options when given', () => {
  const out = buildResolvConf('nameserver 10.0.0.1\nsearch a.com\n', { hostNetwork: false, dns: ['1.1.1.1'], dnsSearch: ['b.com'], dnsOptions: ['ndots:2'] })
  assert.equal(out, 'nameserver 1.1.1.1\nsearch b.com\noptions ndots:2\n')
  assert.equal(buildResolvConf('nameserver 10.0.0.1\nsearch a.com\n', { hostNetwork: false, dnsSearch: ['.'] }), 'nameserver 10.0.0.1\n')
})

test('buildHostname() ends with a newline', () => {
  assert.equal(buildHostname('abc'), 'abc\n')
})

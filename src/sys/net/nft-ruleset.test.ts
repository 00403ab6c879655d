import { test } from 'node:test'
import assert from 'node:assert/strict'
import { renderDnsRedirect, renderFirewall } from './nft-ruleset.js'

test('renderFirewall() replaces the table atomically with masquerade, isolation, internal drops and DNAT', () => {
  const script = renderFirewall({
    table: 'bt1',
    bridges: [{ name: 'bt10', subnet: '10.1.0.0/24', internal: false }, { name: 'bt1-x', subnet: '10.2.0.0/24', internal: true }],
    publish: [{ proto: 'tcp', hostIp: '', hostPort: 8080, containerIp: '10.1.0.2', containerPort: 80 }, { proto: 'udp', hostIp: '127.0.0.1', hostPort: 53, containerIp: '10.1.0.3', containerPort: 5353 }],
  })
  const lines = script.split('\n').map((l) => l.trim())
  assert.deepEqual(lines.slice(0, 3), ['table ip bt1 {}', 'delete table ip bt1', 'table ip bt1 {'])
  for (const expected of [
    'fib daddr type local jump publish',
    'tcp dport 8080 dnat to 10.1.0.2:80',
    'ip daddr 127.0.0.1 udp dport 53 dnat to 10.1.0.3:5353',
    'ip saddr 10.1.0.0/24 oifname != "bt10" masquerade',
    'oifname "bt10" ip saddr 127.0.0.0/8 masquerade',
    'iifname "bt1-x" drop',
    'iifname { "bt10", "bt1-x" } oifname { "bt10", "bt1-x" } drop',
  ]) assert.ok(lines.includes(expected), `missing: ${expected}\n${script}`)
  // No egress for the internal network.
  assert.ok(!lines.includes('ip saddr 10.2.0.0/24 oifname != "bt1-x" masquerade'))
  // Traffic inside one bridge is accepted before the isolation drop.
  assert.ok(lines.indexOf('iifname "bt10" oifname "bt10" accept') < lines.indexOf('iifname { "bt10", "bt1-x" } oifname { "bt10", "bt1-x" } drop'))
})

test('renderFirewall() without published ports has no jump to the publish chain', () => {
  assert.ok(!renderFirewall({ table: 't', bridges: [], publish: [] }).includes('jump publish'))
})

test('renderDnsRedirect() sends 127.0.0.11:53 to the resolver with the container address as source', () => {
  const s = renderDnsRedirect({ resolverIp: '10.1.0.1', containerIp: '10.1.0.2' })
  assert.match(s, /ip daddr 127\.0\.0\.11 udp dport 53 dnat to 10\.1\.0\.1:53/)
  assert.match(s, /ip saddr 127\.0\.0\.0\/8 ip daddr 10\.1\.0\.1 snat to 10\.1\.0\.2/)
})

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { renderDnsRedirect, renderFirewall, type FirewallModel } from './nft-ruleset.js'

const model: FirewallModel = {
  table: 'bt1',
  bridges: [{ name: 'bt10', subnet: '10.1.0.0/24', gateway: '10.1.0.1', internal: false }, { name: 'bt1-x', subnet: '10.2.0.0/24', internal: true }],
  publish: [
    { proto: 'tcp', hostIp: '', hostPort: 8080, containerIp: '10.1.0.2', containerPort: 80 },
    { proto: 'udp', hostIp: '127.0.0.1', hostPort: 53, containerIp: '10.1.0.3', containerPort: 5353 },
    { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 8443, containerIp: '10.1.0.2', containerPort: 443 },
    { proto: 'tcp', hostIp: '127.0.0.1', hostPort: 9000, containerIp: '10.1.0.4', containerPort: 9000 },
  ],
}

test('renderFirewall() replaces the table atomically with masquerade, isolation, internal drops and DNAT', () => {
  const script = renderFirewall(model)
  const lines = script.split('\n').map((l) => l.trim())
  assert.deepEqual(lines.slice(0, 3), ['table ip bt1 {}', 'delete table ip bt1', 'table ip bt1 {'])
  for (const expected of [
    'elements = { 127.0.0.1 . udp . 53 : 10.1.0.3 . 5353, 127.0.0.1 . tcp . 9000 : 10.1.0.4 . 9000 }',
    'elements = { tcp . 8080 : 10.1.0.2 . 80, tcp . 8443 : 10.1.0.2 . 443 }',
    'ip saddr 10.1.0.0/24 oifname != "bt10" masquerade',
    'iifname "bt1-x" drop',
    'iifname { "bt10", "bt1-x" } oifname { "bt10", "bt1-x" } drop',
  ]) assert.ok(lines.includes(expected), `missing: ${expected}\n${script}`)
  // No egress for the internal network.
  assert.ok(!lines.includes('ip saddr 10.2.0.0/24 oifname != "bt1-x" masquerade'))
  // Traffic inside one bridge is accepted before the isolation drop.
  assert.ok(lines.indexOf('iifname "bt10" oifname "bt10" accept') < lines.indexOf('iifname { "bt10", "bt1-x" } oifname { "bt10", "bt1-x" } drop'))
})

test('renderFirewall() DNATs published ports through maps in prerouting and output, the local-address check after the port lookup', () => {
  const script = renderFirewall(model)
  const byAddr = 'ip daddr . meta l4proto . th dport @publish_addr fib daddr type local dnat ip to ip daddr . meta l4proto . th dport map @publish_addr'
  const byPort = 'meta l4proto . th dport @publish_any fib daddr type local dnat ip to meta l4proto . th dport map @publish_any'
  for (const chain of ['prerouting', 'output']) {
    const body = new RegExp(`chain ${chain} \\{\\n([^}]*)\\}`).exec(script)?.[1] ?? ''
    assert.deepEqual(body.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('type ')), [byAddr, byPort], chain)
  }
})

test('renderFirewall() SNATs loopback and hairpin connections to the bridge address, and masquerades without one', () => {
  const lines = renderFirewall(model).split('\n').map((l) => l.trim())
  for (const expected of [
    'oifname "bt10" ip saddr 127.0.0.0/8 snat to 10.1.0.1',
    'oifname "bt10" ip saddr 10.1.0.0/24 ct status dnat snat to 10.1.0.1',
    'oifname "bt1-x" ip saddr 127.0.0.0/8 masquerade',
    'oifname "bt1-x" ip saddr 10.2.0.0/24 ct status dnat masquerade',
  ]) assert.ok(lines.includes(expected), `missing: ${expected}`)
})

test('renderFirewall() keeps the first target of a host port published twice', () => {
  const script = renderFirewall({ table: 't', bridges: [], publish: [
    { proto: 'tcp', hostIp: '', hostPort: 80, containerIp: '10.1.0.2', containerPort: 80 },
    { proto: 'tcp', hostIp: '0.0.0.0', hostPort: 80, containerIp: '10.1.0.9', containerPort: 8080 },
  ] })
  assert.match(script, /elements = \{ tcp \. 80 : 10\.1\.0\.2 \. 80 \}/)
})

test('renderFirewall() without published ports has no maps and no DNAT', () => {
  const script = renderFirewall({ table: 't', bridges: [], publish: [] })
  assert.doesNotMatch(script, /map|dnat/)
})

test('renderFirewall() output parses and type-checks in nft -c (nothing is applied; the integration tests apply it)', { skip: process.getuid?.() !== 0 ? 'needs root' : undefined }, () => {
  if (spawnSync('nft', ['--version']).status !== 0) return
  for (const m of [model, { ...model, publish: [] }, { ...model, bridges: [] }]) {
    const r = spawnSync('nft', ['-c', '-f', '-'], { input: renderFirewall({ ...m, table: `btcheck${process.pid}` }), encoding: 'utf8' })
    assert.equal(r.status, 0, r.stderr)
  }
})

test('renderDnsRedirect() sends 127.0.0.11:53 to the resolver with the container address as source', () => {
  const s = renderDnsRedirect({ resolverIp: '10.1.0.1', containerIp: '10.1.0.2' })
  assert.match(s, /ip daddr 127\.0\.0\.11 udp dport 53 dnat to 10\.1\.0\.1:53/)
  assert.match(s, /ip saddr 127\.0\.0\.0\/8 ip daddr 10\.1\.0\.1 snat to 10\.1\.0\.2/)
})

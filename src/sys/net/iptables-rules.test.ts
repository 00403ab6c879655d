import { test } from 'node:test'
import assert from 'node:assert/strict'
import { renderIptables, renderIptablesDnsRedirect } from './iptables-rules.js'

test('renderIptables() fills the prefix\'s chains and hooks them into the built-in ones', () => {
  const plan = renderIptables({
    table: 'bt1',
    bridges: [{ name: 'bt10', subnet: '10.1.0.0/24', gateway: '10.1.0.1', internal: false }, { name: 'bt1-x', subnet: '10.2.0.0/24', internal: true }],
    publish: [{ proto: 'udp', hostIp: '', hostPort: 5353, containerIp: '10.1.0.2', containerPort: 53 }],
  })
  const lines = plan.restore.split('\n')
  for (const expected of [
    ':BT1-PUBLISH - [0:0]',
    '-A BT1-PUBLISH -p udp -m udp --dport 5353 -j DNAT --to-destination 10.1.0.2:53',
    '-A BT1-POSTROUTING -s 10.1.0.0/24 ! -o bt10 -j MASQUERADE',
    '-A BT1-POSTROUTING -o bt10 -s 127.0.0.0/8 -j SNAT --to-source 10.1.0.1',
    '-A BT1-POSTROUTING -o bt10 -s 10.1.0.0/24 -m conntrack --ctstate DNAT -j SNAT --to-source 10.1.0.1',
    '-A BT1-POSTROUTING -o bt1-x -s 127.0.0.0/8 -j MASQUERADE',
    '-A BT1-FORWARD -i bt1-x -j DROP',
    '-A BT1-FORWARD -i bt10 -o bt1-x -j DROP',
  ]) assert.ok(lines.includes(expected), `missing ${expected}\n${plan.restore}`)
  assert.ok(!lines.includes('-A BT1-POSTROUTING -s 10.2.0.0/24 ! -o bt1-x -j MASQUERADE'), 'no egress for internal networks')
  assert.deepEqual(plan.jumps.map(([t, c]) => `${t}/${c}`), ['nat/PREROUTING', 'nat/OUTPUT', 'nat/POSTROUTING', 'filter/FORWARD'])
})

test('renderIptablesDnsRedirect() DNATs 127.0.0.11:53 and SNATs to the container address', () => {
  const s = renderIptablesDnsRedirect({ resolverIp: '10.1.0.1', containerIp: '10.1.0.5' })
  assert.match(s, /-A OUTPUT -d 127\.0\.0\.11\/32 -p udp -m udp --dport 53 -j DNAT --to-destination 10\.1\.0\.1:53/)
  assert.match(s, /-A POSTROUTING -s 127\.0\.0\.0\/8 -d 10\.1\.0\.1\/32 -j SNAT --to-source 10\.1\.0\.5/)
})

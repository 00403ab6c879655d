/**
 * Pure nftables script for berth's per-daemon table: masquerade for egress, isolation between
 * bridges, no forwarding for internal networks, DNAT of published ports (from outside and from the
 * host itself, 127.0.0.1 included), written as one `nft -f -` transaction that replaces the table.
 */

export interface FirewallBridge {
  name: string
  /** "172.18.0.0/16". */
  subnet: string
  internal: boolean
  /** IPv6 subnet of an --ipv6 network. */
  subnet6?: string
}

export interface FirewallPublish {
  proto: 'tcp' | 'udp'
  /** Empty or 0.0.0.0: every local address. */
  hostIp: string
  hostPort: number
  containerIp: string
  containerPort: number
}

export interface FirewallModel {
  /** Name of the daemon's `ip` table. */
  table: string
  bridges: FirewallBridge[]
  publish: FirewallPublish[]
}

const quote = (name: string): string => `"${name.replace(/"/g, '')}"`

function publishRule(p: FirewallPublish): string {
  const daddr = p.hostIp && p.hostIp !== '0.0.0.0' ? `ip daddr ${p.hostIp} ` : ''
  return `${daddr}${p.proto} dport ${p.hostPort} dnat to ${p.containerIp}:${p.containerPort}`
}

/** The script; applying it to an empty model leaves an empty table (use deleteFirewall to drop it). */
export function renderFirewall(model: FirewallModel): string {
  const t = model.table
  const lines: string[] = [`table ip ${t} {}`, `delete table ip ${t}`, `table ip ${t} {`]
  const bridges = model.bridges
  lines.push('  chain prerouting {', '    type nat hook prerouting priority -100; policy accept;')
  if (model.publish.length > 0) lines.push('    fib daddr type local jump publish')
  lines.push('  }')
  lines.push('  chain output {', '    type nat hook output priority -100; policy accept;')
  if (model.publish.length > 0) lines.push('    fib daddr type local jump publish')
  lines.push('  }')
  lines.push('  chain publish {')
  for (const p of model.publish) lines.push(`    ${publishRule(p)}`)
  lines.push('  }')
  lines.push('  chain postrouting {', '    type nat hook postrouting priority 100; policy accept;')
  for (const b of bridges) {
    // Connections to 127.0.0.1:hostPort leave through the bridge after DNAT (route_localnet):
    // the container must see a source it can answer.
    lines.push(`    oifname ${quote(b.name)} ip saddr 127.0.0.0/8 masquerade`)
    if (!b.internal) lines.push(`    ip saddr ${b.subnet} oifname != ${quote(b.name)} masquerade`)
    // Hairpin: a container reaching a published port of its own bridge must see the reply come
    // from the address it asked, so the other side answers through the host.
    lines.push(`    oifname ${quote(b.name)} ip saddr ${b.subnet} ct status dnat masquerade`)
  }
  lines.push('  }')
  lines.push('  chain forward {', '    type filter hook forward priority 0; policy accept;')
  for (const b of bridges) lines.push(`    iifname ${quote(b.name)} oifname ${quote(b.name)} accept`)
  for (const b of bridges.filter((x) => x.internal)) {
    lines.push(`    iifname ${quote(b.name)} drop`, `    oifname ${quote(b.name)} drop`)
  }
  if (bridges.length > 1) {
    const set = `{ ${bridges.map((b) => quote(b.name)).join(', ')} }`
    lines.push(`    iifname ${set} oifname ${set} drop`)
  }
  lines.push('  }')
  lines.push('}')
  lines.push(...renderFirewall6(model))
  return lines.join('\n') + '\n'
}

/** The ip6 table: egress masquerade and isolation of --ipv6 networks (published ports stay IPv4). */
function renderFirewall6(model: FirewallModel): string[] {
  const t = model.table
  const bridges = model.bridges.filter((b) => b.subnet6)
  const lines = [`table ip6 ${t} {}`, `delete table ip6 ${t}`, `table ip6 ${t} {`]
  lines.push('  chain postrouting {', '    type nat hook postrouting priority 100; policy accept;')
  for (const b of bridges) if (!b.internal) lines.push(`    ip6 saddr ${b.subnet6} oifname != ${quote(b.name)} masquerade`)
  lines.push('  }')
  lines.push('  chain forward {', '    type filter hook forward priority 0; policy accept;')
  for (const b of bridges) lines.push(`    iifname ${quote(b.name)} oifname ${quote(b.name)} accept`)
  for (const b of bridges.filter((x) => x.internal)) lines.push(`    iifname ${quote(b.name)} drop`, `    oifname ${quote(b.name)} drop`)
  if (model.bridges.length > 1) {
    const set = `{ ${model.bridges.map((b) => quote(b.name)).join(', ')} }`
    lines.push(`    iifname ${set} oifname ${set} drop`)
  }
  lines.push('  }', '}')
  return lines
}

/**
 * Inside a container's namespace: 127.0.0.11:53 goes to the resolver berthd runs on the
 * network's gateway address, with the container's address as source so replies come back.
 */
export function renderDnsRedirect(opts: { resolverIp: string; containerIp: string }): string {
  const { resolverIp, containerIp } = opts
  return [
    'table ip berth_dns {',
    '  chain output {',
    '    type nat hook output priority -100; policy accept;',
    `    ip daddr 127.0.0.11 udp dport 53 dnat to ${resolverIp}:53`,
    `    ip daddr 127.0.0.11 tcp dport 53 dnat to ${resolverIp}:53`,
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority 100; policy accept;',
    `    ip saddr 127.0.0.0/8 ip daddr ${resolverIp} snat to ${containerIp}`,
    '  }',
    '}',
    '',
  ].join('\n')
}

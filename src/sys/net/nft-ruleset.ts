/**
 * Pure nftables script for berth's per-daemon table: masquerade for egress, isolation between
 * bridges, no forwarding for internal networks, DNAT of published ports (from outside and from the
 * host itself, 127.0.0.1 included), written as one `nft -f -` transaction that replaces the table.
 *
 * Cost per new connection (nat chains see only a connection's first packet): published ports are
 * looked up in two maps (by address, protocol and port; by protocol and port for every address), so
 * a connection costs one hash lookup whatever the number of published ports, and the fib lookup that
 * checks the address is local only runs for a port that is published. Connections from 127.0.0.1 and
 * hairpin connections are SNATed to the bridge's own address when the model gives it (what masquerade
 * picks, without looking it up per connection).
 */

export interface FirewallBridge {
  name: string
  /** "172.18.0.0/16". */
  subnet: string
  internal: boolean
  /** The bridge's IPv4 address (the network's gateway): source of NATed loopback and hairpin connections; masquerade when absent. */
  gateway?: string
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

const any = (p: FirewallPublish): boolean => !p.hostIp || p.hostIp === '0.0.0.0'

/**
 * Map declarations and the DNAT rules that use them (for the prerouting and output chains), or none
 * without published ports. A key published twice keeps its first target, as a list of rules would.
 */
function publishMaps(publish: readonly FirewallPublish[]): { maps: string[]; rules: string[] } {
  const byAddr = new Map<string, string>()
  const byPort = new Map<string, string>()
  for (const p of publish) {
    const [entries, key] = any(p) ? [byPort, `${p.proto} . ${p.hostPort}`] : [byAddr, `${p.hostIp} . ${p.proto} . ${p.hostPort}`]
    if (!entries.has(key)) entries.set(key, `${p.containerIp} . ${p.containerPort}`)
  }
  const maps: string[] = []
  const rules: string[] = []
  const map = (name: string, keyType: string, entries: Map<string, string>): void => {
    const elements = [...entries].map(([k, v]) => `${k} : ${v}`).join(', ')
    maps.push(`  map ${name} {`, `    type ${keyType} : ipv4_addr . inet_service`, `    elements = { ${elements} }`, '  }')
  }
  if (byAddr.size > 0) {
    map('publish_addr', 'ipv4_addr . inet_proto . inet_service', byAddr)
    const key = 'ip daddr . meta l4proto . th dport'
    rules.push(`${key} @publish_addr fib daddr type local dnat ip to ${key} map @publish_addr`)
  }
  if (byPort.size > 0) {
    map('publish_any', 'inet_proto . inet_service', byPort)
    const key = 'meta l4proto . th dport'
    rules.push(`${key} @publish_any fib daddr type local dnat ip to ${key} map @publish_any`)
  }
  return { maps, rules }
}

/** The script; applying it to an empty model leaves an empty table (use deleteFirewall to drop it). */
export function renderFirewall(model: FirewallModel): string {
  const t = model.table
  const lines: string[] = [`table ip ${t} {}`, `delete table ip ${t}`, `table ip ${t} {`]
  const bridges = model.bridges
  const publish = publishMaps(model.publish)
  lines.push(...publish.maps)
  lines.push('  chain prerouting {', '    type nat hook prerouting priority -100; policy accept;')
  lines.push(...publish.rules.map((r) => `    ${r}`))
  lines.push('  }')
  lines.push('  chain output {', '    type nat hook output priority -100; policy accept;')
  lines.push(...publish.rules.map((r) => `    ${r}`))
  lines.push('  }')
  lines.push('  chain postrouting {', '    type nat hook postrouting priority 100; policy accept;')
  for (const b of bridges) {
    // Connections to 127.0.0.1:hostPort leave through the bridge after DNAT (route_localnet):
    // the container must see a source it can answer.
    const snat = b.gateway ? `snat to ${b.gateway}` : 'masquerade'
    lines.push(`    oifname ${quote(b.name)} ip saddr 127.0.0.0/8 ${snat}`)
    if (!b.internal) lines.push(`    ip saddr ${b.subnet} oifname != ${quote(b.name)} masquerade`)
    // Hairpin: a container reaching a published port of its own bridge must see the reply come
    // from the address it asked, so the other side answers through the host.
    lines.push(`    oifname ${quote(b.name)} ip saddr ${b.subnet} ct status dnat ${snat}`)
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

/**
 * Pure iptables-restore input for hosts without nft: the same rules as nft-ruleset.ts in chains
 * named after the daemon's prefix, plus the jumps from the built-in chains that hook them in.
 */
import type { FirewallModel } from './nft-ruleset.js'

export interface IptablesPlan {
  /** `iptables-restore --noflush` input: declares (and so empties) berth's chains and fills them. */
  restore: string
  /** Rules in built-in chains that jump to berth's: [table, chain, ...rule args]. */
  jumps: Array<[table: string, chain: string, ...rule: string[]]>
}

export function chainNames(prefix: string): { publish: string; post: string; forward: string } {
  const p = prefix.toUpperCase()
  return { publish: `${p}-PUBLISH`, post: `${p}-POSTROUTING`, forward: `${p}-FORWARD` }
}

export function renderIptables(model: FirewallModel): IptablesPlan {
  const c = chainNames(model.table)
  const nat: string[] = ['*nat', `:${c.publish} - [0:0]`, `:${c.post} - [0:0]`]
  for (const p of model.publish) {
    const daddr = p.hostIp && p.hostIp !== '0.0.0.0' ? `-d ${p.hostIp} ` : ''
    nat.push(`-A ${c.publish} ${daddr}-p ${p.proto} -m ${p.proto} --dport ${p.hostPort} -j DNAT --to-destination ${p.containerIp}:${p.containerPort}`)
  }
  for (const b of model.bridges) {
    const snat = b.gateway ? `SNAT --to-source ${b.gateway}` : 'MASQUERADE'
    nat.push(`-A ${c.post} -o ${b.name} -s 127.0.0.0/8 -j ${snat}`)
    if (!b.internal) nat.push(`-A ${c.post} -s ${b.subnet} ! -o ${b.name} -j MASQUERADE`)
    nat.push(`-A ${c.post} -o ${b.name} -s ${b.subnet} -m conntrack --ctstate DNAT -j ${snat}`)
  }
  nat.push('COMMIT')
  const filter: string[] = ['*filter', `:${c.forward} - [0:0]`]
  for (const b of model.bridges) filter.push(`-A ${c.forward} -i ${b.name} -o ${b.name} -j ACCEPT`)
  for (const b of model.bridges.filter((x) => x.internal)) filter.push(`-A ${c.forward} -i ${b.name} -j DROP`, `-A ${c.forward} -o ${b.name} -j DROP`)
  for (const a of model.bridges) {
    for (const b of model.bridges) if (a.name !== b.name) filter.push(`-A ${c.forward} -i ${a.name} -o ${b.name} -j DROP`)
  }
  filter.push('COMMIT')
  return {
    restore: [...nat, ...filter].join('\n') + '\n',
    jumps: [
      ['nat', 'PREROUTING', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.publish],
      ['nat', 'OUTPUT', '-m', 'addrtype', '--dst-type', 'LOCAL', '-j', c.publish],
      ['nat', 'POSTROUTING', '-j', c.post],
      ['filter', 'FORWARD', '-j', c.forward],
    ],
  }
}

/** The 127.0.0.11 redirect inside a container's namespace (iptables-restore input). */
export function renderIptablesDnsRedirect(opts: { resolverIp: string; containerIp: string }): string {
  return [
    '*nat',
    `-A OUTPUT -d 127.0.0.11/32 -p udp -m udp --dport 53 -j DNAT --to-destination ${opts.resolverIp}:53`,
    `-A OUTPUT -d 127.0.0.11/32 -p tcp -m tcp --dport 53 -j DNAT --to-destination ${opts.resolverIp}:53`,
    `-A POSTROUTING -s 127.0.0.0/8 -d ${opts.resolverIp}/32 -j SNAT --to-source ${opts.containerIp}`,
    'COMMIT',
    '',
  ].join('\n')
}

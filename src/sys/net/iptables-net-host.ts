/**
 * NetHost for hosts without nft: links and namespaces as IpNetHost, rules through iptables in
 * chains named after the daemon's prefix (hooked into the built-in chains by one jump each).
 */
import { run } from '../process.js'
import { IpNetHost } from './ip-net-host.js'
import { chainNames, renderIptables, renderIptablesDnsRedirect } from './iptables-rules.js'
import type { FirewallModel } from './nft-ruleset.js'

export class IptablesNetHost extends IpNetHost {
  constructor(private readonly bins: { iptables?: string; iptablesRestore?: string; nsenter?: string } = {}) {
    super({ nsenter: bins.nsenter })
  }

  private iptables(args: string[], check = true): Promise<{ exitCode: number | null }> {
    return run([this.bins.iptables ?? 'iptables', '-w', ...args], { check, timeoutMs: 30_000 })
  }

  override async applyFirewall(model: FirewallModel): Promise<void> {
    const plan = renderIptables(model)
    await run([this.bins.iptablesRestore ?? 'iptables-restore', '-w', '--noflush'], { input: plan.restore, timeoutMs: 30_000 })
    for (const [table, chain, ...rule] of plan.jumps) {
      const present = await this.iptables(['-t', table, '-C', chain, ...rule], false)
      if (present.exitCode !== 0) await this.iptables(['-t', table, '-I', chain, '1', ...rule])
    }
  }

  override async deleteFirewall(table: string): Promise<void> {
    const plan = renderIptables({ table, bridges: [], publish: [] })
    for (const [t, chain, ...rule] of plan.jumps) {
      while ((await this.iptables(['-t', t, '-D', chain, ...rule], false)).exitCode === 0) { /* every copy */ }
    }
    const c = chainNames(table)
    for (const [t, chain] of [['nat', c.publish], ['nat', c.post], ['filter', c.forward]] as const) {
      await this.iptables(['-t', t, '-F', chain], false)
      await this.iptables(['-t', t, '-X', chain], false)
    }
  }

  override async redirectDns(netnsPath: string, opts: { resolverIp: string; containerIp: string }): Promise<void> {
    await run([this.bins.nsenter ?? 'nsenter', `--net=${netnsPath}`, 'sh', '-c',
      `echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet && exec ${this.bins.iptablesRestore ?? 'iptables-restore'} --noflush`],
    { input: renderIptablesDnsRedirect(opts), timeoutMs: 30_000 })
  }
}

/** Builds the network service and its container hook from the daemon config (real sys/net adapters). */
import { existsSync, readFileSync } from 'node:fs'
import { delimiter, join } from 'node:path'
import type { Logger } from '../common/index.js'
import type { ContainerService } from '../engine/containers/index.js'
import type { EventBus } from '../engine/events/index.js'
import { ContainerNetworking, NetworkManager, RunSandboxes, parseAddressPool, DEFAULT_POOLS } from '../engine/networks/index.js'
import { DgramTransport, IpNetHost, IptablesNetHost, SocketPortHolder, type NetHost } from '../sys/net/index.js'
import type { DaemonConfig } from './config.js'

/** Nameservers of the host's resolv.conf, for queries the embedded DNS forwards. */
export function hostNameservers(content: string): string[] {
  const servers = content.split('\n').map((l) => l.trim().split(/\s+/)).filter((f) => f[0] === 'nameserver' && f[1]).map((f) => f[1]!)
  return servers.length > 0 ? servers : ['8.8.8.8', '8.8.4.4']
}

export async function createNetworking(
  config: DaemonConfig,
  events: EventBus,
  logger: Logger,
  containers: () => ContainerService,
): Promise<{ networks: NetworkManager; networking: ContainerNetworking; runSandboxes: RunSandboxes }> {
  const resolvConf = '/etc/resolv.conf'
  let upstreams: string[] | undefined
  const networks = new NetworkManager({
    dataRoot: config.dataRoot,
    execRoot: config.execRoot,
    host: netHost(config, logger),
    ports: new SocketPortHolder(),
    udp: new DgramTransport(),
    events,
    logger,
    containers,
    prefix: config.netPrefix,
    defaultBridge: { name: config.bridgeName, ...(config.bip ? { bip: config.bip } : {}) },
    pools: config.defaultAddressPools.length > 0 ? config.defaultAddressPools.map(parseAddressPool) : DEFAULT_POOLS,
    upstreams: () => (upstreams ??= hostNameservers(readText(resolvConf))),
    sandboxPool: { size: sandboxPoolSize(process.env.BERTH_SANDBOX_POOL), startDelayMs: 200 },
  })
  const networking = new ContainerNetworking(networks, { hostResolvConfPath: resolvConf })
  await networks.init()
  // The build's RUN steps borrow namespaces on the default bridge.
  const runSandboxes = new RunSandboxes(networks, { hostResolvConfPath: resolvConf })
  return { networks, networking, runSandboxes }
}

/**
 * Default-bridge sandboxes kept ready (engine/networks/sandbox-pool.ts): BERTH_SANDBOX_POOL=<n>, 1 when
 * unset; 0 turns the pool off (for comparing, or a host where a spare veth on the bridge is unwanted).
 */
export function sandboxPoolSize(value: string | undefined): number {
  if (value === undefined || value === '') return 1
  const n = Number(value)
  return Number.isInteger(n) && n >= 0 && n <= 8 ? n : 1
}

/** nftables unless asked for iptables or `nft` is not installed. */
function netHost(config: DaemonConfig, logger: Logger): NetHost {
  const onPath = (bin: string): boolean => (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(delimiter).some((d) => existsSync(join(d, bin)))
  const useIptables = config.firewallBackend === 'iptables' || (config.firewallBackend === 'auto' && !onPath('nft') && !existsSync('/usr/sbin/nft'))
  if (useIptables) logger.info('programming the firewall with iptables')
  return useIptables ? new IptablesNetHost() : new IpNetHost()
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

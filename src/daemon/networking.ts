/** Builds the network service and its container hook from the daemon config (real sys/net adapters). */
import { readFileSync } from 'node:fs'
import type { Logger } from '../common/index.js'
import type { ContainerService } from '../engine/containers/index.js'
import type { EventBus } from '../engine/events/index.js'
import { ContainerNetworking, NetworkManager, parseAddressPool, DEFAULT_POOLS } from '../engine/networks/index.js'
import { DgramTransport, IpNetHost, SocketPortHolder } from '../sys/net/index.js'
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
): Promise<{ networks: NetworkManager; networking: ContainerNetworking }> {
  const resolvConf = '/etc/resolv.conf'
  let upstreams: string[] | undefined
  const networks = new NetworkManager({
    dataRoot: config.dataRoot,
    execRoot: config.execRoot,
    host: new IpNetHost(),
    ports: new SocketPortHolder(),
    udp: new DgramTransport(),
    events,
    logger,
    containers,
    prefix: config.netPrefix,
    defaultBridge: { name: config.bridgeName, ...(config.bip ? { bip: config.bip } : {}) },
    pools: config.defaultAddressPools.length > 0 ? config.defaultAddressPools.map(parseAddressPool) : DEFAULT_POOLS,
    upstreams: () => (upstreams ??= hostNameservers(readText(resolvConf))),
  })
  const networking = new ContainerNetworking(networks, { hostResolvConfPath: resolvConf })
  await networks.init()
  return { networks, networking }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

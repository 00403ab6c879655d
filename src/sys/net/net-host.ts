/**
 * NetHost: the host side of container networking (links, network namespaces, sysctls, nftables),
 * behind a contract so engine/networks stays plain TypeScript and is tested against a recording fake.
 *
 * Contracts:
 * - Every call is idempotent where the kernel allows: deleting a missing link, netns or table succeeds.
 * - Names of links are <= 15 bytes (IFNAMSIZ); callers build them from a per-daemon prefix.
 * - A network namespace lives in a file (bind mount of /proc/<pid>/ns/net); deleteNetns unmounts
 *   and removes the file, and the namespace goes once no process is left in it.
 */
import type { FirewallModel } from './nft-ruleset.js'

export interface LinkInfo {
  name: string
  /** "bridge", "veth", ... ("" when the kernel reports none). */
  kind: string
  /** Name of the bridge the link is enslaved to. */
  master?: string
}

export interface VethOptions {
  /** Host end, enslaved to `bridge` and up. */
  hostName: string
  bridge: string
  netnsPath: string
  /** Name of the peer inside the namespace ("eth0"). */
  ifName: string
  /** "172.17.0.2/16". */
  addressCidr: string
  mac?: string
  /** Default route through this address; none for internal networks. */
  gateway?: string
  /** IPv6 address ("fd00::2/64") and default route of --ipv6 networks. */
  address6Cidr?: string
  gateway6?: string
  mtu?: number
  /**
   * Host end enslaved (hairpin on) but left down: the sandbox is made ahead of its container and
   * neither answers on the bridge nor collides with an address IPAM hands out meanwhile; setLinkUp
   * brings it up when a container takes it.
   */
  hostDown?: boolean
}

export interface NetHost {
  /** Creates bridge `name` (when missing) with `addressCidr` (gateway/prefix), up, route_localnet on. */
  ensureBridge(name: string, addressCidr: string, opts?: { mtu?: number; address6Cidr?: string }): Promise<void>
  deleteLink(name: string): Promise<void>
  listLinks(): Promise<LinkInfo[]>
  /**
   * Creates a new network namespace bound at `path` with lo up and, configured and up, the `veths`
   * (whose netnsPath is `path`). On failure nothing is left but links the kernel is deleting.
   */
  createNetns(path: string, veths?: readonly VethOptions[]): Promise<void>
  /**
   * Unmounts and removes the namespace file. `links`: host ends of veths into it, which go with the
   * namespace: resolves once they are gone (deleting them if another process keeps the namespace).
   */
  deleteNetns(path: string, opts?: { links?: readonly string[] }): Promise<void>
  /** A veth pair from the bridge into the namespace, configured and up. */
  addVeth(opts: VethOptions): Promise<void>
  /** Sets link `name` (of berthd's namespace) up, without a child process. */
  setLinkUp(name: string): Promise<void>
  /** Writes /proc/sys/<key with dots as slashes>. */
  setSysctl(key: string, value: string): Promise<void>
  getSysctl(key: string): Promise<string | undefined>
  /** Destination CIDRs of the host's IPv4 routes (for picking subnets that do not overlap). */
  hostRoutes(): Promise<string[]>
  /** Replaces berth's nftables table(s) named model.table with the model's rules, atomically. */
  applyFirewall(model: FirewallModel): Promise<void>
  /** Removes berth's table(s) named `table`. */
  deleteFirewall(table: string): Promise<void>
  /** Inside the namespace, sends 127.0.0.11:53 to resolverIp:53 with containerIp as source. */
  redirectDns(netnsPath: string, opts: { resolverIp: string; containerIp: string }): Promise<void>
}

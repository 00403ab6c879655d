/**
 * NetworkManager: the NetworkService over a NetHost. Owns the network records (with their
 * endpoints and IPAM state), the predefined networks (bridge, host, none), the per-daemon
 * nftables table and the embedded DNS server. The container side (namespaces, veths, published
 * ports) is in container-networking.ts, which takes part in the container lifecycle as a hook.
 */
import { join } from 'node:path'
import { EngineError, conflict, invalid, newId, type Logger, isoTime } from '../../common/index.js'
import type { ContainerRecord, ContainerService } from '../containers/index.js'
import type { EventBus } from '../events/index.js'
import type { NetHost, PortHolder, UdpTransport } from '../../sys/net/index.js'
import { EmbeddedDns } from './dns/embedded-dns.js'
import { DEFAULT_POOLS, defaultGateway, formatCidr, parseCidr, pickSubnet, type AddressPool, type IpamRange } from './ipam.js'
import { parseCidr6 } from './ipam6.js'
import { assignAddresses, holdsAddress, releaseAddresses, validateRequestedAddresses } from './endpoint-addresses.js'
import { filterNetworks } from './network-filters.js'
import { containsIp, overlap, rangeFor6 } from './network-ranges.js'
import { NetworkStore } from './network-store.js'
import { SandboxPool, type SandboxPoolDeps } from './sandbox-pool.js'
import type {
  ContainerNetworkView, EndpointRecord, EndpointRequest, NetworkCreateRequest, NetworkRecord, NetworkService,
} from './types.js'
import { exposedPorts } from './ports.js'

export interface NetworkManagerDeps {
  dataRoot: string
  execRoot: string
  host: NetHost
  ports: PortHolder
  udp: UdpTransport
  events: EventBus
  logger: Logger
  /** The container service (built after this one: containers take the hooks). */
  containers: () => ContainerService
  /** Names every host object of this daemon: nft table, "<prefix>-<id>" bridges, "<prefix>v<id>" veths. */
  prefix: string
  /** The default bridge: its name and, from --bip, its gateway address with prefix ("172.17.0.1/16"). */
  defaultBridge: { name: string; bip?: string }
  /** Pools for networks without --subnet (dockerd's --default-address-pool). */
  pools?: readonly AddressPool[]
  /** Upstream resolvers for the embedded DNS (the host's resolv.conf nameservers). */
  upstreams: () => string[]
  clock?: () => Date
  dnsPort?: number
  /** Sandboxes for the default bridge kept ready (see sandbox-pool.ts); none when absent or 0. */
  sandboxPool?: Pick<SandboxPoolDeps, 'size' | 'startDelayMs' | 'refill'>
}

export const PREDEFINED = ['bridge', 'host', 'none'] as const

export class NetworkManager implements NetworkService {
  readonly store: NetworkStore
  readonly dns: EmbeddedDns
  readonly pool: SandboxPool
  private chain: Promise<unknown> = Promise.resolve()
  private firewallChain: Promise<void> = Promise.resolve()

  constructor(readonly deps: NetworkManagerDeps) {
    this.store = new NetworkStore(join(deps.dataRoot, 'networks'), join(deps.execRoot, 'networks'), deps.logger)
    this.dns = new EmbeddedDns({
      udp: deps.udp,
      lookup: (networkId, clientIp, name) => this.lookupName(networkId, clientIp, name),
      upstreams: (networkId, clientIp) => this.upstreamsFor(networkId, clientIp),
      logger: deps.logger,
      port: deps.dnsPort,
    })
    this.pool = new SandboxPool({
      host: deps.host, netnsDir: this.netnsDir, prefix: deps.prefix, events: deps.events, logger: deps.logger,
      defaultBridge: () => this.store.all().find((n) => n.predefined && n.name === 'bridge'),
      size: 0, ...deps.sandboxPool,
    })
  }

  get netnsDir(): string {
    return join(this.deps.execRoot, 'netns')
  }

  /** Runs `fn` after every earlier mutation (networks and endpoints change one at a time). */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn)
    this.chain = next.catch(() => undefined)
    return next
  }

  private now(): string {
    return isoTime((this.deps.clock ?? (() => new Date()))())
  }

  /** Loads records, makes the predefined networks, and brings every bridge and DNS listener up. */
  async init(): Promise<void> {
    await this.store.load()
    await this.ensurePredefined()
    for (const net of this.store.all()) {
      if (net.driver !== 'bridge') continue
      try {
        await this.setupBridge(net)
      } catch (err) {
        this.deps.logger.error('setting up network bridge failed', { network: net.name, error: err })
      }
    }
  }

  private async ensurePredefined(): Promise<void> {
    const base = (name: string, driver: NetworkRecord['driver']): NetworkRecord => ({
      id: newId(), name, driver, scope: 'local', created: this.now(), internal: false, attachable: false, enableIPv6: false,
      labels: {}, options: {}, ipamDriver: 'default', ipamOptions: {}, ipam: [], predefined: true, endpoints: {},
    })
    for (const name of ['host', 'none'] as const) {
      if (!this.store.byName(name)) await this.store.save(base(name, name === 'none' ? 'null' : 'host'))
    }
    const existing = this.store.byName('bridge')
    const bridgeName = this.deps.defaultBridge.name
    const bip = this.deps.defaultBridge.bip
    let range: IpamRange | undefined
    if (bip) {
      const cidr = parseCidr(bip)
      range = { subnet: formatCidr(cidr), gateway: bip.split('/')[0]! }
    } else if (existing?.ipam[0]) {
      range = existing.ipam[0]
    } else {
      range = await this.newRange({})
    }
    const options = {
      'com.docker.network.bridge.default_bridge': 'true', 'com.docker.network.bridge.enable_icc': 'true',
      'com.docker.network.bridge.enable_ip_masquerade': 'true', 'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
      'com.docker.network.bridge.name': bridgeName, 'com.docker.network.driver.mtu': '1500',
    }
    if (existing) {
      const changed = existing.bridgeName !== bridgeName || existing.ipam[0]?.subnet !== range.subnet || existing.ipam[0]?.gateway !== range.gateway
      if (changed && Object.keys(existing.endpoints).length === 0) {
        if (existing.bridgeName && existing.bridgeName !== bridgeName) await this.deps.host.deleteLink(existing.bridgeName)
        await this.store.save({ ...existing, bridgeName, ipam: [range], options, lastAddress: undefined })
      }
      return
    }
    await this.store.save({ ...base('bridge', 'bridge'), bridgeName, ipam: [range], options })
  }

  /** A subnet from the pools that overlaps no network of ours and no host route. */
  private async newRange(req: { gateway?: string; ipRange?: string }): Promise<IpamRange> {
    const inUse = [
      ...this.store.all().flatMap((n) => n.ipam.map((r) => r.subnet)),
      ...(await this.deps.host.hostRoutes()),
    ]
    const subnet = pickSubnet(this.deps.pools ?? DEFAULT_POOLS, inUse)
    if (!subnet) throw new EngineError('Unavailable', 'POOLS_EXHAUSTED', 'all predefined address pools have been fully subnetted')
    return { subnet, gateway: req.gateway ?? defaultGateway(subnet), ...(req.ipRange ? { ipRange: req.ipRange } : {}) }
  }

  /** Creates the bridge of a bridge network, its firewall entries and (user networks) its DNS listener. */
  async setupBridge(net: NetworkRecord): Promise<void> {
    const range = net.ipam[0]
    if (!net.bridgeName || !range) return
    await this.deps.host.ensureBridge(net.bridgeName, `${range.gateway}/${parseCidr(range.subnet).prefix}`,
      net.ipam6 ? { address6Cidr: `${net.ipam6.gateway}/${parseCidr6(net.ipam6.subnet).prefix}` } : {})
    await this.syncFirewall()
    if (isUserDefined(net)) {
      await this.dns.serve(net.id, range.gateway).catch((err: unknown) => this.deps.logger.warn('embedded DNS cannot listen', { network: net.name, error: err }))
    }
  }

  /** Re-renders the daemon's nftables table from the records and the running containers' ports. */
  syncFirewall(): Promise<void> {
    const apply = async (): Promise<void> => {
      const bridges = this.store.all().filter((n) => n.driver === 'bridge' && n.bridgeName && n.ipam[0]).map((n) => ({
        name: n.bridgeName!, subnet: n.ipam[0]!.subnet, gateway: n.ipam[0]!.gateway, internal: n.internal, ...(n.ipam6 ? { subnet6: n.ipam6.subnet } : {}),
      }))
      const publish = [...this.store.sandboxes.values()].flatMap((s) => s.ports.map((p) => ({
        proto: p.proto, hostIp: p.hostIp, hostPort: p.hostPort, containerIp: p.containerIp, containerPort: p.containerPort,
      })))
      await this.deps.host.applyFirewall({ table: this.deps.prefix, bridges, publish })
    }
    this.firewallChain = this.firewallChain.then(apply, apply)
    return this.firewallChain
  }

  async create(req: NetworkCreateRequest): Promise<{ id: string; warning: string }> {
    return this.serial(async () => {
      const name = req.name
      if (!name) throw invalid('INVALID_NAME', 'network name is required')
      if (this.store.byName(name)) throw conflict('NETWORK_EXISTS', `network with name ${name} already exists`)
      const driver = req.driver || 'bridge'
      if (driver === 'host' || driver === 'null' || driver === 'none') {
        throw new EngineError('Forbidden', 'PREDEFINED_DRIVER', `only one instance of "${driver}" network is allowed`)
      }
      if (driver !== 'bridge') throw new EngineError('NotFound', 'DRIVER_NOT_FOUND', `plugin "${driver}" not found`)
      if (req.ipam?.driver && req.ipam.driver !== 'default') {
        throw new EngineError('NotFound', 'IPAM_DRIVER_NOT_FOUND', `plugin "${req.ipam.driver}" not found`)
      }
      const all = req.ipam?.config ?? []
      const configs = all.filter((c) => !c.subnet?.includes(':'))
      const v6configs = all.filter((c) => c.subnet?.includes(':'))
      if (v6configs.length > 0 && !req.enableIPv6) throw invalid('IPV6_DISABLED', 'IPv6 subnet given but IPv6 is not enabled: use --ipv6')
      if (v6configs.length > 1) throw new EngineError('NotImplemented', 'MULTIPLE_SUBNETS', 'berth supports one IPv6 subnet per network')
      if (configs.length > 1) throw new EngineError('NotImplemented', 'MULTIPLE_SUBNETS', 'berth supports one IPv4 subnet per network')
      const id = newId()
      const options = { ...(req.options ?? {}) }
      const bridgeName = options['com.docker.network.bridge.name'] || `${this.deps.prefix}-${id.slice(0, 14 - this.deps.prefix.length)}`
      if (bridgeName.length > 15) throw invalid('INVALID_BRIDGE_NAME', `bridge name ${bridgeName} is longer than 15 characters`)
      if (this.store.all().some((n) => n.bridgeName === bridgeName)) throw conflict('BRIDGE_IN_USE', `bridge name ${bridgeName} is already in use`)
      const range = await this.rangeFor(configs[0] ?? {})
      const ipam6 = req.enableIPv6 ? rangeFor6(v6configs[0] ?? {}, this.store.all()) : undefined
      const record: NetworkRecord = {
        id, name, driver: 'bridge', scope: 'local', created: this.now(), internal: req.internal === true,
        attachable: req.attachable === true, enableIPv6: req.enableIPv6 === true, labels: { ...(req.labels ?? {}) }, options,
        ipamDriver: 'default', ipamOptions: { ...(req.ipam?.options ?? {}) }, ipam: [range], bridgeName, predefined: false, endpoints: {},
        ...(ipam6 ? { ipam6 } : {}),
      }
      await this.store.save(record)
      try {
        await this.setupBridge(record)
      } catch (err) {
        await this.teardownBridge(record).catch(() => undefined)
        await this.store.delete(id)
        throw err
      }
      this.deps.events.publish('network', 'create', id, { name, type: 'bridge' })
      return { id, warning: '' }
    })
  }

  private async rangeFor(c: { subnet?: string; gateway?: string; ipRange?: string }): Promise<IpamRange> {
    if (!c.subnet) {
      if (c.gateway || c.ipRange) throw invalid('INVALID_IPAM', 'a gateway or ip-range needs a subnet')
      return this.newRange({})
    }
    const subnet = parseCidr(c.subnet)
    const text = formatCidr(subnet)
    for (const n of this.store.all()) {
      for (const r of n.ipam) {
        if (overlap(r.subnet, text)) throw new EngineError('Forbidden', 'POOL_OVERLAP', `invalid pool request: Pool overlaps with other one on this address space`)
      }
    }
    const gateway = c.gateway ?? defaultGateway(text)
    if (!containsIp(text, gateway)) throw invalid('INVALID_GATEWAY', `no matching subnet for gateway ${gateway}`)
    if (c.ipRange) {
      const r = parseCidr(c.ipRange)
      if (r.prefix < subnet.prefix || !containsIp(text, formatCidr(r).split('/')[0]!)) {
        throw invalid('INVALID_IP_RANGE', `no matching subnet for range ${c.ipRange}`)
      }
    }
    return { subnet: text, gateway, ...(c.ipRange ? { ipRange: formatCidr(parseCidr(c.ipRange)) } : {}) }
  }

  private async teardownBridge(net: NetworkRecord): Promise<void> {
    await this.dns.stop(net.id)
    if (net.bridgeName) await this.deps.host.deleteLink(net.bridgeName)
  }

  async list(filters: Record<string, string[]> = {}): Promise<NetworkRecord[]> {
    return filterNetworks(this.store.all(), filters).map((n) => structuredClone(n))
  }

  async inspect(nameOrId: string): Promise<NetworkRecord> {
    return structuredClone(this.store.resolve(nameOrId))
  }

  async remove(nameOrId: string): Promise<void> {
    await this.serial(async () => {
      const net = this.store.resolve(nameOrId)
      await this.removeLocked(net)
    })
  }

  private async removeLocked(net: NetworkRecord): Promise<void> {
    if (net.predefined) {
      throw new EngineError('Forbidden', 'PREDEFINED_NETWORK', `${net.name} is a pre-defined network and cannot be removed`)
    }
    if (Object.keys(net.endpoints).length > 0) {
      throw conflict('NETWORK_IN_USE', `error while removing network: network ${net.name} id ${net.id} has active endpoints`)
    }
    await this.store.delete(net.id)
    await this.teardownBridge(net)
    await this.syncFirewall()
    this.deps.events.publish('network', 'destroy', net.id, { name: net.name, type: net.driver })
  }

  async prune(filters: Record<string, string[]> = {}): Promise<string[]> {
    return this.serial(async () => {
      const removed: string[] = []
      for (const net of filterNetworks(this.store.all(), filters)) {
        if (net.predefined || Object.keys(net.endpoints).length > 0) continue
        await this.removeLocked(net)
        removed.push(net.name)
      }
      return removed
    })
  }

  /**
   * Adds an endpoint for `container` to `net`, saving the record. Static addresses are checked against
   * the subnets; addresses are taken now only when the container runs (else at its start: see
   * endpoint-addresses.ts). Conflict when it is already attached. For a --rm container the record is
   * saved without fsync (one fewer on `run --rm`'s path), as its container's own record is: an endpoint
   * a host crash brings back without its container is dropped by ContainerNetworking.cleanupStale; a
   * container kept while its endpoint was lost (one dockerd would remove at start) starts without that
   * network.
   */
  async addEndpoint(net: NetworkRecord, container: ContainerRecord, req: EndpointRequest = {}): Promise<EndpointRecord> {
    if (net.endpoints[container.id]) {
      throw new EngineError('Forbidden', 'ENDPOINT_EXISTS', `endpoint with name ${container.name} already exists in network ${net.name}`)
    }
    if ((req.aliases?.length || req.ipv4Address) && !isUserDefined(net)) {
      throw invalid('ALIAS_ON_DEFAULT', 'network-scoped aliases and user specified IP address are only supported for user-defined networks')
    }
    const { ipv6 } = validateRequestedAddresses(net, req)
    const endpoint: EndpointRecord = {
      containerId: container.id, containerName: container.name, endpointId: newId(), ipv4: '', prefixLen: 0, gateway: '',
      mac: '', aliases: [...(req.aliases ?? [])], links: [...(req.links ?? [])],
      ...(req.ipv4Address ? { fixedIpv4: req.ipv4Address } : {}),
      ...(ipv6 ? { fixedIpv6: ipv6 } : {}),
      ...(req.macAddress ? { fixedMac: req.macAddress } : {}),
    }
    if (container.state.running) assignAddresses(net, endpoint)
    net.endpoints[container.id] = endpoint
    await this.store.save(net, { durable: container.spec.host.autoRemove !== true })
    return endpoint
  }

  /** Takes the addresses of the container's endpoints (at its start); none are held when it fails. */
  async assignAddresses(containerId: string): Promise<void> {
    await this.serial(async () => {
      const changed: NetworkRecord[] = []
      try {
        for (const net of this.networksOf(containerId)) {
          const ep = net.endpoints[containerId]!
          if (holdsAddress(ep)) continue
          assignAddresses(net, ep)
          if (holdsAddress(ep)) changed.push(net)
        }
      } catch (err) {
        for (const net of changed) releaseAddresses(net.endpoints[containerId]!)
        throw err
      }
      // On disk before the container runs: a restarted berthd must know which addresses are taken.
      for (const net of changed) await this.store.saveEndpointChange(net, containerId, { write: true })
    })
  }

  /**
   * Gives back the addresses of the container's endpoints (after it stopped). Kept in memory only (the
   * next save of the network writes it): addresses a crash leaves held on disk by a container that no
   * longer runs are given back by ContainerNetworking.cleanupStale at the next start.
   */
  async releaseAddresses(containerId: string): Promise<void> {
    await this.serial(async () => {
      for (const net of this.networksOf(containerId)) {
        const ep = net.endpoints[containerId]!
        if (!holdsAddress(ep)) continue
        releaseAddresses(ep)
        await this.store.saveEndpointChange(net, containerId, { write: false })
      }
    })
  }

  /**
   * `durable: false` when the container goes too: an endpoint a host crash brings back refers to a
   * container that no longer exists, which ContainerNetworking.cleanupStale drops at the next start.
   */
  async removeEndpoint(net: NetworkRecord, containerId: string, opts: { durable?: boolean } = {}): Promise<void> {
    if (!net.endpoints[containerId]) return
    delete net.endpoints[containerId]
    await this.store.save(net, opts)
  }

  /** The networks a container is attached to, primary (from its network mode) first. */
  networksOf(containerId: string, primaryId?: string): NetworkRecord[] {
    const nets = this.store.all().filter((n) => n.endpoints[containerId])
    return nets.sort((a, b) => (a.id === primaryId ? -1 : b.id === primaryId ? 1 : 0))
  }

  connect(nameOrId: string, container: string, req: EndpointRequest = {}): Promise<void> {
    return this.connector.connect(nameOrId, container, req)
  }

  disconnect(nameOrId: string, container: string, force = false): Promise<void> {
    return this.connector.disconnect(nameOrId, container, force)
  }

  /** Set by ContainerNetworking (hot-plugging into running containers lives there). */
  connector!: Pick<NetworkService, 'connect' | 'disconnect'>

  async containerView(containerId: string, known?: ContainerRecord): Promise<ContainerNetworkView> {
    let record: ContainerRecord | undefined = known
    if (!record) {
      try {
        record = await this.deps.containers().resolve(containerId)
      } catch {
        record = undefined
      }
    }
    return this.viewOf(containerId, record, this.networkCopies())
  }

  viewRevision(containerId: string): number {
    return this.store.viewRevision(containerId)
  }

  async containerViews(records: readonly ContainerRecord[]): Promise<ContainerNetworkView[]> {
    const networks = this.networkCopies()
    return records.map((r) => this.viewOf(r.id, r, networks, false))
  }

  /**
   * Each network without its endpoint map, copied on first use. Only a container's own endpoint is
   * copied into its view: cloning each network's whole endpoint map made a list of n containers on
   * one network cost O(n^2) (seconds for `ps -a` with 1000 containers).
   */
  private networkCopies(): Array<{ source: NetworkRecord; copy(): NetworkRecord }> {
    return this.store.all().map((source) => {
      let copy: NetworkRecord | undefined
      return {
        source,
        copy: () => {
          if (!copy) {
            const { endpoints: _all, ...rest } = source
            copy = { ...structuredClone(rest), endpoints: {} }
          }
          return copy
        },
      }
    })
  }

  /** `copyEndpoint: false` hands out the live endpoint record (lists: a clone per row was most of their cost). */
  private viewOf(containerId: string, record: ContainerRecord | undefined, networks: ReturnType<NetworkManager['networkCopies']>, copyEndpoint = true): ContainerNetworkView {
    const sandbox = this.store.sandboxes.get(containerId)
    const endpoints = networks.filter((n) => n.source.endpoints[containerId]).map((n) => {
      const endpoint = n.source.endpoints[containerId]!
      return { network: n.copy(), endpoint: copyEndpoint ? structuredClone(endpoint) : endpoint }
    })
    // A running --network none container has no namespace file: its init's namespace is the key.
    const isolated = !sandbox && record?.state.running && record.state.pid > 0 && record.spec.host.networkMode === 'none'
    return {
      sandboxKey: sandbox?.joinedPath ?? (isolated ? `/proc/${record.state.pid}/ns/net` : ''),
      endpoints,
      ports: (sandbox?.ports ?? []).map(({ proto, containerPort, hostIp, hostPort }) => ({ proto, containerPort, hostIp, hostPort })),
      exposed: record ? exposedPorts(record.imageConfig.ExposedPorts, record.spec.exposedPorts) : [],
    }
  }

  /** The client container's --dns servers, else the host's resolvers. */
  private upstreamsFor(networkId: string, clientIp: string): string[] {
    const client = Object.values(this.store.get(networkId)?.endpoints ?? {}).find((e) => e.ipv4 === clientIp)
    const own = client && this.store.sandboxes.get(client.containerId)?.dns
    return own && own.length > 0 ? own : this.deps.upstreams()
  }

  /** Embedded DNS: names on the networks of the container that asks (user-defined networks only). */
  lookupName(networkId: string, clientIp: string, name: string): { ipv4: string[]; ipv6: string[] } | undefined {
    const net = this.store.get(networkId)
    if (!net) return undefined
    const client = Object.values(net.endpoints).find((e) => e.ipv4 === clientIp)
    const scopes = client ? this.store.all().filter((n) => isUserDefined(n) && n.endpoints[client.containerId]) : [net]
    const wanted = name.toLowerCase()
    const ips: string[] = []
    const ips6: string[] = []
    for (const scope of scopes) {
      for (const e of Object.values(scope.endpoints)) {
        if (!e.ipv4 || !this.store.sandboxes.has(e.containerId)) continue
        const names = [e.containerName, ...e.aliases, e.containerId.slice(0, 12)].map((x) => x.toLowerCase())
        if (!names.includes(wanted)) continue
        if (!ips.includes(e.ipv4)) ips.push(e.ipv4)
        if (e.ipv6 && !ips6.includes(e.ipv6)) ips6.push(e.ipv6)
      }
    }
    return ips.length > 0 ? { ipv4: ips, ipv6: ips6 } : undefined
  }

  /**
   * Daemon shutdown: deletes the pooled sandboxes, stops the DNS listeners. With no container running, the bridges and the
   * nftables table go too (init makes them again), so a stopped berthd leaves nothing on the host.
   */
  async close(): Promise<void> {
    await this.pool.close()
    await this.dns.close()
    await this.firewallChain.catch(() => undefined)
    if (this.store.sandboxes.size > 0) return
    for (const net of this.store.all()) {
      if (net.bridgeName) await this.deps.host.deleteLink(net.bridgeName).catch((err: unknown) => this.deps.logger.warn('removing bridge failed', { bridge: net.bridgeName, error: err }))
    }
    await this.deps.host.deleteFirewall(this.deps.prefix).catch((err: unknown) => this.deps.logger.warn('removing nftables table failed', { error: err }))
  }
}

/** User-defined: a bridge network other than the default "bridge" (they get the embedded DNS). */
export function isUserDefined(net: NetworkRecord): boolean {
  return !net.predefined
}

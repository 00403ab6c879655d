/**
 * ContainerNetworking: the network side of the container lifecycle (a ContainerHooks).
 * - onCreate: resolves the network mode, records an endpoint on each network (addresses are taken at
 *   start and given back at stop, as dockerd does: see endpoint-addresses.ts).
 * - onStart: a namespace file <exec>/netns/<id> (none: the runtime's own namespace, no file), one veth per bridge network (eth0, eth1...)
 *   (on the default bridge alone, usually a sandbox made ahead with a name of its own: see sandbox-pool.ts),
 *   the 127.0.0.11 redirect on user-defined networks, held host ports + DNAT, /etc/hosts and
 *   /etc/resolv.conf; the sandbox state is saved so a restarted berthd can tear it down.
 * - onStop: everything per-run goes, addresses too; onRemove: the endpoints go.
 * - onRestore: holds the published ports again after a berthd restart.
 */
import { readFile, readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError, conflict, errorMessage, invalid, writeFileAtomic } from '../../common/index.js'
import { buildHosts, buildResolvConf, type ContainerHooks, type ContainerRecord, type StartContribution } from '../containers/index.js'
import type { HeldPort, VethOptions } from '../../sys/net/index.js'
import { holdsAddress } from './endpoint-addresses.js'
import { linkEnv, linkHostNames, parseLink } from './links.js'
import { isUserDefined, type NetworkManager } from './network-manager.js'
import type { SandboxState } from './network-store.js'
import { exposedPorts, portRequests, type PortBindingsWire, type PortRequest } from './ports.js'
import type { EndpointRequest, NetworkRecord, NetworkService, PortMapping } from './types.js'

export type NetworkMode =
  | { kind: 'host' }
  | { kind: 'none' }
  | { kind: 'container'; target: string }
  | { kind: 'network'; name: string }

/** HostConfig.NetworkMode -> what it means ("default" and "" are the default bridge). */
export function parseNetworkMode(mode: string | undefined): NetworkMode {
  if (!mode || mode === 'default' || mode === 'bridge') return { kind: 'network', name: 'bridge' }
  if (mode === 'host') return { kind: 'host' }
  if (mode === 'none') return { kind: 'none' }
  if (mode.startsWith('container:')) {
    const target = mode.slice('container:'.length)
    if (!target) throw invalid('INVALID_NETWORK_MODE', `invalid network mode: ${mode}`)
    return { kind: 'container', target }
  }
  return { kind: 'network', name: mode }
}

export interface ContainerNetworkingOptions {
  hostResolvConfPath: string
}

export class ContainerNetworking implements ContainerHooks, Pick<NetworkService, 'connect' | 'disconnect'> {
  readonly name = 'networks'
  readonly startsBeforeRootfs = true
  private readonly held = new Map<string, HeldPort[]>()
  private readonly restored = new Set<string>()
  /** Running --network none containers (their namespace is the runtime's: no sandbox file). */
  private readonly isolated = new Set<string>()

  constructor(private readonly m: NetworkManager, private readonly opts: ContainerNetworkingOptions) {
    m.connector = this
  }

  private get host() {
    return this.m.deps.host
  }

  private primaryNetwork(record: ContainerRecord): NetworkRecord | undefined {
    const mode = parseNetworkMode(record.spec.host.networkMode)
    if (mode.kind === 'container') return undefined
    return this.m.store.resolve(mode.kind === 'network' ? mode.name : mode.kind)
  }

  async onCreate(record: ContainerRecord): Promise<void> {
    const mode = parseNetworkMode(record.spec.host.networkMode)
    const raw = record.spec.host.raw ?? {}
    // Malformed port bindings fail the create, not the later start.
    portRequests(raw['PortBindings'] as PortBindingsWire, raw['PublishAllPorts'] === true, exposedPorts(record.imageConfig.ExposedPorts, record.spec.exposedPorts))
    // As dockerd: the container whose namespace is joined is looked up at start, not at create (it may
    // not exist yet; and a 404 here would make the docker CLI take it for a missing image and pull).
    if (mode.kind === 'container') return
    await this.m.serial(async () => {
      const primary = this.m.store.resolve(mode.kind === 'network' ? mode.name : mode.kind)
      const configs = record.spec.endpointsConfig ?? {}
      const links = Array.isArray(record.spec.host.raw?.['Links']) ? (record.spec.host.raw['Links'] as string[]) : []
      for (const link of links) await this.m.deps.containers().resolve(parseLink(link).name).catch((err: unknown) => {
        throw invalid('LINK_NOT_FOUND', `could not get container for ${parseLink(link).name}: ${errorMessage(err)}`)
      })
      const primaryKeys = new Set([primary.name, primary.id, 'default', mode.kind === 'network' ? mode.name : mode.kind])
      const primaryConfig = Object.entries(configs).find(([k]) => primaryKeys.has(k))?.[1] ?? {}
      const added: NetworkRecord[] = []
      try {
        await this.m.addEndpoint(primary, record, { ...primaryConfig, links: [...(primaryConfig.links ?? []), ...links] })
        added.push(primary)
        for (const [key, cfg] of Object.entries(configs)) {
          if (primaryKeys.has(key)) continue
          const net = this.m.store.resolve(key)
          if (net.id === primary.id) continue
          if (net.driver !== 'bridge' || primary.driver !== 'bridge') {
            throw new EngineError('Forbidden', 'NETWORK_MODE_CONFLICT', 'Container cannot be connected to network endpoints: ' + Object.keys(configs).join(', '))
          }
          await this.m.addEndpoint(net, record, cfg)
          added.push(net)
        }
      } catch (err) {
        for (const net of added) await this.m.removeEndpoint(net, record.id)
        throw err
      }
    })
  }

  async onStart(record: ContainerRecord): Promise<StartContribution | undefined> {
    const mode = parseNetworkMode(record.spec.host.networkMode)
    if (mode.kind === 'host') return undefined
    if (mode.kind === 'container') {
      const target = await this.networkedContainer(record, mode.target)
      const sandbox = this.m.store.sandboxes.get(target.id)
      // A --network none container has no namespace file: its namespace is its init's.
      const joinedPath = sandbox?.joinedPath || (target.state.running && target.state.pid > 0 && parseNetworkMode(target.spec.host.networkMode).kind === 'none'
        ? `/proc/${target.state.pid}/ns/net` : '')
      if (!target.state.running || !joinedPath) {
        throw conflict('NOT_RUNNING', `cannot join network namespace of a non running container: container ${target.name} is ${target.state.status}`)
      }
      this.restored.add(record.id)
      await this.m.store.saveSandbox({ containerId: record.id, netnsPath: '', joinedPath, interfaces: {}, ports: [] })
      return { networkNamespacePath: joinedPath }
    }
    if (mode.kind === 'none') {
      // The runtime creates the namespace (with loopback up) and it goes with the container's last
      // process: no namespace file to bind, and none to unmount after the exit.
      await this.writeEtcFiles(record, undefined)
      this.isolated.add(record.id)
      for (const net of this.m.networksOf(record.id)) this.publishEvent('connect', net, record.id)
      return undefined
    }
    const netnsPath = join(this.m.netnsDir, record.id)
    const state: SandboxState = {
      containerId: record.id, netnsPath, joinedPath: netnsPath, interfaces: {}, ports: [],
      ...(record.spec.host.dns?.length ? { dns: [...record.spec.host.dns] } : {}),
    }
    try {
      // Known as this run's before its addresses are taken: a cleanupStale meanwhile leaves them alone.
      this.restored.add(record.id)
      await this.m.assignAddresses(record.id)
      const primary = this.primaryNetwork(record)
      const nets = this.m.networksOf(record.id, primary?.id).filter((n) => n.driver === 'bridge')
      const veths: VethOptions[] = []
      let routed = false
      for (const net of nets) {
        const veth = this.vethFor(record.id, net, state, !routed)
        if (veth) veths.push(veth)
        if (!net.internal) routed = true
      }
      // A sandbox made ahead for exactly this veth (the common default-bridge start): its own names are recorded.
      const pooled = await this.m.pool.take(veths, record.id)
      if (pooled) {
        state.netnsPath = state.joinedPath = pooled.netnsPath
        for (const iface of Object.values(state.interfaces)) if (iface.hostVeth === veths[0]!.hostName) iface.hostVeth = pooled.hostVeth
      }
      // Saved first: a berthd that dies half-way finds what to delete; a cleanupStale running
      // meanwhile (a restart policy starting a container while berthd starts) leaves it alone.
      this.restored.add(record.id)
      await this.m.store.saveSandbox(state)
      if (pooled) await this.host.setLinkUp(pooled.hostVeth)
      else await this.host.createNetns(netnsPath, veths)
      if (routed && (await this.host.getSysctl('net.ipv4.ip_forward')) !== '1') await this.host.setSysctl('net.ipv4.ip_forward', '1')
      await this.redirectDns(record.id, state)
      const env = await this.writeEtcFiles(record, nets[0])
      await this.publish(record, nets[0], state)
      if (state.ports.length > 0) {
        await this.m.store.saveSandbox(state)
        await this.m.syncFirewall()
      }
      await this.refreshNames(record)
      for (const net of this.m.networksOf(record.id, primary?.id)) this.publishEvent('connect', net, record.id)
      return { networkNamespacePath: state.joinedPath, ...(env.length > 0 ? { env } : {}) }
    } catch (err) {
      await this.teardown(record.id).catch((e: unknown) => this.m.deps.logger.warn('network cleanup after failed start failed', { id: record.id, error: e }))
      await this.m.releaseAddresses(record.id)
      throw err
    }
  }

  /**
   * The container whose namespace `record` joins (moby getNetworkedContainer): one that is missing, or
   * the container itself, is a system error (500) at start, with dockerd's wording.
   */
  private async networkedContainer(record: ContainerRecord, target: string): Promise<ContainerRecord> {
    let other: ContainerRecord
    try {
      other = await this.m.deps.containers().resolve(target)
    } catch (err) {
      if (err instanceof EngineError && err.kind === 'NotFound') {
        throw new EngineError('Internal', 'NETWORK_CONTAINER_NOT_FOUND', `joining network namespace of container: ${err.message}`, { cause: err })
      }
      throw err
    }
    if (other.id === record.id) throw new EngineError('Internal', 'JOIN_OWN_NETWORK', 'cannot join own network namespace')
    return other
  }

  /** A veth from `net`'s bridge into a running container's sandbox as the next ethN. */
  private async plug(containerId: string, net: NetworkRecord, state: SandboxState, defaultRoute: boolean): Promise<void> {
    const veth = this.vethFor(containerId, net, state, defaultRoute)
    if (!veth) return
    await this.m.store.saveSandbox(state)
    await this.host.addVeth(veth)
  }

  /** The veth from `net`'s bridge into the sandbox as the next ethN, recorded in `state`; none without an endpoint there. */
  private vethFor(containerId: string, net: NetworkRecord, state: SandboxState, defaultRoute: boolean): VethOptions | undefined {
    const ep = net.endpoints[containerId]
    if (!ep || !net.bridgeName) return undefined
    const used = new Set(Object.values(state.interfaces).map((i) => i.ifName))
    let n = 0
    while (used.has(`eth${n}`)) n++
    const prefix = this.m.deps.prefix
    const hostVeth = `${prefix}v${ep.endpointId.slice(0, 14 - prefix.length)}`
    state.interfaces[net.id] = { ifName: `eth${n}`, hostVeth }
    return {
      hostName: hostVeth, bridge: net.bridgeName, netnsPath: state.joinedPath, ifName: `eth${n}`,
      addressCidr: `${ep.ipv4}/${ep.prefixLen}`, mac: ep.mac, ...(defaultRoute && ep.gateway ? { gateway: ep.gateway } : {}),
      ...(ep.ipv6 ? { address6Cidr: `${ep.ipv6}/${ep.ipv6PrefixLen}` } : {}),
      ...(defaultRoute && ep.ipv6Gateway ? { gateway6: ep.ipv6Gateway } : {}),
    }
  }

  /** 127.0.0.11 -> the resolver on the first user-defined network's gateway. */
  private async redirectDns(containerId: string, state: SandboxState): Promise<void> {
    const net = this.m.networksOf(containerId).find((n) => isUserDefined(n) && n.driver === 'bridge' && state.interfaces[n.id])
    const ep = net?.endpoints[containerId]
    const gateway = net?.ipam[0]?.gateway
    if (!net || !ep || !gateway) return
    await this.host.redirectDns(state.joinedPath, { resolverIp: gateway, containerIp: ep.ipv4 })
  }

  private async writeEtcFiles(record: ContainerRecord, primary: NetworkRecord | undefined): Promise<string[]> {
    const hostname = record.spec.hostname || record.id.slice(0, 12)
    const ep = primary?.endpoints[record.id]
    const extra = [...(record.spec.host.extraHosts ?? [])]
    const env: string[] = []
    for (const link of ep?.links ?? []) {
      const { name, alias } = parseLink(link)
      const child = await this.m.deps.containers().resolve(name).catch(() => undefined)
      const childEp = child && primary?.endpoints[child.id]
      if (!child || !childEp?.ipv4) continue
      extra.push(`${linkHostNames(alias, child.name, child.spec.hostname || child.id.slice(0, 12))}:${childEp.ipv4}`)
      if (primary && !isUserDefined(primary)) {
        env.push(...linkEnv({
          alias, parentName: record.name, childIp: childEp.ipv4,
          exposed: exposedPorts(child.imageConfig.ExposedPorts, child.spec.exposedPorts),
          childEnv: [...(child.imageConfig.Env ?? []), ...(child.spec.env ?? [])],
        }))
      }
    }
    if (ep?.ipv4) extra.push(`${hostname}:${ep.ipv4}`)
    await writeFileAtomic(record.hostsPath, buildHosts({ hostNetwork: false, hostname, addresses: [], extraHosts: extra }), { durable: false })
    if (primary && isUserDefined(primary)) {
      const hs = record.spec.host
      const hostResolv = await readFile(this.opts.hostResolvConfPath, 'utf8').catch(() => '')
      await writeFileAtomic(record.resolvConfPath, buildResolvConf(hostResolv, {
        hostNetwork: false, dns: ['127.0.0.11'], dnsSearch: hs.dnsSearch, dnsOptions: ['ndots:0', ...(hs.dnsOptions ?? [])],
      }), { durable: false })
    }
    return env
  }

  /** Holds each requested host port and records the DNAT target; fails the start when one is taken. */
  private async publish(record: ContainerRecord, primary: NetworkRecord | undefined, state: SandboxState): Promise<void> {
    const raw = record.spec.host.raw ?? {}
    const requests = portRequests(raw['PortBindings'] as PortBindingsWire, raw['PublishAllPorts'] === true,
      exposedPorts(record.imageConfig.ExposedPorts, record.spec.exposedPorts))
    const ep = primary?.endpoints[record.id]
    if (requests.length === 0 || !ep?.ipv4) return
    const held: HeldPort[] = []
    this.held.set(record.id, held)
    for (const req of requests) {
      const { port, holder } = await this.holdRange(record, ep.endpointId, req, ep.ipv4)
      held.push(holder)
      state.ports.push({ proto: req.proto, containerPort: req.containerPort, hostIp: req.hostIp, hostPort: port, containerIp: ep.ipv4 })
    }
  }

  private async holdRange(record: ContainerRecord, endpointId: string, req: PortRequest, containerIp: string): Promise<{ port: number; holder: HeldPort }> {
    let lastError: unknown
    for (let p = req.hostPortStart; p <= req.hostPortEnd; p++) {
      try {
        const holder = await this.m.deps.ports.hold(req.proto, req.hostIp, p)
        return { port: holder.port, holder }
      } catch (err) {
        lastError = err
      }
    }
    const hostIp = req.hostIp || '0.0.0.0'
    const hostPort = req.hostPortStart === req.hostPortEnd ? String(req.hostPortStart) : `${req.hostPortStart}-${req.hostPortEnd}`
    const reason = (lastError as NodeJS.ErrnoException | undefined)?.code === 'EADDRINUSE' ? 'address already in use' : errorMessage(lastError)
    throw conflict('PORT_IN_USE', `driver failed programming external connectivity on endpoint ${record.name} (${endpointId}): ` +
      `failed to bind host port for ${hostIp}:${hostPort}:${containerIp}:${req.containerPort}/${req.proto}: ${reason}`)
  }

  /** Removes the per-run state of a container: ports, veths, namespace, sandbox file. Never throws for what is gone. */
  private async teardown(containerId: string): Promise<void> {
    this.restored.delete(containerId)
    for (const h of this.held.get(containerId) ?? []) await h.close().catch(() => undefined)
    this.held.delete(containerId)
    const state = this.m.store.sandboxes.get(containerId)
    if (!state) return
    const veths = Object.values(state.interfaces).map((i) => i.hostVeth)
    // The veths go with the namespace.
    if (state.netnsPath) await this.host.deleteNetns(state.netnsPath, { links: veths })
    else for (const veth of veths) await this.host.deleteLink(veth).catch(() => undefined)
    await this.m.store.deleteSandbox(containerId)
    if (state.ports.length > 0) await this.m.syncFirewall()
  }

  async onStop(record: ContainerRecord): Promise<void> {
    const had = this.m.store.sandboxes.get(record.id)
    const isolated = this.isolated.delete(record.id)
    await this.teardown(record.id)
    await this.m.releaseAddresses(record.id)
    if (had?.netnsPath || isolated) for (const net of this.m.networksOf(record.id)) this.publishEvent('disconnect', net, record.id)
  }

  /** Docker's network connect/disconnect events, also sent when a container starts and stops. */
  private publishEvent(action: 'connect' | 'disconnect', net: NetworkRecord, containerId: string): void {
    this.m.deps.events.publish('network', action, net.id, { container: containerId, name: net.name, type: net.driver })
  }

  /** Endpoints keep the container's current name (after a rename) for DNS and inspect. */
  private async refreshNames(record: ContainerRecord): Promise<void> {
    await this.m.serial(async () => {
      for (const net of this.m.networksOf(record.id)) {
        const ep = net.endpoints[record.id]
        if (ep && ep.containerName !== record.name) {
          ep.containerName = record.name
          await this.m.store.save(net)
        }
      }
    })
  }

  async onRemove(record: ContainerRecord): Promise<void> {
    await this.teardown(record.id)
    await this.m.serial(async () => {
      for (const net of this.m.networksOf(record.id)) await this.m.removeEndpoint(net, record.id, { durable: false })
    })
  }

  async onRestore(record: ContainerRecord): Promise<void> {
    if (parseNetworkMode(record.spec.host.networkMode).kind === 'none') this.isolated.add(record.id)
    const state = this.m.store.sandboxes.get(record.id)
    if (!state) return
    this.restored.add(record.id)
    const held: HeldPort[] = []
    this.held.set(record.id, held)
    for (const p of state.ports) {
      try {
        held.push(await this.m.deps.ports.hold(p.proto, p.hostIp, p.hostPort))
      } catch (err) {
        this.m.deps.logger.warn('cannot hold published port again', { id: record.id, port: p.hostPort, error: err })
      }
    }
  }

  /**
   * After containers were restored: per-run state of containers no longer running, namespace
   * files and links of this daemon that nothing refers to go; the firewall is rendered again.
   */
  async cleanupStale(): Promise<void> {
    // Endpoints of containers that are gone (their removal was not yet on disk when the host went down),
    // and addresses still held by containers that no longer run (berthd went down during a start or stop).
    const idle = new Set<string>()
    await this.m.serial(async () => {
      for (const net of this.m.store.all()) {
        for (const [containerId, ep] of Object.entries(net.endpoints)) {
          const record = await this.m.deps.containers().resolve(containerId).catch((err: unknown) => {
            if (err instanceof EngineError && err.kind === 'NotFound') return undefined
            throw err
          })
          if (!record) await this.m.removeEndpoint(net, containerId)
          else if (holdsAddress(ep) && !record.state.running && !this.restored.has(containerId)) idle.add(containerId)
        }
      }
    })
    for (const id of idle) await this.m.releaseAddresses(id)
    for (const id of [...this.m.store.sandboxes.keys()]) {
      if (!this.restored.has(id)) await this.teardown(id).catch((err: unknown) => this.m.deps.logger.warn('removing stale sandbox failed', { id, error: err }))
    }
    // What is known is read after what exists: a start saves its sandbox before it makes the file and links.
    const files = await listDir(this.m.netnsDir)
    const pooled = this.m.pool.owned()
    const known = new Set([...this.m.store.sandboxes.values()].map((s) => s.netnsPath).concat(pooled.paths))
    for (const file of files) {
      const path = join(this.m.netnsDir, file)
      if (!known.has(path)) await this.host.deleteNetns(path).catch(() => undefined)
    }
    const prefix = this.m.deps.prefix
    const links = await this.host.listLinks()
    const bridges = new Set(this.m.store.all().map((n) => n.bridgeName).filter(Boolean))
    const veths = new Set([...this.m.store.sandboxes.values()].flatMap((s) => Object.values(s.interfaces).map((i) => i.hostVeth)).concat(pooled.links))
    for (const link of links) {
      const ours = link.name.startsWith(`${prefix}v`) || link.name.startsWith(`${prefix}-`)
      if (ours && !bridges.has(link.name) && !veths.has(link.name)) await this.host.deleteLink(link.name).catch(() => undefined)
    }
    await this.m.syncFirewall()
    this.m.pool.start()
  }

  async connect(nameOrId: string, containerRef: string, req: EndpointRequest = {}): Promise<void> {
    const record = await this.m.deps.containers().resolve(containerRef)
    const mode = parseNetworkMode(record.spec.host.networkMode)
    const net = this.m.store.resolve(nameOrId)
    if (mode.kind !== 'network' || net.driver !== 'bridge') {
      throw new EngineError('Forbidden', 'NETWORK_MODE_CONFLICT', `container sharing network namespace with another container or host cannot be connected to any other network`)
    }
    await this.m.serial(async () => {
      await this.m.addEndpoint(net, record, req)
      const state = this.m.store.sandboxes.get(record.id)
      if (!record.state.running || !state?.netnsPath) return
      try {
        const routed = Object.keys(state.interfaces).some((id) => !this.m.store.get(id)?.internal)
        await this.plug(record.id, net, state, !routed)
        this.m.pool.addressTaken()
        if (Object.keys(state.interfaces).length === 1 || !this.m.networksOf(record.id).some((n) => n.id !== net.id && isUserDefined(n))) {
          await this.redirectDns(record.id, state)
        }
      } catch (err) {
        await this.m.removeEndpoint(net, record.id)
        throw err
      }
    })
    this.publishEvent('connect', net, record.id)
  }

  async disconnect(nameOrId: string, containerRef: string, force = false): Promise<void> {
    const net = this.m.store.resolve(nameOrId)
    let containerId: string
    try {
      containerId = (await this.m.deps.containers().resolve(containerRef)).id
    } catch (err) {
      const orphan = Object.values(net.endpoints).find((e) => e.containerName === containerRef || e.containerId.startsWith(containerRef))
      if (!force || !orphan) throw err
      containerId = orphan.containerId
    }
    await this.m.serial(async () => {
      if (!net.endpoints[containerId]) {
        throw new EngineError('Forbidden', 'NOT_CONNECTED', `container ${containerId} is not connected to network ${net.name}`)
      }
      const state = this.m.store.sandboxes.get(containerId)
      const iface = state?.interfaces[net.id]
      if (state && iface) {
        await this.host.deleteLink(iface.hostVeth)
        delete state.interfaces[net.id]
        await this.m.store.saveSandbox(state)
      }
      await this.m.removeEndpoint(net, containerId)
    })
    this.publishEvent('disconnect', net, containerId)
  }

  /** Published ports of a running container (for tests and `port`). */
  portsOf(containerId: string): PortMapping[] {
    return (this.m.store.sandboxes.get(containerId)?.ports ?? []).map(({ proto, containerPort, hostIp, hostPort }) => ({ proto, containerPort, hostIp, hostPort }))
  }
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch {
    return []
  }
}

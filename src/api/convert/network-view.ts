/** Network records and container network views in Docker's wire shapes. */
import type {
  ContainerNetworkView, EndpointRecord, NetworkCreateRequest, NetworkRecord, PortMapping,
} from '../../engine/networks/index.js'
import type {
  EndpointSettingsWire, NetworkCreateRequestWire, NetworkSettingsWire, NetworkWire, PortWire,
} from '../types/index.js'

/** GET /networks/{id}; `withContainers` false for list items (Docker leaves them empty there). */
export function networkView(n: NetworkRecord, withContainers = true, running?: (containerId: string) => boolean): NetworkWire {
  const containers: NetworkWire['Containers'] = {}
  if (withContainers) {
    for (const e of Object.values(n.endpoints)) {
      if (running && !running(e.containerId)) continue
      containers[e.containerId] = {
        Name: e.containerName, EndpointID: e.endpointId, MacAddress: e.mac,
        IPv4Address: e.ipv4 ? `${e.ipv4}/${e.prefixLen}` : '', IPv6Address: e.ipv6 ? `${e.ipv6}/${e.ipv6PrefixLen}` : '',
      }
    }
  }
  const predefinedNoIpam = n.driver !== 'bridge'
  return {
    Name: n.name,
    Id: n.id,
    Created: n.created,
    Scope: n.scope,
    Driver: n.driver,
    EnableIPv4: true,
    EnableIPv6: n.enableIPv6,
    IPAM: {
      Driver: n.ipamDriver,
      Options: predefinedNoIpam ? null : n.ipamOptions,
      Config: predefinedNoIpam ? null : [
        ...n.ipam.map((r) => ({ Subnet: r.subnet, ...(r.ipRange ? { IPRange: r.ipRange } : {}), Gateway: r.gateway })),
        ...(n.ipam6 ? [{ Subnet: n.ipam6.subnet, Gateway: n.ipam6.gateway }] : []),
      ],
    },
    Internal: n.internal,
    Attachable: n.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: n.options,
    Labels: n.labels,
  }
}

export function networkCreateRequest(w: NetworkCreateRequestWire): NetworkCreateRequest {
  return {
    name: w.Name ?? '',
    driver: w.Driver,
    internal: w.Internal,
    attachable: w.Attachable,
    enableIPv6: w.EnableIPv6,
    labels: w.Labels ?? {},
    options: w.Options ?? {},
    ipam: {
      driver: w.IPAM?.Driver,
      options: w.IPAM?.Options ?? {},
      config: (w.IPAM?.Config ?? []).map((c) => ({ subnet: c.Subnet, gateway: c.Gateway, ipRange: c.IPRange })),
    },
  }
}

function endpointSettings(network: NetworkRecord, e: EndpointRecord, active: boolean, started: boolean): EndpointSettingsWire {
  const userDefined = !network.predefined
  return {
    IPAMConfig: e.fixedIpv4 || e.fixedIpv6 ? { ...(e.fixedIpv4 ? { IPv4Address: e.fixedIpv4 } : {}), ...(e.fixedIpv6 ? { IPv6Address: e.fixedIpv6 } : {}) } : null,
    Links: e.links.length > 0 ? e.links : null,
    Aliases: e.aliases.length > 0 ? e.aliases : null,
    MacAddress: active ? e.mac : '',
    DriverOpts: null,
    GwPriority: 0,
    // dockerd fills NetworkID when the endpoint is first made, at start, and keeps it after a stop.
    NetworkID: started ? network.id : '',
    EndpointID: active ? e.endpointId : '',
    Gateway: active ? e.gateway : '',
    IPAddress: active ? e.ipv4 : '',
    IPPrefixLen: active && e.ipv4 ? e.prefixLen : 0,
    IPv6Gateway: active ? e.ipv6Gateway ?? '' : '',
    GlobalIPv6Address: active ? e.ipv6 ?? '' : '',
    GlobalIPv6PrefixLen: active && e.ipv6 ? e.ipv6PrefixLen ?? 0 : 0,
    DNSNames: userDefined && active ? [...new Set([e.containerName, ...e.aliases, e.containerId.slice(0, 12)])] : null,
  }
}

/** NetworkSettings.Ports: published bindings while running, null for exposed ports without one. */
export function portMap(view: ContainerNetworkView, running: boolean): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {}
  if (!running) return out
  for (const key of view.exposed) out[key] = null
  for (const p of view.ports) {
    const key = `${p.containerPort}/${p.proto}`
    const list = out[key] ?? []
    list.push({ HostIp: p.hostIp || '0.0.0.0', HostPort: String(p.hostPort) })
    out[key] = list
  }
  return out
}

/** `started`: the container has been started at least once (else, as in dockerd, no NetworkID is known yet). */
export function networkSettingsView(view: ContainerNetworkView, running: boolean, started = true): NetworkSettingsWire {
  const networks: Record<string, EndpointSettingsWire> = {}
  for (const { network, endpoint } of view.endpoints) {
    networks[network.name] = endpointSettings(network, endpoint, running && view.sandboxKey !== '', started)
  }
  const bridge = view.endpoints.find((x) => x.network.name === 'bridge' && x.network.predefined)
  const b = bridge && networks['bridge']
  return {
    Bridge: '', SandboxID: running && view.sandboxKey ? view.sandboxKey.split('/').pop() ?? '' : '',
    SandboxKey: running ? view.sandboxKey : '', Ports: portMap(view, running), HairpinMode: false,
    LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0, SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
    EndpointID: b?.EndpointID ?? '', Gateway: b?.Gateway ?? '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
    IPAddress: b?.IPAddress ?? '', IPPrefixLen: b?.IPPrefixLen ?? 0, IPv6Gateway: '', MacAddress: b?.MacAddress ?? '',
    Networks: networks,
  }
}

/** Ports of a container list item: bindings, then exposed ports without one. */
export function summaryPorts(view: ContainerNetworkView, running: boolean): PortWire[] {
  const out: PortWire[] = []
  const published = new Set<string>()
  for (const p of running ? view.ports : []) {
    published.add(`${p.containerPort}/${p.proto}`)
    out.push({ IP: p.hostIp || '0.0.0.0', PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.proto })
  }
  for (const key of view.exposed) {
    if (published.has(key)) continue
    const [port, proto] = key.split('/')
    out.push({ PrivatePort: Number(port), Type: proto ?? 'tcp' })
  }
  return out
}

export type { PortMapping }

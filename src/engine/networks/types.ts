/** Networks: records, endpoints, port mappings and the NetworkService contract. */
import type { ContainerRecord } from '../containers/index.js'
import type { IpamRange } from './ipam.js'

export type NetworkDriverName = 'bridge' | 'host' | 'null'

/** A container's attachment to a network (persisted in the network record). */
export interface EndpointRecord {
  containerId: string
  /** Container name at attach time, without "/" (kept current on restart). */
  containerName: string
  endpointId: string
  /** Empty for host/none, and while the container is not running (addresses are held from start to stop). */
  ipv4: string
  prefixLen: number
  gateway: string
  mac: string
  /** --network-alias. */
  aliases: string[]
  /** --link entries "name:alias" as given. */
  links: string[]
  /** --ip as requested (kept across restarts). */
  fixedIpv4?: string
  /** On --ipv6 networks. */
  ipv6?: string
  ipv6PrefixLen?: number
  ipv6Gateway?: string
  fixedIpv6?: string
  /** --mac-address as requested (the MAC is made from the address otherwise). */
  fixedMac?: string
}

export interface NetworkRecord {
  id: string
  name: string
  driver: NetworkDriverName
  scope: 'local'
  created: string
  internal: boolean
  attachable: boolean
  enableIPv6: boolean
  labels: Record<string, string>
  options: Record<string, string>
  ipamDriver: string
  ipamOptions: Record<string, string>
  /** Empty for host/none. */
  ipam: IpamRange[]
  /** The IPv6 subnet of an --ipv6 network. */
  ipam6?: { subnet: string; gateway: string }
  lastAddress6?: string
  /** Host bridge of a bridge network. */
  bridgeName?: string
  /** True for bridge, host and none: created by the daemon, not removable. */
  predefined: boolean
  /** Last address handed out (as integer), so released addresses are not reused at once. */
  lastAddress?: number
  endpoints: Record<string, EndpointRecord>
}

export interface IpamConfigRequest {
  subnet?: string
  gateway?: string
  ipRange?: string
}

export interface NetworkCreateRequest {
  name: string
  driver?: string
  internal?: boolean
  attachable?: boolean
  enableIPv6?: boolean
  labels?: Record<string, string>
  options?: Record<string, string>
  ipam?: { driver?: string; config?: IpamConfigRequest[]; options?: Record<string, string> }
}

export interface EndpointRequest {
  aliases?: string[]
  links?: string[]
  ipv4Address?: string
  ipv6Address?: string
  macAddress?: string
}

/** A published port as it is bound while the container runs. */
export interface PortMapping {
  proto: 'tcp' | 'udp'
  containerPort: number
  /** "" = every address. */
  hostIp: string
  hostPort: number
}

/** What container inspect and list show about a container's networking. */
export interface ContainerNetworkView {
  /** "<exec>/netns/<id>" while running, else "". */
  sandboxKey: string
  /** Endpoints by network name. */
  endpoints: Array<{ network: NetworkRecord; endpoint: EndpointRecord }>
  /** Bound while running. */
  ports: PortMapping[]
  /** Exposed (image + spec) ports, "80/tcp". */
  exposed: string[]
}

export interface NetworkService {
  create(req: NetworkCreateRequest): Promise<{ id: string; warning: string }>
  /** Filters: driver, id, label, name, scope, type (builtin|custom), dangling. */
  list(filters?: Record<string, string[]>): Promise<NetworkRecord[]>
  /** By full id, unique id prefix, or name. NotFound: "network x not found". */
  inspect(nameOrId: string): Promise<NetworkRecord>
  /** Conflict when containers are attached; Forbidden for the predefined networks. */
  remove(nameOrId: string): Promise<void>
  connect(nameOrId: string, container: string, endpoint?: EndpointRequest): Promise<void>
  disconnect(nameOrId: string, container: string, force?: boolean): Promise<void>
  /** Removes unused user-defined networks; returns their names. */
  prune(filters?: Record<string, string[]>): Promise<string[]>
  /** `known`: the container's record when the caller has it (saves a lookup per container in lists). */
  containerView(containerId: string, known?: ContainerRecord): Promise<ContainerNetworkView>
  /**
   * containerView of many containers at once (`ps`): each network is copied once for all of them (views
   * of one list share their `network` objects) and endpoints are the live records, not copies: read
   * the views at once and never change them.
   */
  containerViews?(records: readonly ContainerRecord[]): Promise<ContainerNetworkView[]>
  /** Grows whenever containerView(containerId) may have changed (any network, or the container's sandbox). */
  viewRevision?(containerId: string): number
}

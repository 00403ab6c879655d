/** Docker Engine API network shapes (v1.50). */

export interface IpamConfigWire {
  Subnet?: string
  IPRange?: string
  Gateway?: string
  AuxiliaryAddresses?: Record<string, string>
}

export interface NetworkContainerWire {
  Name: string
  EndpointID: string
  MacAddress: string
  IPv4Address: string
  IPv6Address: string
}

/** GET /networks/{id} and the items of GET /networks. */
export interface NetworkWire {
  Name: string
  Id: string
  Created: string
  Scope: string
  Driver: string
  EnableIPv4: boolean
  EnableIPv6: boolean
  IPAM: { Driver: string; Options: Record<string, string> | null; Config: IpamConfigWire[] | null }
  Internal: boolean
  Attachable: boolean
  Ingress: boolean
  ConfigFrom: { Network: string }
  ConfigOnly: boolean
  Containers: Record<string, NetworkContainerWire>
  Options: Record<string, string>
  Labels: Record<string, string>
}

export interface NetworkCreateRequestWire {
  Name?: string
  Driver?: string
  Scope?: string
  Internal?: boolean
  Attachable?: boolean
  Ingress?: boolean
  EnableIPv4?: boolean
  EnableIPv6?: boolean
  IPAM?: { Driver?: string; Config?: IpamConfigWire[] | null; Options?: Record<string, string> | null } | null
  Options?: Record<string, string> | null
  Labels?: Record<string, string> | null
  CheckDuplicate?: boolean
}

export interface NetworkCreateResponseWire {
  Id: string
  Warning: string
}

export interface EndpointConfigWire {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string } | null
  Links?: string[] | null
  Aliases?: string[] | null
  MacAddress?: string
}

export interface NetworkConnectRequestWire {
  Container?: string
  EndpointConfig?: EndpointConfigWire | null
}

export interface NetworkDisconnectRequestWire {
  Container?: string
  Force?: boolean
}

export interface NetworkPruneResponseWire {
  NetworksDeleted: string[] | null
}

// Host networking adapters: links, namespaces, sysctls and nftables (NetHost), held ports and UDP
// for the embedded DNS server. engine/networks imports only the types; daemon/ builds the objects.
export type { NetHost, LinkInfo, VethOptions } from './net-host.js'
export { IpNetHost } from './ip-net-host.js'
export { IptablesNetHost } from './iptables-net-host.js'
export { renderIptables, renderIptablesDnsRedirect, type IptablesPlan } from './iptables-rules.js'
export { FakeNetHost, type NetCall } from './fake-net-host.js'
export { renderFirewall, renderDnsRedirect, type FirewallModel, type FirewallBridge, type FirewallPublish } from './nft-ruleset.js'
export { SocketPortHolder, type PortHolder, type HeldPort } from './port-holder.js'
export { DgramTransport, type UdpTransport, type UdpListener, type UdpHandler, type UdpRequest } from './udp-server.js'

/**
 * An endpoint's addresses live as long as its container runs, as in dockerd: the endpoint (the
 * container's membership of the network, with its aliases, links and requested --ip/--ip6/--mac-address)
 * is recorded at create or `network connect`, and its addresses are taken when the container starts
 * (moby allocateNetwork -> connectToNetwork -> CreateEndpoint) and given back when it stops (moby
 * releaseNetwork -> cleanOperationalData). A created or stopped container holds no address, so it
 * neither fills a subnet nor keeps an address another container could use.
 */
import { EngineError } from '../../common/index.js'
import { allocateAddress, ipToInt, macForAddress, parseCidr, validateFixedAddress } from './ipam.js'
import { allocateAddress6, parseCidr6, validateFixedAddress6 } from './ipam6.js'
import type { EndpointRecord, NetworkRecord } from './types.js'

/**
 * Checks requested static addresses against the network's subnets only (moby validateEndpointSettings
 * at create/connect); whether they are free is known at start. Returns the IPv6 address normalized.
 */
export function validateRequestedAddresses(net: NetworkRecord, req: { ipv4Address?: string; ipv6Address?: string }): { ipv6?: string } {
  const range = net.ipam[0]
  if (req.ipv4Address && net.driver === 'bridge' && range) validateFixedAddress(range, req.ipv4Address, new Set())
  return req.ipv6Address && net.ipam6 ? { ipv6: validateFixedAddress6(net.ipam6, req.ipv6Address, new Set()) } : {}
}

/** True while the endpoint holds an address. */
export function holdsAddress(endpoint: EndpointRecord): boolean {
  return endpoint.ipv4 !== '' || endpoint.ipv6 !== undefined
}

/**
 * Takes the endpoint's addresses on `net` (its static ones, else the next free ones); the caller saves
 * the network. "Address already in use" (Forbidden, as libnetwork's ipamapi.ErrIPAlreadyAllocated) when a static address is held by a running container.
 */
export function assignAddresses(net: NetworkRecord, endpoint: EndpointRecord): void {
  const others = Object.values(net.endpoints).filter((e) => e !== endpoint)
  const range = net.ipam[0]
  if (net.driver === 'bridge' && range && !endpoint.ipv4) {
    const used = new Set(others.map((e) => e.ipv4).filter((ip) => ip !== ''))
    let ip: string | undefined
    if (endpoint.fixedIpv4) {
      validateFixedAddress(range, endpoint.fixedIpv4, used)
      ip = endpoint.fixedIpv4
    } else {
      ip = allocateAddress(range, used, net.lastAddress)
      if (!ip) throw new EngineError('Unavailable', 'NO_ADDRESS', `no available IPv4 addresses on this network's address pools: ${net.name} (${net.id})`)
      net.lastAddress = ipToInt(ip)
    }
    endpoint.ipv4 = ip
    endpoint.prefixLen = parseCidr(range.subnet).prefix
    endpoint.gateway = net.internal ? '' : range.gateway
    endpoint.mac = endpoint.fixedMac || macForAddress(ip)
  }
  if (net.ipam6 && endpoint.ipv6 === undefined) {
    const used6 = new Set(others.flatMap((e) => (e.ipv6 ? [e.ipv6] : [])))
    let ip6: string | undefined
    if (endpoint.fixedIpv6) {
      ip6 = validateFixedAddress6(net.ipam6, endpoint.fixedIpv6, used6)
    } else {
      ip6 = allocateAddress6(net.ipam6, used6, net.lastAddress6)
      if (!ip6) throw new EngineError('Unavailable', 'NO_ADDRESS', `no available IPv6 addresses on network ${net.name}`)
      net.lastAddress6 = ip6
    }
    endpoint.ipv6 = ip6
    endpoint.ipv6PrefixLen = parseCidr6(net.ipam6.subnet).prefix
    endpoint.ipv6Gateway = net.internal ? '' : net.ipam6.gateway
  }
}

/** Gives the endpoint's addresses back (what it was asked for stays, for the next start). */
export function releaseAddresses(endpoint: EndpointRecord): void {
  endpoint.ipv4 = ''
  endpoint.prefixLen = 0
  endpoint.gateway = ''
  endpoint.mac = ''
  delete endpoint.ipv6
  delete endpoint.ipv6PrefixLen
  delete endpoint.ipv6Gateway
}

/** Pure checks and choices of network address ranges (IPv4 overlap, the IPv6 range of --ipv6 networks). */
import { EngineError, invalid, newId } from '../../common/index.js'
import { contains, ipToInt, overlaps, parseCidr } from './ipam.js'
import { bigIntToIp6, contains6, formatCidr6, ip6ToBigInt, overlaps6, parseCidr6 } from './ipam6.js'
import type { NetworkRecord } from './types.js'

/** The IPv6 range of an --ipv6 network: the given subnet, or a random ULA /64 (fdxx:xxxx:xxxx::/64). */
export function rangeFor6(c: { subnet?: string; gateway?: string }, existing: readonly NetworkRecord[]): { subnet: string; gateway: string } {
  let subnet: string
  if (c.subnet) {
    subnet = formatCidr6(parseCidr6(c.subnet))
    const mine = parseCidr6(subnet)
    for (const n of existing) {
      if (!n.ipam6) continue
      if (overlaps6(mine, parseCidr6(n.ipam6.subnet))) {
        throw new EngineError('Forbidden', 'POOL_OVERLAP', 'invalid pool request: Pool overlaps with other one on this address space')
      }
    }
  } else {
    const hex = newId().slice(0, 10)
    subnet = formatCidr6(parseCidr6(`fd${hex.slice(0, 2)}:${hex.slice(2, 6)}:${hex.slice(6, 10)}::/64`))
  }
  const gateway = c.gateway ?? bigIntToIp6(parseCidr6(subnet).base + 1n)
  if (!contains6(parseCidr6(subnet), ip6ToBigInt(gateway))) throw invalid('INVALID_GATEWAY', `no matching subnet for gateway ${gateway}`)
  return { subnet, gateway: bigIntToIp6(ip6ToBigInt(gateway)) }
}

export function overlap(a: string, b: string): boolean {
  return overlaps(parseCidr(a), parseCidr(b))
}

export function containsIp(subnet: string, ip: string): boolean {
  return contains(parseCidr(subnet), ipToInt(ip))
}

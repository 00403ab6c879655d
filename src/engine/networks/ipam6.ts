/** Pure IPv6 address management for --ipv6 networks: CIDR parsing, formatting, sequential allocation. */
import { EngineError, invalid } from '../../common/index.js'

export interface Cidr6 {
  base: bigint
  prefix: number
}

const ALL = (1n << 128n) - 1n

export function ip6ToBigInt(text: string): bigint {
  const ip = text.replace(/^\[|\]$/g, '')
  const halves = ip.split('::')
  if (halves.length > 2 || !/^[0-9a-fA-F:]+$/.test(ip)) throw invalid('INVALID_ADDRESS', `invalid IPv6 address: ${text}`)
  const head = halves[0] ? halves[0].split(':') : []
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : []
  const missing = 8 - head.length - tail.length
  if ((halves.length === 1 && missing !== 0) || missing < 0) throw invalid('INVALID_ADDRESS', `invalid IPv6 address: ${text}`)
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail]
  let n = 0n
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw invalid('INVALID_ADDRESS', `invalid IPv6 address: ${text}`)
    n = (n << 16n) | BigInt(parseInt(g, 16))
  }
  return n
}

/** RFC 5952 text: lower case, the longest run of zero groups (2+) as "::". */
export function bigIntToIp6(n: bigint): string {
  const groups: number[] = []
  for (let i = 7; i >= 0; i--) groups.push(Number((n >> BigInt(i * 16)) & 0xffffn))
  let best = -1
  let bestLen = 0
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (best < 0) return hex.join(':')
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`
}

function mask6(prefix: number): bigint {
  return prefix === 0 ? 0n : (ALL << BigInt(128 - prefix)) & ALL
}

export function parseCidr6(text: string): Cidr6 {
  const [ip, len, ...rest] = text.split('/')
  const prefix = Number(len)
  if (rest.length > 0 || !ip || len === undefined || !/^\d{1,3}$/.test(len) || prefix > 128) throw invalid('INVALID_SUBNET', `invalid CIDR address: ${text}`)
  return { base: ip6ToBigInt(ip) & mask6(prefix), prefix }
}

export function formatCidr6(c: Cidr6): string {
  return `${bigIntToIp6(c.base)}/${c.prefix}`
}

export function contains6(c: Cidr6, ip: bigint): boolean {
  return (ip & mask6(c.prefix)) === c.base
}

export function overlaps6(a: Cidr6, b: Cidr6): boolean {
  const m = mask6(Math.min(a.prefix, b.prefix))
  return (a.base & m) === (b.base & m)
}

export interface Ipam6Range {
  subnet: string
  gateway: string
}

/** Next free address after `cursor` (first host address when undefined); skips the subnet-router anycast address and the gateway. */
export function allocateAddress6(range: Ipam6Range, used: ReadonlySet<string>, cursor?: string): string | undefined {
  const subnet = parseCidr6(range.subnet)
  const gateway = ip6ToBigInt(range.gateway)
  const size = 1n << BigInt(128 - subnet.prefix)
  const limit = size < 65536n ? size : 65536n
  const start = cursor !== undefined && contains6(subnet, ip6ToBigInt(cursor)) ? ip6ToBigInt(cursor) - subnet.base + 1n : 1n
  for (let i = 0n; i < limit; i++) {
    const offset = (start + i) % size
    if (offset === 0n) continue
    const n = subnet.base + offset
    if (n === gateway) continue
    const ip = bigIntToIp6(n)
    if (!used.has(ip)) return ip
  }
  return undefined
}

export function validateFixedAddress6(range: Ipam6Range, ip: string, used: ReadonlySet<string>): string {
  const n = ip6ToBigInt(ip)
  if (!contains6(parseCidr6(range.subnet), n)) throw invalid('INVALID_ADDRESS', `no configured subnet contains IP address ${ip}`)
  const text = bigIntToIp6(n)
  if (n === ip6ToBigInt(range.gateway) || used.has(text)) throw new EngineError('Forbidden', 'ADDRESS_IN_USE', 'Address already in use')
  return text
}

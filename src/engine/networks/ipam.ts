/**
 * Pure IPv4 address management: CIDR parsing, subnets from Docker's default pools that do not
 * overlap what is in use, and sequential allocation that does not hand out a released address
 * again before the range wrapped (libnetwork's bitmap with a moving cursor), so a stale
 * reference to a removed container never reaches the next one.
 */
import { EngineError, invalid } from '../../common/index.js'

export interface Cidr {
  /** Network address as an unsigned 32-bit integer. */
  base: number
  prefix: number
}

export function ipToInt(ip: string): number {
  const parts = ip.split('.')
  if (parts.length !== 4) throw invalid('INVALID_ADDRESS', `invalid IPv4 address: ${ip}`)
  let n = 0
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) throw invalid('INVALID_ADDRESS', `invalid IPv4 address: ${ip}`)
    n = n * 256 + Number(p)
  }
  return n >>> 0
}

export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.')
}

export function isIPv4(s: string): boolean {
  try {
    ipToInt(s)
    return true
  } catch {
    return false
  }
}

function mask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0
}

/** "172.18.0.0/16" -> Cidr; the host bits are cleared ("172.18.0.5/16" is the same network). */
export function parseCidr(text: string): Cidr {
  const [ip, len, ...rest] = text.split('/')
  const prefix = Number(len)
  if (rest.length > 0 || ip === undefined || len === undefined || !/^\d{1,2}$/.test(len) || prefix > 32) {
    throw invalid('INVALID_SUBNET', `invalid CIDR address: ${text}`)
  }
  return { base: (ipToInt(ip) & mask(prefix)) >>> 0, prefix }
}

export function formatCidr(c: Cidr): string {
  return `${intToIp(c.base)}/${c.prefix}`
}

export function size(c: Cidr): number {
  return 2 ** (32 - c.prefix)
}

export function contains(c: Cidr, ip: number): boolean {
  return ((ip & mask(c.prefix)) >>> 0) === c.base
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix)
  return ((a.base & mask(p)) >>> 0) === ((b.base & mask(p)) >>> 0)
}

export interface AddressPool {
  /** "172.17.0.0/16". */
  base: string
  /** Prefix length of the subnets cut from base. */
  size: number
}

/** dockerd's default pools: 172.17-31/16, then 192.168.0-240/20 (bridge takes the first). */
export const DEFAULT_POOLS: readonly AddressPool[] = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/16', size: 16 },
  { base: '172.19.0.0/16', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/14', size: 16 },
  { base: '172.28.0.0/14', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
]

/** The first subnet of the pools that overlaps none of `inUse` (CIDR strings). */
export function pickSubnet(pools: readonly AddressPool[], inUse: readonly string[]): string | undefined {
  const used = inUse.flatMap((u) => {
    try {
      return [parseCidr(u.includes('/') ? u : `${u}/32`)]
    } catch {
      return []
    }
  })
  for (const pool of pools) {
    const base = parseCidr(pool.base)
    if (pool.size < base.prefix || pool.size > 30) continue
    const step = 2 ** (32 - pool.size)
    for (let n = base.base; n < base.base + size(base); n += step) {
      const candidate: Cidr = { base: n >>> 0, prefix: pool.size }
      if (!used.some((u) => overlaps(u, candidate))) return formatCidr(candidate)
    }
  }
  return undefined
}

/** Parses dockerd's --default-address-pool "base=10.10.0.0/16,size=24". */
export function parseAddressPool(text: string): AddressPool {
  const fields = Object.fromEntries(text.split(',').map((kv) => kv.split('=', 2) as [string, string]))
  const base = fields['base']
  const sizeText = fields['size']
  if (!base || !sizeText || !/^\d+$/.test(sizeText)) throw invalid('INVALID_POOL', `invalid default address pool: ${text}`)
  parseCidr(base)
  return { base, size: Number(sizeText) }
}

export interface IpamRange {
  subnet: string
  gateway: string
  /** Addresses are handed out from here (default: the subnet). */
  ipRange?: string
}

/** The gateway of a subnet when none is given: its first host address. */
export function defaultGateway(subnet: string): string {
  return intToIp(parseCidr(subnet).base + 1)
}

/**
 * The next free address after `cursor` (an address as integer, or undefined to start at the
 * beginning of the range), wrapping once. Skips the network and broadcast addresses, the gateway
 * and everything in `used`. Undefined when the range is full.
 */
export function allocateAddress(range: IpamRange, used: ReadonlySet<string>, cursor?: number): string | undefined {
  const subnet = parseCidr(range.subnet)
  const pool = range.ipRange ? parseCidr(range.ipRange) : subnet
  const first = pool.base
  const count = size(pool)
  const gateway = ipToInt(range.gateway)
  const start = cursor !== undefined && contains(pool, cursor) ? cursor - first + 1 : 0
  for (let i = 0; i < count; i++) {
    const n = (first + ((start + i) % count)) >>> 0
    if (subnet.prefix < 31 && (n === subnet.base || n === subnet.base + size(subnet) - 1)) continue
    if (n === gateway) continue
    const ip = intToIp(n)
    if (!used.has(ip)) return ip
  }
  return undefined
}

/** Checks a user-requested address (--ip) against the network's range. */
export function validateFixedAddress(range: IpamRange, ip: string, used: ReadonlySet<string>): void {
  const n = ipToInt(ip)
  const subnet = parseCidr(range.subnet)
  if (!contains(subnet, n)) throw invalid('INVALID_ADDRESS', `no configured subnet contains IP address ${ip}`)
  if (n === ipToInt(range.gateway) || used.has(ip)) {
    throw new EngineError('Forbidden', 'ADDRESS_IN_USE', 'Address already in use')
  }
}

/** Docker's MAC for an IPv4 address: 02:42 followed by the address bytes. */
export function macForAddress(ip: string): string {
  const n = ipToInt(ip)
  return ['02', '42', ...[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, '0'))].join(':')
}

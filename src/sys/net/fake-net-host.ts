/** Recording NetHost for engine tests: keeps links, namespaces, sysctls and the firewall model in memory. */
import type { LinkInfo, NetHost, VethOptions } from './net-host.js'
import type { FirewallModel } from './nft-ruleset.js'

export type NetCall = { op: string; args: unknown[] }

export class FakeNetHost implements NetHost {
  readonly calls: NetCall[] = []
  readonly links = new Map<string, LinkInfo & { address?: string }>()
  readonly netns = new Set<string>()
  readonly veths = new Map<string, VethOptions>()
  /** Host ends made with hostDown and not yet set up. */
  readonly down = new Set<string>()
  readonly sysctls = new Map<string, string>()
  readonly dnsRedirects = new Map<string, { resolverIp: string; containerIp: string }>()
  firewall: FirewallModel | undefined
  routes: string[] = ['192.0.2.0/24']
  /** Makes the next call of this operation fail. */
  failNext: string | undefined

  private record(op: string, ...args: unknown[]): void {
    this.calls.push({ op, args })
    if (this.failNext === op) {
      this.failNext = undefined
      throw new Error(`fake ${op} failure`)
    }
  }

  async ensureBridge(name: string, addressCidr: string): Promise<void> {
    this.record('ensureBridge', name, addressCidr)
    this.links.set(name, { name, kind: 'bridge', address: addressCidr })
  }

  async deleteLink(name: string): Promise<void> {
    this.record('deleteLink', name)
    this.links.delete(name)
    this.veths.delete(name)
    this.down.delete(name)
  }

  async listLinks(): Promise<LinkInfo[]> {
    return [...this.links.values()].map(({ name, kind, master }) => ({ name, kind, ...(master ? { master } : {}) }))
  }

  async createNetns(path: string, veths: readonly VethOptions[] = []): Promise<void> {
    this.record('createNetns', path, veths)
    this.netns.add(path)
    for (const v of veths) {
      if (v.netnsPath !== path) throw new Error(`veth ${v.hostName} is for ${v.netnsPath}, not ${path}`)
      this.veths.set(v.hostName, v)
      this.links.set(v.hostName, { name: v.hostName, kind: 'veth', master: v.bridge })
      if (v.hostDown) this.down.add(v.hostName)
    }
  }

  async setLinkUp(name: string): Promise<void> {
    this.record('setLinkUp', name)
    if (!this.links.has(name)) throw new Error(`no link ${name}`)
    this.down.delete(name)
  }

  async deleteNetns(path: string, opts: { links?: readonly string[] } = {}): Promise<void> {
    this.record('deleteNetns', path, opts)
    this.netns.delete(path)
    for (const [name, v] of this.veths) {
      if (v.netnsPath === path) {
        this.veths.delete(name)
        this.links.delete(name)
        this.down.delete(name)
      }
    }
    this.dnsRedirects.delete(path)
  }

  async addVeth(opts: VethOptions): Promise<void> {
    this.record('addVeth', opts)
    if (!this.netns.has(opts.netnsPath)) throw new Error(`no netns ${opts.netnsPath}`)
    this.veths.set(opts.hostName, opts)
    this.links.set(opts.hostName, { name: opts.hostName, kind: 'veth', master: opts.bridge })
  }

  async setSysctl(key: string, value: string): Promise<void> {
    this.record('setSysctl', key, value)
    this.sysctls.set(key, value)
  }

  async getSysctl(key: string): Promise<string | undefined> {
    return this.sysctls.get(key)
  }

  async hostRoutes(): Promise<string[]> {
    return [...this.routes, ...[...this.links.values()].flatMap((l) => (l.address ? [l.address] : []))]
  }

  async applyFirewall(model: FirewallModel): Promise<void> {
    this.record('applyFirewall', model)
    this.firewall = structuredClone(model)
  }

  async deleteFirewall(table: string): Promise<void> {
    this.record('deleteFirewall', table)
    if (this.firewall?.table === table) this.firewall = undefined
  }

  async redirectDns(netnsPath: string, opts: { resolverIp: string; containerIp: string }): Promise<void> {
    this.record('redirectDns', netnsPath, opts)
    this.dnsRedirects.set(netnsPath, opts)
  }
}

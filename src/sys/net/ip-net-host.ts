/** NetHost over iproute2 (`ip`), util-linux (`unshare`, `nsenter`), nft and /proc/sys. */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { RuntimeError } from '../../common/index.js'
import { run } from '../process.js'
import { unmount } from '../mount.js'
import type { LinkInfo, NetHost, VethOptions } from './net-host.js'
import { renderDnsRedirect, renderFirewall, type FirewallModel } from './nft-ruleset.js'

const sysctlPath = (key: string): string => `/proc/sys/${key.replace(/\./g, '/')}`

function missing(err: unknown): boolean {
  const text = err instanceof RuntimeError ? err.message : String(err)
  return /Cannot find device|No such file|does not exist|not found/i.test(text)
}

export class IpNetHost implements NetHost {
  constructor(private readonly paths: { ip?: string; nft?: string; nsenter?: string; unshare?: string } = {}) {}

  private ip(args: string[], input?: string): Promise<unknown> {
    return run([this.paths.ip ?? 'ip', ...args], { input, timeoutMs: 30_000 })
  }

  private inNetns(netnsPath: string, argv: string[], input?: string): Promise<unknown> {
    return run([this.paths.nsenter ?? 'nsenter', `--net=${netnsPath}`, ...argv], { input, timeoutMs: 30_000 })
  }

  async ensureBridge(name: string, addressCidr: string, opts: { mtu?: number; address6Cidr?: string } = {}): Promise<void> {
    const links = await this.listLinks()
    if (!links.some((l) => l.name === name)) {
      await this.ip(['link', 'add', 'name', name, 'type', 'bridge', ...(opts.mtu ? ['mtu', String(opts.mtu)] : [])])
    }
    await this.ip(['addr', 'replace', addressCidr, 'dev', name])
    if (opts.address6Cidr) {
      await this.setSysctl(`net.ipv6.conf.${name}.disable_ipv6`, '0').catch(() => undefined)
      await this.ip(['-6', 'addr', 'replace', opts.address6Cidr, 'dev', name, 'nodad'])
    }
    await this.setSysctl(`net.ipv4.conf.${name}.route_localnet`, '1')
    await this.ip(['link', 'set', name, 'up'])
  }

  async deleteLink(name: string): Promise<void> {
    try {
      await this.ip(['link', 'del', name])
    } catch (err) {
      if (!missing(err)) throw err
    }
  }

  async listLinks(): Promise<LinkInfo[]> {
    const r = (await run([this.paths.ip ?? 'ip', '-j', '-d', 'link', 'show'])) as { stdout: Buffer }
    const parsed = JSON.parse(r.stdout.toString() || '[]') as Array<{ ifname: string; master?: string; linkinfo?: { info_kind?: string } }>
    return parsed.map((l) => ({ name: l.ifname, kind: l.linkinfo?.info_kind ?? '', ...(l.master ? { master: l.master } : {}) }))
  }

  async createNetns(path: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, '')
    try {
      // unshare binds the new namespace at `path` and runs the command inside it.
      await run([this.paths.unshare ?? 'unshare', `--net=${path}`, this.paths.ip ?? 'ip', 'link', 'set', 'lo', 'up'])
    } catch (err) {
      await this.deleteNetns(path).catch(() => undefined)
      throw err
    }
  }

  async deleteNetns(path: string): Promise<void> {
    try {
      await unmount(path, { lazy: true })
    } catch {
      // Not mounted (any more): only the file is left.
    }
    await rm(path, { force: true })
  }

  async addVeth(o: VethOptions): Promise<void> {
    // One ip(8) run on each side (every process berthd spawns costs it a fork). ip -batch stops at
    // the first failing line, so a failure leaves at most the link to delete.
    const host = [
      `link add name ${o.hostName}${o.mtu ? ` mtu ${o.mtu}` : ''} type veth peer name ${o.ifName} netns ${o.netnsPath}`,
      `link set ${o.hostName} master ${o.bridge} up`,
      // Hairpin: a container's own connections to a published port come back through its port.
      `link set ${o.hostName} type bridge_slave hairpin on`,
    ]
    try {
      await this.ip(['-batch', '-'], host.join('\n') + '\n')
      const batch = [
        ...(o.mac ? [`link set ${o.ifName} address ${o.mac}`] : []),
        `addr add ${o.addressCidr} dev ${o.ifName}`,
        `link set ${o.ifName} up`,
        ...(o.gateway ? [`route replace default via ${o.gateway} dev ${o.ifName}`] : []),
        ...(o.address6Cidr ? [`addr add ${o.address6Cidr} dev ${o.ifName} nodad`] : []),
        ...(o.gateway6 ? [`route replace ::/0 via ${o.gateway6} dev ${o.ifName}`] : []),
      ]
      await this.inNetns(o.netnsPath, [this.paths.ip ?? 'ip', '-batch', '-'], batch.join('\n') + '\n')
    } catch (err) {
      // A failed first line (`link add`: the name is taken, say) made nothing to undo.
      const addFailed = err instanceof RuntimeError && err.argv[1] === '-batch' && /Command failed -:1\b/.test(err.stderrTail)
      if (!addFailed) await this.deleteLink(o.hostName).catch(() => undefined)
      throw err
    }
  }

  async setSysctl(key: string, value: string): Promise<void> {
    await writeFile(sysctlPath(key), value)
  }

  async getSysctl(key: string): Promise<string | undefined> {
    try {
      return (await readFile(sysctlPath(key), 'utf8')).trim()
    } catch {
      return undefined
    }
  }

  async hostRoutes(): Promise<string[]> {
    const r = (await run([this.paths.ip ?? 'ip', '-j', '-4', 'route', 'show', 'table', 'all'])) as { stdout: Buffer }
    const routes = JSON.parse(r.stdout.toString() || '[]') as Array<{ dst?: string; type?: string }>
    return routes
      .filter((x) => x.dst && x.dst !== 'default' && (x.type === undefined || x.type === 'unicast'))
      .map((x) => (x.dst!.includes('/') ? x.dst! : `${x.dst}/32`))
  }

  async applyFirewall(model: FirewallModel): Promise<void> {
    await run([this.paths.nft ?? 'nft', '-f', '-'], { input: renderFirewall(model), timeoutMs: 30_000 })
  }

  async deleteFirewall(table: string): Promise<void> {
    await run([this.paths.nft ?? 'nft', '-f', '-'], {
      input: `table ip ${table} {}\ndelete table ip ${table}\ntable ip6 ${table} {}\ndelete table ip6 ${table}\n`, timeoutMs: 30_000,
    })
  }

  async redirectDns(netnsPath: string, opts: { resolverIp: string; containerIp: string }): Promise<void> {
    // Replies to 127.0.0.1 sources leave through eth0 after the DNAT: the namespace must route them.
    const nft = this.paths.nft ?? 'nft'
    await this.inNetns(netnsPath, ['sh', '-c', `echo 1 > /proc/sys/net/ipv4/conf/all/route_localnet && exec ${nft} -f -`], renderDnsRedirect(opts))
  }
}

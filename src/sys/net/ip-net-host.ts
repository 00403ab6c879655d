/** NetHost over iproute2 (`ip`), util-linux (`unshare`, `nsenter`), nft and /proc/sys. */
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
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
    // A bridge whose MAC was never set takes the lowest of its ports' and changes as containers come
    // and go, leaving stale gateway entries in their ARP caches: its MAC is set once, as dockerd sets
    // a random one (NET_ADDR_SET is 3 in addr_assign_type). Its current, random, MAC is kept.
    const sys = `/sys/class/net/${name}`
    if ((await readFile(`${sys}/addr_assign_type`, 'utf8')).trim() !== '3') {
      await this.ip(['link', 'set', 'dev', name, 'address', (await readFile(`${sys}/address`, 'utf8')).trim()])
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

  async createNetns(path: string, veths: readonly VethOptions[] = []): Promise<void> {
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, '')
    const inner = ['link set lo up', ...veths.flatMap((v) => vethBatches(v, process.pid).inner)]
    try {
      // unshare binds the new namespace at `path` and runs ip inside it: lo and the container ends,
      // whose peers it creates in berthd's namespace; the host ends are then enslaved. One run for the
      // whole sandbox rather than one per step.
      await this.inAndOut([this.paths.unshare ?? 'unshare', `--net=${path}`], inner, veths.flatMap((v) => vethBatches(v, process.pid).host))
    } catch (err) {
      // The veths made live in the namespace and go with it (a `link add` that failed because its name
      // is taken must not make this wait for, or delete, somebody else's link).
      await this.deleteNetns(path).catch(() => undefined)
      throw err
    }
  }

  async deleteNetns(path: string, opts: { links?: readonly string[] } = {}): Promise<void> {
    try {
      await unmount(path, { lazy: true })
    } catch {
      // Not mounted (any more): only the file is left.
    }
    await rm(path, { force: true })
    await this.awaitLinksGone(opts.links ?? [])
  }

  /**
   * The kernel deletes a veth pair once the namespace of either end is gone, shortly after its last
   * process and mount went (cleanup_net runs in a worker). Waits for that rather than spawning
   * `ip link del` (which also waits for the kernel); a link some other process keeps alive (a
   * container that joined this namespace) is deleted after LINK_GONE_MS.
   */
  private async awaitLinksGone(names: readonly string[]): Promise<void> {
    const deadline = Date.now() + LINK_GONE_MS
    for (const name of names) {
      while (await linkExists(name)) {
        if (Date.now() >= deadline) {
          await this.deleteLink(name)
          break
        }
        await new Promise((r) => setTimeout(r, 2))
      }
    }
  }

  async addVeth(o: VethOptions): Promise<void> {
    const { inner, host } = vethBatches(o, process.pid)
    try {
      await this.inAndOut([this.paths.nsenter ?? 'nsenter', `--net=${o.netnsPath}`], inner, host)
    } catch (err) {
      // A failed `link add` (the name is taken, say) made nothing to undo; deleting the host end of a
      // veth deletes the pair.
      const addFailed = err instanceof RuntimeError && err.exitCode === INNER_FAILED && /Command failed -:1\b/.test(err.stderrTail)
      if (!addFailed) await this.deleteLink(o.hostName).catch(() => undefined)
      throw err
    }
  }

  /**
   * One sh(1) run: `ip -batch` of `inner` through `enter` (unshare or nsenter into the namespace),
   * then `ip -batch` of `host` in berthd's namespace. The RuntimeError's exitCode is INNER_FAILED or
   * HOST_FAILED; ip -batch stops at its first failing line and names it ("Command failed -:N").
   */
  private async inAndOut(enter: readonly string[], inner: readonly string[], host: readonly string[]): Promise<void> {
    const ip = this.paths.ip ?? 'ip'
    const script = `inner=$1 host=$2 ip=$3; shift 3
printf '%s' "$inner" | "$@" "$ip" -batch - || exit ${INNER_FAILED}
[ -z "$host" ] || printf '%s' "$host" | "$ip" -batch - || exit ${HOST_FAILED}`
    const batch = (lines: readonly string[]): string => (lines.length > 0 ? lines.join('\n') + '\n' : '')
    const argv = ['sh', '-c', script, 'sh', batch(inner), batch(host), ip, ...enter]
    const res = await run(argv, { check: false, timeoutMs: 30_000 })
    if (res.exitCode === 0) return
    const stderr = res.stderr.toString().slice(-2048)
    const where = res.exitCode === INNER_FAILED ? 'in the namespace' : res.exitCode === HOST_FAILED ? 'on the host' : `(exit ${res.exitCode ?? res.signal})`
    throw new RuntimeError(argv, res.exitCode, stderr, `${ip} -batch failed ${where}: ${stderr.trim()}`)
  }

  async setLinkUp(name: string): Promise<void> {
    // dev_change_flags through sysfs: no ip(8) run. IFF_PROMISC and IFF_ALLMULTI as read include the
    // bridge's counts: written back they would become user flags (`promiscuity 2`).
    const path = `/sys/class/net/${name}/flags`
    const flags = Number(await readFile(path, 'utf8'))
    await writeFile(path, `0x${((flags & ~(IFF_PROMISC | IFF_ALLMULTI)) | IFF_UP).toString(16)}`)
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

/** Interface flags (linux/if.h). */
const IFF_UP = 0x1
const IFF_PROMISC = 0x100
const IFF_ALLMULTI = 0x200
/** Exit statuses of the sh script of inAndOut. */
const INNER_FAILED = 3
const HOST_FAILED = 4
/** How long deleteNetns waits for the kernel to delete the veths of a namespace (ms). */
const LINK_GONE_MS = 500

/**
 * ip(8) batch lines for one veth, made from inside the namespace (`inner`: create it with its peer in
 * the namespace of `hostPid`, then address, MAC, routes) and in that host namespace (`host`: enslave
 * and up). Pure.
 */
export function vethBatches(o: VethOptions, hostPid: number): { inner: string[]; host: string[] } {
  const inner = [
    `link add name ${o.ifName}${o.mtu ? ` mtu ${o.mtu}` : ''} type veth peer name ${o.hostName}${o.mtu ? ` mtu ${o.mtu}` : ''} netns ${hostPid}`,
    ...(o.mac ? [`link set ${o.ifName} address ${o.mac}`] : []),
    `addr add ${o.addressCidr} dev ${o.ifName}`,
    `link set ${o.ifName} up`,
    ...(o.gateway ? [`route replace default via ${o.gateway} dev ${o.ifName}`] : []),
    ...(o.address6Cidr ? [`addr add ${o.address6Cidr} dev ${o.ifName} nodad`] : []),
    ...(o.gateway6 ? [`route replace ::/0 via ${o.gateway6} dev ${o.ifName}`] : []),
  ]
  const host = [
    `link set ${o.hostName} master ${o.bridge}${o.hostDown ? '' : ' up'}`,
    // Hairpin: a container's own connections to a published port come back through its port.
    `link set ${o.hostName} type bridge_slave hairpin on`,
  ]
  return { inner, host }
}

async function linkExists(name: string): Promise<boolean> {
  return access(`/sys/class/net/${name}`).then(() => true, () => false)
}

/**
 * RunSandboxes: network namespaces on the default bridge lent to the builder's RUN steps, so that RUN
 * reaches the network as in Docker (whose builders put RUN on the default bridge). A namespace given
 * back is lent again to the next RUN, as BuildKit reuses the namespaces of its pool: making one costs
 * unshare and ip (none when the SandboxPool has one ready, see sandbox-pool.ts), joining one costs the
 * runtime less than making the empty namespace of --network none. A RUN leaves nothing behind in it: it
 * has no CAP_NET_ADMIN, /proc/sys is read-only, and its processes end with its pid namespace.
 *
 * Each namespace holds an endpoint on the default bridge under a key no container id or name can be
 * ("build:<hex>"), so IPAM and the pool count its address; network inspect lists running containers
 * only, so it does not show there. A namespace idle for IDLE_MS goes, and every one at close() (daemon
 * stop). What a crash leaves is removed by ContainerNetworking.cleanupStale at the next start (an
 * endpoint without its container, a namespace file and a link that nothing refers to).
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { EngineError, newId } from '../../common/index.js'
import { buildResolvConf } from '../containers/index.js'
import type { VethOptions } from '../../sys/net/index.js'
import { assignAddresses } from './endpoint-addresses.js'
import type { NetworkManager } from './network-manager.js'
import type { EndpointRecord, NetworkRecord } from './types.js'

/** How long a namespace nobody borrowed stays (ms). */
const IDLE_MS = 30_000
/** Idle namespaces kept at most (more are made only while that many RUNs run at once). */
const MAX_IDLE = 2

export interface RunSandboxesOptions {
  /** The host's resolv.conf, which each RUN's /etc/resolv.conf is made from. */
  hostResolvConfPath: string
  idleMs?: number
}

/** A namespace lent to one RUN at a time (the shape engine/build's RunNetwork expects). */
export interface LentSandbox {
  netnsPath: string
  ipv4: string
  ipv6?: string
  resolvConf: string
  release(): void
}

interface Sandbox {
  /** Its endpoint's key in the default bridge's endpoints. */
  key: string
  netnsPath: string
  hostVeth: string
  ipv4: string
  ipv6?: string
  timer?: NodeJS.Timeout
}

export class RunSandboxes {
  private readonly idle: Sandbox[] = []
  private readonly lent = new Set<Sandbox>()
  private closed = false

  constructor(private readonly m: NetworkManager, private readonly opts: RunSandboxesOptions) {}

  /** A namespace for one RUN: an idle one, else a new one. Unavailable after close() or without a default bridge. */
  async acquire(): Promise<LentSandbox> {
    if (this.closed) throw new EngineError('Unavailable', 'NETWORK_CLOSED', 'Cannot give RUN a network: the daemon is stopping')
    const reused = this.idle.pop()
    if (reused) clearTimeout(reused.timer)
    const sandbox = reused ?? (await this.make())
    this.lent.add(sandbox)
    const hostResolv = await readFile(this.opts.hostResolvConfPath, 'utf8').catch(() => '')
    let released = false
    return {
      netnsPath: sandbox.netnsPath,
      ipv4: sandbox.ipv4,
      ...(sandbox.ipv6 ? { ipv6: sandbox.ipv6 } : {}),
      resolvConf: buildResolvConf(hostResolv, { hostNetwork: false }),
      release: () => {
        if (released) return
        released = true
        this.giveBack(sandbox)
      },
    }
  }

  /** Daemon stop: every namespace goes, lent ones too (their RUN loses its network). */
  async close(): Promise<void> {
    this.closed = true
    const all = [...this.idle.splice(0), ...this.lent]
    this.lent.clear()
    for (const s of all) {
      clearTimeout(s.timer)
      await this.destroy(s)
    }
  }

  private giveBack(sandbox: Sandbox): void {
    // Gone already (close()), or no longer wanted.
    if (!this.lent.delete(sandbox)) return
    if (this.idle.length >= MAX_IDLE) {
      void this.destroy(sandbox)
      return
    }
    this.idle.push(sandbox)
    sandbox.timer = setTimeout(() => {
      const i = this.idle.indexOf(sandbox)
      if (i < 0) return
      this.idle.splice(i, 1)
      void this.destroy(sandbox)
    }, this.opts.idleMs ?? IDLE_MS).unref()
  }

  private defaultBridge(): NetworkRecord | undefined {
    return this.m.store.all().find((n) => n.predefined && n.name === 'bridge')
  }

  private async make(): Promise<Sandbox> {
    const key = `build:${newId().slice(0, 24)}`
    const endpoint = await this.m.serial(async () => {
      const net = this.defaultBridge()
      if (!net?.bridgeName || !net.ipam[0]) throw new EngineError('Unavailable', 'NO_DEFAULT_BRIDGE', 'Cannot give RUN a network: there is no default bridge')
      const ep: EndpointRecord = { containerId: key, containerName: key, endpointId: newId(), ipv4: '', prefixLen: 0, gateway: '', mac: '', aliases: [], links: [] }
      assignAddresses(net, ep)
      net.endpoints[key] = ep
      // Not fsynced: after a crash the namespace is gone, and cleanupStale drops the endpoint.
      await this.m.store.save(net, { durable: false })
      return { net, ep }
    })
    const { net, ep } = endpoint
    const prefix = this.m.deps.prefix
    const veth: VethOptions = {
      hostName: `${prefix}v${ep.endpointId.slice(0, 14 - prefix.length)}`, bridge: net.bridgeName!, netnsPath: join(this.m.netnsDir, ep.endpointId),
      ifName: 'eth0', addressCidr: `${ep.ipv4}/${ep.prefixLen}`, mac: ep.mac, ...(ep.gateway ? { gateway: ep.gateway } : {}),
      ...(ep.ipv6 ? { address6Cidr: `${ep.ipv6}/${ep.ipv6PrefixLen}` } : {}),
      ...(ep.ipv6Gateway ? { gateway6: ep.ipv6Gateway } : {}),
    }
    const sandbox: Sandbox = { key, netnsPath: veth.netnsPath, hostVeth: veth.hostName, ipv4: ep.ipv4, ...(ep.ipv6 ? { ipv6: ep.ipv6 } : {}) }
    const host = this.m.deps.host
    let made = false
    try {
      // The sandbox made ahead for the next container start is exactly this one when nothing took
      // its address meanwhile: taken, the pool makes another once containers are quiet.
      const pooled = await this.m.pool.take([veth])
      if (pooled) {
        sandbox.netnsPath = pooled.netnsPath
        sandbox.hostVeth = pooled.hostVeth
        made = true
        await host.setLinkUp(pooled.hostVeth)
      } else {
        await host.createNetns(veth.netnsPath, [veth])
        made = true
      }
      if ((await host.getSysctl('net.ipv4.ip_forward')) !== '1') await host.setSysctl('net.ipv4.ip_forward', '1')
    } catch (err) {
      if (made) await host.deleteNetns(sandbox.netnsPath, { links: [sandbox.hostVeth] }).catch(() => undefined)
      await this.removeEndpoint(key)
      throw err
    }
    return sandbox
  }

  private async destroy(sandbox: Sandbox): Promise<void> {
    await this.m.deps.host.deleteNetns(sandbox.netnsPath, { links: [sandbox.hostVeth] })
      .catch((err: unknown) => this.m.deps.logger.warn('removing a RUN network namespace failed', { path: sandbox.netnsPath, error: err }))
    await this.removeEndpoint(sandbox.key)
  }

  private async removeEndpoint(key: string): Promise<void> {
    await this.m.serial(async () => {
      for (const net of this.m.networksOf(key)) await this.m.removeEndpoint(net, key, { durable: false })
    }).catch((err: unknown) => this.m.deps.logger.warn('removing the endpoint of a RUN network failed', { key, error: err }))
  }
}

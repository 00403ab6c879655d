/**
 * SandboxPool: network sandboxes for the default bridge made ahead of time, so the start of a
 * container there takes one instead of running unshare and ip (four to five process spawns).
 *
 * An entry is a namespace file <exec>/netns/<random id> with lo up and eth0 configured as the
 * *next* start on the default bridge would get it (the address IPAM hands out next, its MAC, the
 * default route), and a host end "<prefix>v<random>" enslaved to the bridge with hairpin on but left
 * down. The pool holds no address: an entry is a prediction, and a start takes it only when the
 * veth its own allocation asks for is exactly the entry's (see ContainerNetworking.onStart). So the
 * addresses, their order, inspect and events stay what IPAM alone gives; an entry that no longer
 * matches the prediction is dropped at the next fill. While down, an entry neither answers on the
 * bridge nor collides with a container that IPAM gave the same address meanwhile.
 *
 * Entries are made in the background: after the daemon started (start()) and after a start on a
 * bridge network or a network connect (once the start finished and containers are quiet, or at the
 * next container create: see REFILL). They go at close() (daemon stop) and when
 * they no longer match (another bridge or range after a restart, addresses taken outside the pool);
 * what a crash leaves is removed by ContainerNetworking.cleanupStale (files it does not know, links
 * with the daemon's prefix). A namespace that cannot be made turns the pool off.
 */
import { join } from 'node:path'
import { newId, type Logger } from '../../common/index.js'
import type { EventBus } from '../events/index.js'
import type { NetHost, VethOptions } from '../../sys/net/index.js'
import { allocateAddress, ipToInt, macForAddress, parseCidr } from './ipam.js'
import type { NetworkRecord } from './types.js'

/** The container end of a veth as IPAM would make it (no names yet). */
export type PoolVeth = Pick<VethOptions, 'bridge' | 'ifName' | 'addressCidr' | 'mac' | 'gateway'>

/** A sandbox handed to a start: record these as the container's (SandboxState). */
export interface PooledSandbox {
  netnsPath: string
  hostVeth: string
}

export interface SandboxPoolDeps {
  host: NetHost
  netnsDir: string
  /** Host ends are "<prefix>v<hex>", 15 bytes, as the containers' own (cleanupStale knows them). */
  prefix: string
  events: EventBus
  logger: Logger
  /** The default bridge network as it is now (undefined: none). */
  defaultBridge: () => NetworkRecord | undefined
  /** Entries to keep ready (0: no pool). */
  size: number
  /** Delay before the first fill after start() (ms). */
  startDelayMs?: number
  /** After a take: quiet time without container events before the fill, and the longest wait (ms). */
  refill?: { quietMs: number; maxMs: number }
}

interface Entry extends PooledSandbox {
  key: string
  /** Resolves true once made, false when making it failed. */
  ready: Promise<boolean>
}

/**
 * After a take, a fill waits for its container's start or die event and then for quietMs without any
 * container event (a `run --rm` is still stopping and removing it, its client exiting), or for the
 * next container create; at most maxMs.
 */
const REFILL = { quietMs: 20, maxMs: 2_000 }

/**
 * The veths the next `count` starts on `net` would get from IPAM (assignAddresses: next free
 * address after the last one handed out, Docker's MAC, the gateway as default route). Empty for
 * networks the pool does not serve (no bridge, IPv6, internal). Pure.
 */
export function nextVeths(net: NetworkRecord | undefined, count: number): PoolVeth[] {
  const range = net?.ipam[0]
  if (!net || net.driver !== 'bridge' || !net.bridgeName || !range || net.ipam6 || net.internal) return []
  const used = new Set(Object.values(net.endpoints).map((e) => e.ipv4).filter((ip) => ip !== ''))
  const prefixLen = parseCidr(range.subnet).prefix
  let cursor = net.lastAddress
  const out: PoolVeth[] = []
  for (let i = 0; i < count; i++) {
    const ip = allocateAddress(range, used, cursor)
    if (!ip) break
    used.add(ip)
    cursor = ipToInt(ip)
    out.push({ bridge: net.bridgeName, ifName: 'eth0', addressCidr: `${ip}/${prefixLen}`, mac: macForAddress(ip), gateway: range.gateway })
  }
  return out
}

/** Identity of a veth as the pool makes it; undefined for one it never makes (IPv6, MTU...). Pure. */
export function poolKey(v: PoolVeth & Partial<VethOptions>): string | undefined {
  if (v.address6Cidr || v.gateway6 || v.mtu || v.hostDown || !v.mac || !v.gateway) return undefined
  return [v.bridge, v.ifName, v.addressCidr, v.mac, v.gateway].join(' ')
}

export class SandboxPool {
  private entries: Entry[] = []
  private filling: Promise<void> | undefined
  private again = false
  private closed = false
  private started = false
  /** Containers that took an entry and whose start has not finished yet. */
  private readonly pending = new Set<string>()
  /** A fill is due once the daemon is quiet. */
  private wanted = false
  private fallback: NodeJS.Timeout | undefined
  private quiet: NodeJS.Timeout | undefined
  private unsubscribe: (() => void) | undefined

  constructor(private readonly deps: SandboxPoolDeps) {}

  /** Namespace files and host links of the entries (cleanupStale keeps them). */
  owned(): { paths: string[]; links: string[] } {
    return { paths: this.entries.map((e) => e.netnsPath), links: this.entries.map((e) => e.hostVeth) }
  }

  /** After the daemon's start-up (and its cleanupStale): the first fill is scheduled. */
  start(): void {
    if (this.deps.size <= 0 || this.started || this.closed) return
    this.started = true
    this.unsubscribe = this.deps.events.subscribe((e) => {
      if (e.type !== 'container') return
      if (e.action === 'start' || e.action === 'die') this.pending.delete(e.actor.id)
      if (!this.wanted) return
      // A create is followed by its start: better in the making then than not there.
      if (e.action === 'create' && this.pending.size === 0) this.fillNow()
      else this.fillWhenQuiet()
    })
    setTimeout(() => void this.fill(), this.deps.startDelayMs ?? 0).unref()
  }

  /**
   * The entry made for exactly `veths` (one veth; waiting for it when it is being made), removed from
   * the pool: the caller owns its namespace and link from now on. Undefined when there is none. Every
   * start on a bridge network calls this: IPAM may have handed out a predicted address meanwhile, so a
   * fill follows once the start finished. Without a container (a build's RUN namespace: see
   * run-sandboxes.ts), the fill follows once containers are quiet.
   */
  async take(veths: readonly VethOptions[], containerId?: string): Promise<PooledSandbox | undefined> {
    if (!this.started || this.closed) return undefined
    if (containerId === undefined) this.addressTaken()
    else this.refillAfter(containerId)
    const key = veths.length === 1 ? poolKey(veths[0]!) : undefined
    const i = key === undefined ? -1 : this.entries.findIndex((e) => e.key === key)
    if (i < 0) return undefined
    const [entry] = this.entries.splice(i, 1)
    if (!entry || !(await entry.ready)) return undefined
    return { netnsPath: entry.netnsPath, hostVeth: entry.hostVeth }
  }

  /** IPAM handed out an address on a running container (network connect): a fill once containers are quiet. */
  addressTaken(): void {
    if (!this.started || this.closed) return
    this.wanted = true
    this.fillWhenQuiet()
  }

  /**
   * A fill once `containerId`'s start finished (its start or die event) and no container event came
   * for refill.quietMs or a container is created, or after refill.maxMs.
   */
  private refillAfter(containerId: string): void {
    this.pending.add(containerId)
    this.wanted = true
    clearTimeout(this.fallback)
    this.fallback = setTimeout(() => {
      this.pending.clear()
      this.fillNow()
    }, (this.deps.refill ?? REFILL).maxMs).unref()
  }

  private fillWhenQuiet(): void {
    clearTimeout(this.quiet)
    this.quiet = setTimeout(() => {
      if (this.pending.size === 0) this.fillNow()
    }, (this.deps.refill ?? REFILL).quietMs).unref()
  }

  private fillNow(): void {
    this.wanted = false
    clearTimeout(this.quiet)
    clearTimeout(this.fallback)
    void this.fill()
  }

  /**
   * Drops the entries the next starts would not take and makes the missing ones, one at a time.
   * Resolves when the pool is as predicted (a call while filling makes the running fill look again).
   */
  fill(): Promise<void> {
    if (this.closed || !this.started) return Promise.resolve()
    if (this.filling) {
      this.again = true
      return this.filling
    }
    const run = async (): Promise<void> => {
      do {
        this.again = false
        const wanted = nextVeths(this.deps.defaultBridge(), this.deps.size)
        const keys = new Set(wanted.map((w) => poolKey(w)))
        for (const stale of this.entries.filter((e) => !keys.has(e.key))) await this.drop(stale)
        for (const veth of wanted) {
          if (this.closed) return
          const key = poolKey(veth)
          if (key === undefined || this.entries.some((e) => e.key === key)) continue
          if (!(await this.make(veth, key))) return
        }
      } while (this.again && !this.closed)
    }
    // Never rejects: fills run from timers, where a rejection would end the daemon.
    this.filling = run()
      .catch((err: unknown) => this.deps.logger.warn('filling the network sandbox pool failed', { error: err }))
      .finally(() => (this.filling = undefined))
    return this.filling
  }

  private async make(veth: PoolVeth, key: string): Promise<boolean> {
    const id = newId()
    const netnsPath = join(this.deps.netnsDir, id)
    const hostVeth = `${this.deps.prefix}v${id.slice(0, 14 - this.deps.prefix.length)}`
    const ready = this.deps.host.createNetns(netnsPath, [{ ...veth, hostName: hostVeth, netnsPath, hostDown: true }]).then(() => true, (err: unknown) => {
      // The namespace dir or the bridge is not usable: starts make their own (and report why).
      this.deps.logger.warn('cannot make a network sandbox ahead: sandbox pool off', { error: err })
      this.started = false
      this.entries = this.entries.filter((e) => e.key !== key)
      void this.close()
      return false
    })
    this.entries.push({ key, netnsPath, hostVeth, ready })
    return ready
  }

  private async drop(entry: Entry): Promise<void> {
    this.entries = this.entries.filter((e) => e !== entry)
    if (!(await entry.ready)) return
    await this.deps.host.deleteNetns(entry.netnsPath, { links: [entry.hostVeth] })
      .catch((err: unknown) => this.deps.logger.warn('removing a pooled network sandbox failed', { path: entry.netnsPath, error: err }))
  }

  /** Daemon stop: no more fills; every entry not taken is deleted (namespace file and link). */
  async close(): Promise<void> {
    this.closed = true
    this.unsubscribe?.()
    clearTimeout(this.fallback)
    clearTimeout(this.quiet)
    await this.filling?.catch(() => undefined)
    for (const entry of [...this.entries]) await this.drop(entry)
  }
}

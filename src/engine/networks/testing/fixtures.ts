/** Test fixtures for the network manager: a NetworkManager and its ContainerNetworking over a FakeNetHost. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EngineError, silentLogger, type Logger } from '../../../common/index.js'
import { EventBus } from '../../events/index.js'
import type { ContainerRecord, ContainerService } from '../../containers/index.js'
import { FakeNetHost, type HeldPort, type PortHolder, type UdpTransport } from '../../../sys/net/index.js'
import { ContainerNetworking } from '../container-networking.js'
import { NetworkManager, type NetworkManagerDeps } from '../network-manager.js'

/** Host ports held in memory: a port held twice is EADDRINUSE; port 0 gets the next from 40000. */
export class FakePorts implements PortHolder {
  readonly taken = new Set<string>()
  next = 40000
  async hold(proto: 'tcp' | 'udp', ip: string, port: number): Promise<HeldPort> {
    const p = port === 0 ? this.next++ : port
    const key = `${proto}/${ip}/${p}`
    if (this.taken.has(key)) throw Object.assign(new Error('EADDRINUSE'), { code: 'EADDRINUSE' })
    this.taken.add(key)
    return { port: p, close: async () => void this.taken.delete(key) }
  }
}

export const noUdp: UdpTransport = {
  listen: async () => ({ close: async () => undefined }),
  query: async () => undefined,
}

/** A 'created' container record whose files live in `dir`; `host` is its HostConfig, `extra` more spec fields. */
export function container(id: string, name: string, dir: string, host: Record<string, unknown> = {}, extra: Partial<ContainerRecord['spec']> = {}): ContainerRecord {
  return {
    id, name, created: '', imageId: 'sha256:x', imageConfig: {}, path: 'sh', args: [], restartCount: 0, runtime: 'crun',
    spec: { image: 'busybox', host: { ...host }, ...extra },
    state: { status: 'created', running: false, paused: false, restarting: false, oomKilled: false, dead: false, pid: 0, exitCode: 0, error: '', startedAt: '', finishedAt: '' },
    rootfsPath: join(dir, 'rootfs'), bundleDir: dir, logPath: join(dir, 'log'), hostnamePath: join(dir, 'hostname'),
    hostsPath: join(dir, `${id}-hosts`), resolvConfPath: join(dir, `${id}-resolv.conf`),
  }
}

export interface NetworkFixtureOptions {
  /** Use this directory (kept) instead of a temporary one removed with `t`. */
  root?: string
  /** The host's resolv.conf content. */
  resolvConf?: string
  logger?: Logger
  ports?: PortHolder
  sandboxPool?: NetworkManagerDeps['sandboxPool']
}

/**
 * An initialised NetworkManager (prefix bt, default bridge bt0 10.200.0.1/24, user networks from
 * 10.201.0.0/16) with its ContainerNetworking; `records` are the containers it can resolve.
 */
export async function networkFixture(t: { after(fn: () => Promise<void>): void }, opts: NetworkFixtureOptions = {}) {
  const dir = opts.root ?? (await mkdtemp(join(tmpdir(), 'berth-net-')))
  if (!opts.root) t.after(() => rm(dir, { recursive: true, force: true }))
  await writeFile(join(dir, 'host-resolv.conf'), opts.resolvConf ?? 'nameserver 10.0.0.53\nsearch corp.test\n')
  const records = new Map<string, ContainerRecord>()
  const containers = { resolve: async (x: string) => {
    const r = records.get(x) ?? [...records.values()].find((c) => c.name === x)
    if (!r) throw new EngineError('NotFound', 'CONTAINER_NOT_FOUND', `No such container: ${x}`)
    return r
  } } as unknown as ContainerService
  const host = new FakeNetHost()
  const ports = opts.ports ?? new FakePorts()
  const events = new EventBus()
  const m = new NetworkManager({
    dataRoot: join(dir, 'data'), execRoot: join(dir, 'exec'), host, ports, udp: noUdp, events, logger: opts.logger ?? silentLogger,
    containers: () => containers, prefix: 'bt', defaultBridge: { name: 'bt0', bip: '10.200.0.1/24' },
    pools: [{ base: '10.201.0.0/16', size: 24 }], upstreams: () => ['10.0.0.53'],
    ...(opts.sandboxPool ? { sandboxPool: opts.sandboxPool } : {}),
  })
  const hooks = new ContainerNetworking(m, { hostResolvConfPath: join(dir, 'host-resolv.conf') })
  await m.init()
  return { dir, m, hooks, host, ports, records, events }
}

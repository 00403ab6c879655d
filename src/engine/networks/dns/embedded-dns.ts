/**
 * The embedded DNS server of user-defined networks (Docker's 127.0.0.11): berthd answers on each
 * such network's gateway address (containers reach it through a DNAT of 127.0.0.11:53 in their
 * namespace). Names of containers on the asking container's networks (name, --network-alias,
 * short id) get A records; everything else is forwarded to the upstream resolvers.
 */
import dnsPacket from 'dns-packet'
import type { Logger } from '../../../common/index.js'
import type { UdpListener, UdpRequest, UdpTransport } from '../../../sys/net/index.js'

/** Addresses for `name` as seen by the container at `clientIp` on network `networkId`; undefined: not ours. */
export type NameLookup = (networkId: string, clientIp: string, name: string) => { ipv4: string[]; ipv6?: string[] } | undefined

const TTL = 600
const NXDOMAIN = 3
const SERVFAIL = 2

export interface EmbeddedDnsDeps {
  udp: UdpTransport
  lookup: NameLookup
  /** Resolvers for queries from clientIp on the network that are not ours (address or address#port). */
  upstreams: (networkId: string, clientIp: string) => string[]
  logger: Logger
  port?: number
  upstreamTimeoutMs?: number
}

export class EmbeddedDns {
  private readonly listeners = new Map<string, { ip: string; listener: UdpListener }>()

  constructor(private readonly deps: EmbeddedDnsDeps) {}

  /** Serves network `networkId` on ip:53 (idempotent for the same address). */
  async serve(networkId: string, ip: string): Promise<void> {
    const current = this.listeners.get(networkId)
    if (current?.ip === ip) return
    if (current) await this.stop(networkId)
    const port = this.deps.port ?? 53
    const udp = await this.deps.udp.listen(ip, port, (req) => this.answer(networkId, req))
    let tcp: UdpListener | undefined
    try {
      tcp = await this.deps.udp.listenTcp?.(ip, port, (req) => this.answer(networkId, req))
    } catch (err) {
      this.deps.logger.warn('embedded DNS cannot listen on TCP', { ip, error: err })
    }
    const listener: UdpListener = { close: async () => { await udp.close(); await tcp?.close() } }
    this.listeners.set(networkId, { ip, listener })
  }

  async stop(networkId: string): Promise<void> {
    const current = this.listeners.get(networkId)
    this.listeners.delete(networkId)
    await current?.listener.close()
  }

  async close(): Promise<void> {
    for (const id of [...this.listeners.keys()]) await this.stop(id)
  }

  /** The reply to one query datagram (exported for tests). */
  async answer(networkId: string, req: UdpRequest): Promise<Buffer | undefined> {
    let query: dnsPacket.DecodedPacket
    try {
      query = dnsPacket.decode(req.data)
    } catch {
      return undefined
    }
    const question = query.questions?.[0]
    if (!question || query.type !== 'query') return undefined
    const name = question.name.replace(/\.$/, '')
    const found = this.deps.lookup(networkId, req.address, name)
    if (found) {
      const answers = question.type === 'A'
        ? found.ipv4.map((ip) => ({ type: 'A' as const, name: question.name, class: 'IN' as const, ttl: TTL, data: ip }))
        : question.type === 'AAAA'
          ? (found.ipv6 ?? []).map((ip) => ({ type: 'AAAA' as const, name: question.name, class: 'IN' as const, ttl: TTL, data: ip }))
          : []
      return respond(query, answers, 0)
    }
    return (await this.forward(req.data, this.deps.upstreams(networkId, req.address))) ?? respond(query, [], SERVFAIL)
  }

  private async forward(data: Buffer, servers: readonly string[]): Promise<Buffer | undefined> {
    for (const server of servers) {
      const [address = '', port = '53'] = server.split('#')
      try {
        const reply = await this.deps.udp.query(address, Number(port), data, this.deps.upstreamTimeoutMs ?? 2000)
        if (reply) return reply
      } catch (err) {
        this.deps.logger.debug('DNS forward failed', { server, error: err })
      }
    }
    return undefined
  }
}

function respond(query: dnsPacket.DecodedPacket, answers: dnsPacket.Answer[], rcode: number): Buffer {
  const rd = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED
  return dnsPacket.encode({
    type: 'response',
    id: query.id,
    flags: rd | dnsPacket.RECURSION_AVAILABLE | rcode,
    questions: query.questions,
    answers,
  })
}

export { NXDOMAIN }

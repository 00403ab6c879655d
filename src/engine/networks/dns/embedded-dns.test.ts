import { test } from 'node:test'
import assert from 'node:assert/strict'
import dnsPacket from 'dns-packet'
import { silentLogger } from '../../../common/index.js'
import type { UdpTransport } from '../../../sys/net/index.js'
import { EmbeddedDns } from './embedded-dns.js'

const query = (name: string, type: 'A' | 'AAAA' = 'A'): Buffer =>
  dnsPacket.encode({ type: 'query', id: 7, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name, class: 'IN' }] })

function dns(upstreamReply?: (data: Buffer) => Buffer | undefined) {
  const forwarded: string[] = []
  const udp: UdpTransport = {
    listen: async () => ({ close: async () => undefined }),
    query: async (server, port, data) => {
      forwarded.push(`${server}:${port}`)
      return upstreamReply?.(data)
    },
  }
  const server = new EmbeddedDns({
    udp, logger: silentLogger, upstreams: (networkId, clientIp) => (networkId === 'n1' && clientIp === '10.1.0.3' ? ['10.0.0.53', '10.0.0.54#5353'] : []),
    lookup: (networkId, clientIp, name) => (networkId === 'n1' && clientIp === '10.1.0.3' && name === 'web' ? { ipv4: ['10.1.0.2'] } : undefined),
  })
  return { server, forwarded }
}

test('EmbeddedDns.answer() answers A records for names of the network', async () => {
  const { server, forwarded } = dns()
  const reply = dnsPacket.decode((await server.answer('n1', { data: query('web'), address: '10.1.0.3', port: 1000 }))!)
  assert.equal(reply.id, 7)
  assert.equal(reply.type, 'response')
  assert.deepEqual(reply.answers?.map((a) => [a.type, a.name, (a as { data: string }).data]), [['A', 'web', '10.1.0.2']])
  assert.deepEqual(forwarded, [])
  const aaaa = dnsPacket.decode((await server.answer('n1', { data: query('web', 'AAAA'), address: '10.1.0.3', port: 1000 }))!)
  assert.equal((aaaa as { rcode?: string }).rcode, 'NOERROR')
  assert.deepEqual(aaaa.answers, [])
})

test('EmbeddedDns.answer() forwards other names to the upstreams in order, SERVFAIL when none answers', async () => {
  const upstream = dnsPacket.encode({ type: 'response', id: 7, questions: [{ type: 'A', name: 'example.org' }], answers: [{ type: 'A', name: 'example.org', data: '192.0.2.10' }] })
  const ok = dns(() => upstream)
  assert.deepEqual(await ok.server.answer('n1', { data: query('example.org'), address: '10.1.0.3', port: 1000 }), upstream)
  assert.deepEqual(ok.forwarded, ['10.0.0.53:53'])
  const down = dns(() => undefined)
  const reply = dnsPacket.decode((await down.server.answer('n1', { data: query('example.org'), address: '10.1.0.3', port: 1000 }))!)
  assert.equal((reply as { rcode?: string }).rcode, 'SERVFAIL')
  assert.deepEqual(down.forwarded, ['10.0.0.53:53', '10.0.0.54:5353'])
  assert.equal(await down.server.answer('n1', { data: Buffer.from('junk'), address: '10.1.0.3', port: 1 }), undefined)
})

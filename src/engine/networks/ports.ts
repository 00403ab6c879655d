/** Pure: which host ports a container publishes (HostConfig.PortBindings, PublishAllPorts, ExposedPorts). */
import { compareStrings, invalid } from '../../common/index.js'

export interface PortRequest {
  proto: 'tcp' | 'udp'
  containerPort: number
  /** "" = every address. */
  hostIp: string
  /** 0 = any free port. */
  hostPortStart: number
  hostPortEnd: number
}

/** "80/tcp" | "53/udp" | "80" -> port and protocol (tcp when absent). */
export function parsePortKey(key: string): { port: number; proto: 'tcp' | 'udp' } {
  const [portText = '', protoText = 'tcp'] = key.split('/')
  const port = Number(portText)
  const proto = protoText.toLowerCase()
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid('INVALID_PORT', `invalid port specification: "${key}"`)
  if (proto !== 'tcp' && proto !== 'udp') throw invalid('INVALID_PROTO', `invalid proto: ${protoText}`)
  return { port, proto }
}

function hostRange(text: string | undefined): [number, number] {
  if (text === undefined || text === '') return [0, 0]
  const m = /^(\d+)(?:-(\d+))?$/.exec(text)
  const start = Number(m?.[1])
  const end = m?.[2] !== undefined ? Number(m[2]) : start
  if (!m || start > 65535 || end > 65535 || end < start) throw invalid('INVALID_PORT', `invalid hostPort: ${text}`)
  return [start, end]
}

export type PortBindingsWire = Record<string, Array<{ HostIp?: string; HostPort?: string }> | null> | null | undefined

/**
 * The ports to bind: every PortBindings entry, plus (with publishAll) each exposed port without a
 * binding on a random host port. Sorted by container port then protocol, as dockerd binds them.
 */
export function portRequests(bindings: PortBindingsWire, publishAll: boolean, exposed: readonly string[]): PortRequest[] {
  const out: PortRequest[] = []
  const bound = new Set<string>()
  for (const [key, list] of Object.entries(bindings ?? {})) {
    const { port, proto } = parsePortKey(key)
    bound.add(`${port}/${proto}`)
    for (const b of list ?? [{}]) {
      const [hostPortStart, hostPortEnd] = hostRange(b.HostPort)
      const hostIp = b.HostIp ?? ''
      if (hostIp.includes(':')) throw invalid('IPV6_UNSUPPORTED', `publishing on IPv6 address ${hostIp} is not supported by berth yet`)
      out.push({ proto, containerPort: port, hostIp, hostPortStart, hostPortEnd })
    }
  }
  if (publishAll) {
    for (const key of exposed) {
      const { port, proto } = parsePortKey(key)
      if (bound.has(`${port}/${proto}`)) continue
      out.push({ proto, containerPort: port, hostIp: '', hostPortStart: 0, hostPortEnd: 0 })
    }
  }
  return out.sort((a, b) => a.containerPort - b.containerPort || compareStrings(a.proto, b.proto))
}

/** Exposed ports in "80/tcp" form (image's ExposedPorts merged with the spec's). */
export function exposedPorts(...sources: Array<Record<string, unknown> | null | undefined>): string[] {
  const keys = new Set<string>()
  for (const s of sources) {
    for (const key of Object.keys(s ?? {})) {
      const { port, proto } = parsePortKey(key)
      keys.add(`${port}/${proto}`)
    }
  }
  return [...keys]
}

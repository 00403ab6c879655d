import { EngineError } from '../common/index.js'

export const DEFAULT_DAEMON_HOST = 'unix:///run/berth/berth.sock'
const DEFAULT_TCP_PORT = 2375

export type DaemonAddress =
  | { kind: 'unix'; socketPath: string }
  | { kind: 'tcp'; hostname: string; port: number }

/**
 * The daemon to talk to, in Docker's order: the -H/--host flag, then DOCKER_HOST, then berth's
 * default socket. Like docker, more than one -H is an error for a client.
 */
export function resolveDaemonHost(flagHosts: readonly string[] | undefined, env: NodeJS.ProcessEnv): string {
  if (flagHosts && flagHosts.length > 1) {
    throw new EngineError('InvalidArgument', 'TOO_MANY_HOSTS', 'Specify only one -H')
  }
  const host = flagHosts?.[0] ?? env.DOCKER_HOST
  return host && host.trim() !== '' ? host.trim() : DEFAULT_DAEMON_HOST
}

/** Parses unix:///path, tcp://host:port, http://host:port or host:port. */
export function parseDaemonHost(host: string): DaemonAddress {
  const invalid = (why: string): EngineError =>
    new EngineError('InvalidArgument', 'INVALID_HOST', `unable to parse docker host "${host}": ${why}`)
  const schemeEnd = host.indexOf('://')
  const scheme = schemeEnd === -1 ? 'tcp' : host.slice(0, schemeEnd).toLowerCase()
  const rest = schemeEnd === -1 ? host : host.slice(schemeEnd + 3)
  if (scheme === 'unix') {
    if (rest === '') throw invalid('missing socket path')
    return { kind: 'unix', socketPath: rest.startsWith('/') ? rest : `/${rest}` }
  }
  if (scheme !== 'tcp' && scheme !== 'http' && scheme !== 'https') throw invalid(`unsupported protocol "${scheme}"`)
  const authority = rest.replace(/\/.*$/, '')
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(authority)
  const plain = /^([^:]*)(?::(\d+))?$/.exec(authority)
  const match = bracketed ?? plain
  if (!match) throw invalid('invalid address')
  const hostname = match[1] === '' ? '127.0.0.1' : match[1]!
  const port = match[2] === undefined ? DEFAULT_TCP_PORT : Number(match[2])
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw invalid(`invalid port "${match[2]}"`)
  return { kind: 'tcp', hostname, port }
}

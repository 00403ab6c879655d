/**
 * Which daemon the CLI talks to and how, resolved like the Docker CLI: -H/--host, then --context,
 * then DOCKER_HOST, then DOCKER_CONTEXT, then the config's currentContext, then the default socket.
 * TLS like Docker's: --tlsverify or DOCKER_TLS_VERIFY verifies the server against the CA and presents
 * the client certificate; --tls alone encrypts without verifying the server. Certificates come from
 * the flags, else DOCKER_CERT_PATH, else ~/.docker ({ca,cert,key}.pem); a context carries its own.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { EngineError } from '../common/index.js'
import { DEFAULT_DAEMON_HOST, resolveDaemonHost } from './daemon-host.js'
import { dockerConfigDir, readContext, readCurrentContext } from './context-store.js'

export interface ClientTls {
  /** Verify the daemon's certificate (against `ca` when given, else the system CAs). */
  verify: boolean
  ca?: Buffer | Array<string | Buffer>
  cert?: Buffer
  key?: Buffer
}

export interface Endpoint {
  host: string
  tls?: ClientTls
  /** The context that chose it ("default" when none did). */
  context: string
}

export interface ClientGlobals {
  host?: string[]
  context?: string
  tls?: boolean
  tlsverify?: boolean
  tlscacert?: string
  tlscert?: string
  tlskey?: string
}

const readIf = (path: string): Buffer | undefined => (existsSync(path) ? readFileSync(path) : undefined)

function tlsFromFlags(g: ClientGlobals, env: NodeJS.ProcessEnv): ClientTls | undefined {
  const verify = g.tlsverify === true || (g.tlsverify === undefined && (env.DOCKER_TLS_VERIFY ?? '') !== '')
  if (!verify && g.tls !== true) return undefined
  const dir = env.DOCKER_CERT_PATH || dockerConfigDir(env)
  const file = (flag: string | undefined, name: string): string => flag ?? join(dir, name)
  const ca = file(g.tlscacert, 'ca.pem')
  if (verify && g.tlscacert !== undefined && !existsSync(ca)) {
    throw new EngineError('InvalidArgument', 'TLS_CA_MISSING', `could not read CA certificate "${ca}": no such file or directory`)
  }
  const certPath = file(g.tlscert, 'cert.pem')
  const keyPath = file(g.tlskey, 'key.pem')
  const cert = readIf(certPath)
  const key = readIf(keyPath)
  if ((cert === undefined) !== (key === undefined) && (g.tlscert !== undefined || g.tlskey !== undefined)) {
    throw new EngineError('InvalidArgument', 'TLS_PAIR', `could not load X509 key pair: cert ${certPath}, key ${keyPath}`)
  }
  return { verify, ca: readIf(ca) ?? extraCaCertificates(env), cert, key }
}

/**
 * Node's roots plus NODE_EXTRA_CA_CERTS, for a daemon verified against the system CAs. node adds that
 * file to its default roots itself, but only when the variable is set at start-up, and bin/berth hands
 * it over as BERTH_EXTRA_CA_CERTS instead (see scripts/bundle-cli.mjs). undefined = node's default roots.
 */
function extraCaCertificates(env: NodeJS.ProcessEnv): Array<string | Buffer> | undefined {
  const file = env.BERTH_EXTRA_CA_CERTS || env.NODE_EXTRA_CA_CERTS
  const extra = file ? readIf(file) : undefined
  if (!extra) return undefined
  return [...process.getBuiltinModule('node:tls').rootCertificates, extra]
}

export function resolveEndpoint(g: ClientGlobals, env: NodeJS.ProcessEnv): Endpoint {
  if (g.host && g.host.length > 0) {
    if (g.context) throw new EngineError('InvalidArgument', 'HOST_AND_CONTEXT', 'conflicting options: cannot specify both --host and --context')
    return { host: resolveDaemonHost(g.host, env), tls: tlsFromFlags(g, env), context: 'default' }
  }
  let name = g.context
  if (!name && env.DOCKER_HOST) return { host: resolveDaemonHost(undefined, env), tls: tlsFromFlags(g, env), context: 'default' }
  name ||= env.DOCKER_CONTEXT || readCurrentContext(env) || 'default'
  if (name === 'default') return { host: DEFAULT_DAEMON_HOST, tls: tlsFromFlags(g, env), context: 'default' }
  const ctx = readContext(name, env)
  if (!ctx) throw new EngineError('NotFound', 'NO_CONTEXT', `context "${name}" does not exist`)
  const ep = ctx.endpoint
  const tlsFiles = ctx.tls
  const tls: ClientTls | undefined = tlsFiles.ca || tlsFiles.cert || ep.host.startsWith('https://')
    ? { verify: !ep.skipTLSVerify, ...tlsFiles }
    : tlsFromFlags(g, env)
  return { host: ep.host, tls, context: name }
}

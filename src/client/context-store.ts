/**
 * Docker's context store, shared with the docker CLI: <config>/contexts/meta/<sha256(name)>/meta.json
 * ({"Name", "Metadata", "Endpoints": {"docker": {"Host", "SkipTLSVerify"}}}) and TLS material in
 * <config>/contexts/tls/<sha256(name)>/docker/{ca,cert,key}.pem; the current context is
 * "currentContext" in <config>/config.json. <config> is $DOCKER_CONFIG or ~/.docker.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { compareStrings, EngineError } from '../common/index.js'

export interface ContextEndpoint {
  host: string
  skipTLSVerify: boolean
}

export interface StoredContext {
  name: string
  description: string
  endpoint: ContextEndpoint
  tls: { ca?: Buffer; cert?: Buffer; key?: Buffer }
  /** The meta.json as stored (inspect shows it). */
  meta: Record<string, unknown>
}

export function dockerConfigDir(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_CONFIG || join(env.HOME || homedir(), '.docker')
}

// node:crypto is loaded only when a context is actually looked up (CLI start-up stays small).
const hash = (name: string): string => process.getBuiltinModule('node:crypto').createHash('sha256').update(name).digest('hex')
const metaDir = (env: NodeJS.ProcessEnv, name: string): string => join(dockerConfigDir(env), 'contexts', 'meta', hash(name))
const tlsDir = (env: NodeJS.ProcessEnv, name: string): string => join(dockerConfigDir(env), 'contexts', 'tls', hash(name), 'docker')

function readJson(path: string): Record<string, unknown> | undefined {
  if (!existsSync(path)) return undefined
  try {
    const v: unknown = JSON.parse(readFileSync(path, 'utf8'))
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined
  } catch (err) {
    throw new EngineError('InvalidArgument', 'BAD_CONFIG', `loading ${path}: ${(err as Error).message}`)
  }
}

export function readCurrentContext(env: NodeJS.ProcessEnv): string | undefined {
  const cfg = readJson(join(dockerConfigDir(env), 'config.json'))
  const c = cfg?.['currentContext']
  return typeof c === 'string' && c !== '' ? c : undefined
}

/** Sets (or, for "default", clears) currentContext, keeping every other key of config.json. */
export function writeCurrentContext(env: NodeJS.ProcessEnv, name: string): void {
  const dir = dockerConfigDir(env)
  const path = join(dir, 'config.json')
  const cfg = readJson(path) ?? {}
  if (name === 'default') delete cfg['currentContext']
  else cfg['currentContext'] = name
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  writeFileSync(path, JSON.stringify(cfg, null, '\t') + '\n', { mode: 0o600 })
}

export function validateContextName(name: string): void {
  if (name === '') throw new EngineError('InvalidArgument', 'CONTEXT_NAME', 'context name cannot be empty')
  if (name === 'default') throw new EngineError('InvalidArgument', 'CONTEXT_NAME', '"default" is a reserved context name')
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.+-]*$/.test(name)) {
    throw new EngineError('InvalidArgument', 'CONTEXT_NAME', `context name "${name}" is invalid, names are validated against regexp "^[a-zA-Z0-9][a-zA-Z0-9_.+-]+$"`)
  }
}

function fromMeta(meta: Record<string, unknown>, env: NodeJS.ProcessEnv): StoredContext {
  const name = String(meta['Name'] ?? '')
  const endpoints = (meta['Endpoints'] ?? {}) as Record<string, Record<string, unknown>>
  const docker = endpoints['docker'] ?? {}
  const description = ((meta['Metadata'] ?? {}) as Record<string, unknown>)['Description']
  const dir = tlsDir(env, name)
  const file = (f: string): Buffer | undefined => (existsSync(join(dir, f)) ? readFileSync(join(dir, f)) : undefined)
  return {
    name,
    description: typeof description === 'string' ? description : '',
    endpoint: { host: String(docker['Host'] ?? ''), skipTLSVerify: docker['SkipTLSVerify'] === true },
    tls: { ca: file('ca.pem'), cert: file('cert.pem'), key: file('key.pem') },
    meta,
  }
}

export function readContext(name: string, env: NodeJS.ProcessEnv): StoredContext | undefined {
  const meta = readJson(join(metaDir(env, name), 'meta.json'))
  return meta ? fromMeta(meta, env) : undefined
}

export function listContexts(env: NodeJS.ProcessEnv): StoredContext[] {
  const root = join(dockerConfigDir(env), 'contexts', 'meta')
  if (!existsSync(root)) return []
  const out: StoredContext[] = []
  for (const d of readdirSync(root)) {
    const meta = readJson(join(root, d, 'meta.json'))
    if (meta) out.push(fromMeta(meta, env))
  }
  return out.sort((a, b) => compareStrings(a.name, b.name))
}

export function createContext(env: NodeJS.ProcessEnv, ctx: { name: string; description: string; endpoint: ContextEndpoint; tls: StoredContext['tls'] }): void {
  validateContextName(ctx.name)
  if (readContext(ctx.name, env)) throw new EngineError('Conflict', 'CONTEXT_EXISTS', `context "${ctx.name}" already exists`)
  const meta = {
    Name: ctx.name,
    Metadata: { Description: ctx.description },
    Endpoints: { docker: { Host: ctx.endpoint.host, SkipTLSVerify: ctx.endpoint.skipTLSVerify } },
  }
  mkdirSync(metaDir(env, ctx.name), { recursive: true, mode: 0o755 })
  writeFileSync(join(metaDir(env, ctx.name), 'meta.json'), JSON.stringify(meta))
  const files = Object.entries(ctx.tls).filter(([, v]) => v !== undefined) as Array<[string, Buffer]>
  if (files.length > 0) {
    mkdirSync(tlsDir(env, ctx.name), { recursive: true, mode: 0o700 })
    for (const [k, v] of files) writeFileSync(join(tlsDir(env, ctx.name), `${k}.pem`), v, { mode: 0o600 })
  }
}

export function removeContext(env: NodeJS.ProcessEnv, name: string): void {
  if (name === 'default') throw new EngineError('InvalidArgument', 'CONTEXT_DEFAULT', 'default: context "default" cannot be removed')
  if (!readContext(name, env)) throw new EngineError('NotFound', 'NO_CONTEXT', `context "${name}" does not exist`)
  rmSync(metaDir(env, name), { recursive: true, force: true })
  rmSync(join(dockerConfigDir(env), 'contexts', 'tls', hash(name)), { recursive: true, force: true })
}

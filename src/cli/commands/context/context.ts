import { readFileSync } from 'node:fs'
import {
  createContext, DEFAULT_DAEMON_HOST, dockerConfigDir, listContexts, readContext, readCurrentContext, removeContext,
  writeCurrentContext, type StoredContext,
} from '../../../client/index.js'
import { EngineError } from '../../../common/index.js'
import type { CommandHandler } from '../../command-spec.js'
import type { CliContext } from '../../context.js'
import { renderRows, templateObject } from '../../../format/index.js'
import { indentJson } from '../../render/json-indent.js'

const DEFAULT_DESCRIPTION = 'Current DOCKER_HOST based configuration'

/** The context commands act on: --context, then DOCKER_CONTEXT, then config.json, else "default". */
export function currentContextName(ctx: CliContext): string {
  return ctx.contextFlag || ctx.io.env.DOCKER_CONTEXT || readCurrentContext(ctx.io.env) || 'default'
}

/** "host=tcp://x:2376,ca=/p,cert=/p,key=/p,skip-tls-verify=true" → its fields. */
export function parseDockerEndpoint(spec: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const part of spec.split(',').filter((p) => p !== '')) {
    const eq = part.indexOf('=')
    if (eq < 1) throw new EngineError('InvalidArgument', 'ENDPOINT', `invalid docker endpoint option "${part}": expected key=value`)
    const key = part.slice(0, eq)
    if (!['host', 'ca', 'cert', 'key', 'skip-tls-verify', 'from'].includes(key)) {
      throw new EngineError('InvalidArgument', 'ENDPOINT', `unrecognized config key: ${key}`)
    }
    out[key] = part.slice(eq + 1)
  }
  return out
}

const defaultHost = (ctx: CliContext): string => ctx.io.env.DOCKER_HOST || DEFAULT_DAEMON_HOST

export const contextCreate: CommandHandler = async (ctx, [name], options) => {
  const { description = '', docker = '', from } = options as { description?: string; docker?: string; from?: string }
  const fields = parseDockerEndpoint(docker)
  const source = from ?? fields['from']
  let base: { host: string; skipTLSVerify: boolean; tls: StoredContext['tls'] } = { host: defaultHost(ctx), skipTLSVerify: false, tls: {} }
  if (source && source !== 'default') {
    const s = readContext(source, ctx.io.env)
    if (!s) throw new EngineError('NotFound', 'NO_CONTEXT', `context "${source}" does not exist`)
    base = { host: s.endpoint.host, skipTLSVerify: s.endpoint.skipTLSVerify, tls: s.tls }
  }
  const file = (path: string | undefined): Buffer | undefined => (path ? readFileSync(path) : undefined)
  createContext(ctx.io.env, {
    name: name!,
    description,
    endpoint: { host: fields['host'] ?? base.host, skipTLSVerify: fields['skip-tls-verify'] === undefined ? base.skipTLSVerify : fields['skip-tls-verify'] === 'true' },
    tls: { ca: file(fields['ca']) ?? base.tls.ca, cert: file(fields['cert']) ?? base.tls.cert, key: file(fields['key']) ?? base.tls.key },
  })
  ctx.io.stdout.write(`${name}\n`)
  ctx.io.stderr.write(`Successfully created context "${name}"\n`)
}

interface Row {
  name: string
  description: string
  host: string
  current: boolean
}

function rows(ctx: CliContext): Row[] {
  const current = currentContextName(ctx)
  return [
    { name: 'default', description: DEFAULT_DESCRIPTION, host: defaultHost(ctx), current: current === 'default' },
    ...listContexts(ctx.io.env).map((c) => ({ name: c.name, description: c.description, host: c.endpoint.host, current: c.name === current })),
  ]
}

export const contextLs: CommandHandler = async (ctx, _args, options) => {
  const { format = '', quiet } = options as { format?: string; quiet?: boolean }
  const all = rows(ctx)
  if (quiet) {
    ctx.io.stdout.write(all.map((r) => `${r.name}\n`).join(''))
    return
  }
  ctx.io.stdout.write(renderRows({
    format: format === '' ? 'table' : format,
    defaultTable: 'table {{.Name}}{{if .Current}} *{{end}}\t{{.Description}}\t{{.DockerEndpoint}}\t{{.Error}}',
    headers: { Name: 'NAME', Description: 'DESCRIPTION', DockerEndpoint: 'DOCKER ENDPOINT', Error: 'ERROR', Current: '' },
    rows: all.map((r) => templateObject('contextRow', { Name: r.name, Description: r.description, DockerEndpoint: r.host, Current: r.current, Error: '' })),
  }))
}

export const contextUse: CommandHandler = async (ctx, [name]) => {
  if (name !== 'default' && !readContext(name!, ctx.io.env)) throw new EngineError('NotFound', 'NO_CONTEXT', `context "${name}" does not exist`)
  writeCurrentContext(ctx.io.env, name!)
  ctx.io.stdout.write(`${name}\n`)
  ctx.io.stderr.write(`Current context is now "${name}"\n`)
  if (name !== 'default' && ctx.io.env.DOCKER_HOST) {
    ctx.io.stderr.write('Warning: DOCKER_HOST environment variable overrides the active context. To use a context, either set the global --context flag, or unset DOCKER_HOST environment variable.\n')
  }
}

export const contextShow: CommandHandler = async (ctx) => {
  ctx.io.stdout.write(`${currentContextName(ctx)}\n`)
}

export const contextInspect: CommandHandler = async (ctx, args, options) => {
  const { format } = options as { format?: string }
  const names = args.length > 0 ? args : [currentContextName(ctx)]
  const out: unknown[] = []
  for (const name of names) {
    if (name === 'default') {
      out.push({
        Name: 'default', Metadata: {}, Endpoints: { docker: { Host: defaultHost(ctx), SkipTLSVerify: false } },
        TLSMaterial: {}, Storage: { MetadataPath: '<IN MEMORY>', TLSPath: '<IN MEMORY>' },
      })
      continue
    }
    const c = readContext(name, ctx.io.env)
    if (!c) throw new EngineError('NotFound', 'NO_CONTEXT', `context "${name}" does not exist`)
    const tlsFiles = Object.entries(c.tls).filter(([, v]) => v !== undefined).map(([k]) => `${k}.pem`)
    out.push({
      ...c.meta,
      TLSMaterial: tlsFiles.length > 0 ? { docker: tlsFiles } : {},
      Storage: { MetadataPath: `${dockerConfigDir(ctx.io.env)}/contexts/meta/...`, TLSPath: `${dockerConfigDir(ctx.io.env)}/contexts/tls/...` },
    })
  }
  if (format) {
    ctx.io.stdout.write(renderRows({ format, defaultTable: format, headers: {}, rows: out.map((o) => o as Record<string, unknown>) }))
    return
  }
  ctx.io.stdout.write(indentJson(JSON.stringify(out)) + '\n')
}

export const contextRm: CommandHandler = async (ctx, names, options) => {
  const { force } = options as { force?: boolean }
  const current = currentContextName(ctx)
  for (const name of names) {
    if (name === current && name !== 'default' && !force) {
      throw new EngineError('Conflict', 'CONTEXT_IN_USE', `context "${name}" is in use, set -f flag to force remove`)
    }
    removeContext(ctx.io.env, name)
    if (name === current && readCurrentContext(ctx.io.env) === name) writeCurrentContext(ctx.io.env, 'default')
    ctx.io.stdout.write(`${name}\n`)
  }
}

/**
 * Pure: Docker's legacy links on the default bridge (moby daemon/links): the /etc/hosts line of a
 * linked container and the environment variables its alias brings.
 */
import { compareStrings } from '../../common/index.js'
import { parsePortKey } from './ports.js'

/** "name:alias" | "name" -> name and alias (the name itself when no alias; leading "/" dropped). */
export function parseLink(link: string): { name: string; alias: string } {
  const [rawName = '', rawAlias] = link.split(':')
  const name = rawName.replace(/^\//, '')
  const alias = (rawAlias ?? name).replace(/^.*\//, '')
  return { name, alias }
}

/** The hosts entry names: alias, the child's hostname, and its name when different from the alias. */
export function linkHostNames(alias: string, childName: string, childHostname: string): string {
  const names = [alias, childHostname]
  if (alias !== childName) names.push(childName)
  return [...new Set(names)].join(' ')
}

/** ALIAS_PORT..., ALIAS_NAME, ALIAS_ENV_x as moby's links.Link.ToEnv, for `parentName` linking `alias`. */
export function linkEnv(opts: {
  alias: string
  parentName: string
  childIp: string
  /** "80/tcp", sorted by moby as port then protocol. */
  exposed: readonly string[]
  childEnv: readonly string[]
}): string[] {
  const prefix = opts.alias.toUpperCase().replace(/-/g, '_')
  const env: string[] = []
  const ports = opts.exposed.map(parsePortKey).sort((a, b) => a.port - b.port || compareStrings(a.proto, b.proto))
  const first = ports[0]
  if (first) env.push(`${prefix}_PORT=${first.proto}://${opts.childIp}:${first.port}`)
  for (const p of ports) {
    const base = `${prefix}_PORT_${p.port}_${p.proto.toUpperCase()}`
    env.push(
      `${base}=${p.proto}://${opts.childIp}:${p.port}`,
      `${base}_ADDR=${opts.childIp}`,
      `${base}_PORT=${p.port}`,
      `${base}_PROTO=${p.proto}`,
    )
  }
  env.push(`${prefix}_NAME=/${opts.parentName}/${opts.alias}`)
  for (const entry of opts.childEnv) {
    const i = entry.indexOf('=')
    if (i <= 0) continue
    const key = entry.slice(0, i)
    if (key === 'HOME' || key === 'PATH') continue
    env.push(`${prefix}_ENV_${key}=${entry.slice(i + 1)}`)
  }
  return env
}

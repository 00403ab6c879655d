import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { compareStrings } from '../../../common/compare.js'

/** `berth port CONTAINER [PRIVATE_PORT[/PROTO]]`: "80/tcp -> 0.0.0.0:8080" lines, as docker. */
export const portCommand: CommandHandler = async (ctx, args) => {
  const { value } = await ctx.client().containerInspect(args[0]!)
  const ports = (value.NetworkSettings?.Ports ?? {}) as Record<string, Array<{ HostIp: string; HostPort: string }> | null>
  const hostPort = (b: { HostIp: string; HostPort: string }): string => `${b.HostIp.includes(':') ? `[${b.HostIp}]` : b.HostIp}:${b.HostPort}`
  if (args[1]) {
    const [port = '', proto = 'tcp'] = args[1].split('/')
    const key = `${port}/${proto}`
    const bindings = ports[key]
    if (!bindings || bindings.length === 0) throw new CliError(`Error: No public port '${key}' published for ${args[0]}`, 1)
    ctx.io.stdout.write(bindings.map((b) => `${hostPort(b)}\n`).join(''))
    return
  }
  const keys = Object.keys(ports).sort((a, b) => Number(a.split('/')[0]) - Number(b.split('/')[0]) || compareStrings(a, b))
  let out = ''
  for (const key of keys) for (const b of ports[key] ?? []) out += `${key} -> ${hostPort(b)}\n`
  ctx.io.stdout.write(out)
}

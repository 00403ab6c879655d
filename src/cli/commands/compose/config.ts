import { writeFileSync } from 'node:fs'
import { serviceConfigHash, serviceImageName } from '../../../compose/engine/index.js'
import { COMPOSE_VERSION } from '../../../compose/labels.js'
import { renderConfig } from '../../../compose/model/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { loadComposeProject } from './project-options.js'

interface ConfigFlags {
  format?: string
  hash?: string
  images?: boolean
  networks?: boolean
  output?: string
  profiles?: boolean
  quiet?: boolean
  services?: boolean
  volumes?: boolean
}

/** `compose config`: the normalized project (or one of its lists), validated by loading it. */
export const configCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as ConfigFlags
  const format = flags.format ?? 'yaml'
  if (format !== 'yaml' && format !== 'json') throw new CliError(`unsupported format "${format}"`, 1)
  const project = await loadComposeProject(ctx, options)
  const selected = args.length ? args : Object.keys(project.services)
  for (const name of args) if (!project.services[name]) throw new CliError(`no such service: ${name}`, 1)
  if (flags.quiet) return 0
  const lines = (items: Iterable<string>): string => [...items].map((s) => `${s}\n`).join('')
  let text: string
  if (flags.services) text = lines(selected)
  else if (flags.volumes) text = lines(Object.keys(project.volumes))
  else if (flags.networks) text = lines(Object.keys(project.networks))
  else if (flags.profiles) text = lines([...new Set([...Object.values(project.services), ...Object.values(project.disabledServices)].flatMap((s) => s.profiles))].sort())
  else if (flags.images) text = lines(selected.map((n) => serviceImageName(project, project.services[n]!)))
  else if (flags.hash !== undefined) {
    const names = flags.hash === '*' ? Object.keys(project.services) : flags.hash.split(',')
    text = lines(names.map((n) => {
      const service = project.services[n]
      if (!service) throw new CliError(`no such service: ${n}`, 1)
      return `${n} ${serviceConfigHash(service)}`
    }))
  } else {
    const shown = args.length ? { ...project, services: Object.fromEntries(args.map((n) => [n, project.services[n]!])) } : project
    text = renderConfig(shown, { format })
  }
  if (flags.output) writeFileSync(flags.output, text)
  else ctx.io.stdout.write(text)
  return 0
}

/** `compose version`: the Docker Compose release whose behaviour berth's compose follows. */
export const versionCommand: CommandHandler = async (ctx, _args, options) => {
  const flags = options as { format?: string; short?: boolean }
  if (flags.short) ctx.io.stdout.write(`${COMPOSE_VERSION}\n`)
  else if (flags.format === 'json') ctx.io.stdout.write(`${JSON.stringify({ version: `v${COMPOSE_VERSION}` })}\n`)
  else ctx.io.stdout.write(`Docker Compose version v${COMPOSE_VERSION}\n`)
  return 0
}

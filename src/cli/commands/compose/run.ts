import { isAbsolute, resolve } from 'node:path'
import type { ServiceConfig, ServicePort, ServiceVolume } from '../../../compose/model/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { CliError, describeError } from '../../render/errors.js'
import { StartFailure, runAttached } from '../container/attach-session.js'
import { composeEngine } from './engine-setup.js'
import { loadComposeProject } from './project-options.js'

interface RunFlags {
  build?: boolean
  capAdd?: string[]
  capDrop?: string[]
  detach?: boolean
  entrypoint?: string
  env?: string[]
  interactive?: boolean
  label?: string[]
  name?: string
  /** commander's negated form of -T, --no-TTY. */
  TTY?: boolean
  /** false: --no-deps. */
  deps?: boolean
  publish?: string[]
  pull?: string
  quietPull?: boolean
  removeOrphans?: boolean
  rm?: boolean
  servicePorts?: boolean
  useAliases?: boolean
  user?: string
  volume?: string[]
  workdir?: string
}

/** Shell-like words: whitespace separates, single and double quotes group. */
export function shellWords(text: string): string[] {
  const words: string[] = []
  const re = /"((?:\\.|[^"\\])*)"|'([^']*)'|(\S+)/g
  let m: RegExpExecArray | null
  while ((m = re.exec(text)) !== null) words.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : (m[2] ?? m[3]!))
  return words
}

/** `-p [ip:][host:]container[/proto]` as a service port. */
export function parsePublish(spec: string): ServicePort {
  const [addr = '', proto = 'tcp'] = spec.split('/')
  const parts = addr.split(':')
  const target = Number(parts.pop())
  if (!Number.isInteger(target) || target <= 0) throw new CliError(`invalid port specification: "${spec}"`, 1)
  const published = parts.pop()
  const hostIp = parts.join(':')
  return { target, protocol: proto as ServicePort['protocol'], mode: 'ingress', ...(published ? { published } : {}), ...(hostIp ? { hostIp } : {}) }
}

/** `-v source:target[:ro]`: a bind for paths, a (project or plain) named volume otherwise. */
export function parseVolume(spec: string, workingDir: string): ServiceVolume {
  const parts = spec.split(':')
  if (parts.length === 1) return { type: 'volume', target: parts[0]!, readOnly: false }
  const [source = '', target = '', mode = ''] = parts
  const readOnly = mode.split(',').includes('ro')
  if (source.startsWith('/') || source.startsWith('.') || source.startsWith('~')) {
    const abs = isAbsolute(source) ? source : resolve(workingDir, source)
    return { type: 'bind', source: abs, target, readOnly, bind: { createHostPath: true } }
  }
  return { type: 'volume', source, target, readOnly }
}

/** `compose run SERVICE [COMMAND...]`: a one-off container of the service, attached unless -d. */
export const runCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as RunFlags
  const [serviceName = '', ...command] = args
  const project = await loadComposeProject(ctx, options)
  const base = project.services[serviceName]
  if (!base) throw new CliError(`no such service: ${serviceName}`, 1)
  const interactive = flags.interactive !== false && !flags.detach
  const tty = flags.TTY !== false && ctx.io.stdin.isTTY === true && ctx.io.stdout.isTTY === true && !flags.detach
  const environment = { ...base.environment }
  for (const e of flags.env ?? []) {
    const eq = e.indexOf('=')
    if (eq < 0) environment[e] = ctx.io.env[e] ?? null
    else environment[e.slice(0, eq)] = e.slice(eq + 1)
  }
  const labels = { ...base.labels }
  for (const l of flags.label ?? []) {
    const eq = l.indexOf('=')
    labels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1)
  }
  const service: ServiceConfig = {
    ...base,
    ...(command.length ? { command } : {}),
    ...(flags.entrypoint !== undefined ? { entrypoint: shellWords(flags.entrypoint) } : {}),
    ...(flags.user ? { user: flags.user } : {}),
    ...(flags.workdir ? { workingDir: flags.workdir } : {}),
    environment,
    labels,
    ports: [...(flags.servicePorts ? base.ports : []), ...(flags.publish ?? []).map(parsePublish)],
    volumes: [...base.volumes, ...(flags.volume ?? []).map((v) => parseVolume(v, project.workingDir))],
    capAdd: [...base.capAdd, ...(flags.capAdd ?? [])],
    capDrop: [...base.capDrop, ...(flags.capDrop ?? [])],
    tty,
    stdinOpen: interactive,
    scale: 1,
  }
  delete service.containerName
  if (flags.rm) {
    delete service.restart
    if (service.deploy) service.deploy = { ...service.deploy }
    if (service.deploy) delete service.deploy.restartPolicy
  }
  const { engine } = composeEngine(ctx, options)
  const { id } = await engine.createOneOff(project, service, {
    noDeps: flags.deps === false,
    ...(flags.name ? { name: flags.name } : {}),
    useAliases: flags.useAliases === true,
    ...(flags.build ? { build: 'always' as const } : {}),
    removeOrphans: flags.removeOrphans === true,
    autoRemove: flags.rm === true,
    attachStdin: interactive,
  })
  const client = ctx.client()
  if (flags.detach) {
    await client.containerStart(id)
    ctx.io.stdout.write(`${id}\n`)
    return 0
  }
  try {
    return await runAttached(ctx, {
      containerId: id, tty, stdin: interactive, stdout: true, stderr: true, autoRemove: flags.rm === true,
      sigProxy: true, start: () => client.containerStart(id),
    })
  } catch (err) {
    const cause = err instanceof StartFailure ? err.cause : err
    throw new CliError(describeError(cause), 1)
  }
}

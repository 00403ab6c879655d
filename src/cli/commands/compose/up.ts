import type { CreateOptions } from '../../../compose/engine/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { attachLogs } from './attach-logs.js'
import { composeEngine, parseScale, useColour } from './engine-setup.js'
import { loadComposeProject } from './project-options.js'

interface CreateFlags {
  build?: boolean
  noBuild?: boolean
  forceRecreate?: boolean
  noRecreate?: boolean
  pull?: string
  quietPull?: boolean
  removeOrphans?: boolean
  scale?: string[]
  timeout?: number
}

interface UpFlags extends CreateFlags {
  detach?: boolean
  abortOnContainerExit?: boolean
  abortOnContainerFailure?: boolean
  exitCodeFrom?: string
  attach?: string[]
  noAttach?: string[]
  noColor?: boolean
  noDeps?: boolean
  noLogPrefix?: boolean
  noStart?: boolean
  timestamps?: boolean
  wait?: boolean
  waitTimeout?: number
}

/** The create options common to up and create, with docker compose's flag conflicts. */
export function createOptions(flags: CreateFlags, services: string[]): CreateOptions {
  if (flags.build && flags.noBuild) throw new CliError('--build and --no-build are incompatible', 1)
  if (flags.forceRecreate && flags.noRecreate) throw new CliError('--force-recreate and --no-recreate are incompatible', 1)
  const pull = flags.pull ?? 'policy'
  if (!['always', 'missing', 'never', 'policy', 'build'].includes(pull)) throw new CliError(`invalid --pull option "${pull}"`, 1)
  let scale: Record<string, number>
  try {
    scale = parseScale(flags.scale)
  } catch (err) {
    throw new CliError((err as Error).message, 1)
  }
  return {
    services,
    recreate: flags.forceRecreate ? 'force' : flags.noRecreate ? 'never' : 'diverged',
    scale,
    build: flags.build || pull === 'build' ? 'always' : flags.noBuild ? 'never' : 'auto',
    pull: pull === 'build' ? 'policy' : (pull as CreateOptions['pull']),
    removeOrphans: flags.removeOrphans === true,
    ...(flags.timeout !== undefined ? { timeoutSeconds: flags.timeout } : {}),
  }
}

/** `compose up`: reconcile, start; then follow the logs until the containers exit or Ctrl-C (unless -d/--wait). */
export const upCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as UpFlags
  const detach = flags.detach === true || flags.wait === true
  if (detach && (flags.abortOnContainerExit || flags.abortOnContainerFailure || flags.exitCodeFrom)) {
    throw new CliError('--abort-on-container-exit and --detach are incompatible', 1)
  }
  const project = await loadComposeProject(ctx, options)
  const engine = composeEngine(ctx, options)
  const create = createOptions(flags, args)
  if (flags.exitCodeFrom && !project.services[flags.exitCodeFrom]) throw new CliError(`no such service: ${flags.exitCodeFrom}`, 1)
  if (flags.noStart) {
    await engine.create(project, { ...create, noDeps: flags.noDeps === true })
    return 0
  }
  const result = await engine.up(project, {
    ...create,
    noDeps: flags.noDeps === true,
    wait: flags.wait === true,
    ...(flags.waitTimeout !== undefined ? { waitTimeoutSeconds: flags.waitTimeout } : {}),
  })
  if (detach) return 0
  const attachTo = new Set(flags.attach?.length ? flags.attach : args.length ? args : result.services)
  for (const s of flags.noAttach ?? []) attachTo.delete(s)
  return attachLogs(ctx, {
    projectName: project.name,
    containers: result.containers.filter((c) => attachTo.has(c.service)),
    stopOnExit: result.containers,
    fromStart: result.started,
    colour: flags.noColor !== true && useColour(ctx, options, ctx.io.stdout),
    prefix: flags.noLogPrefix !== true,
    timestamps: flags.timestamps === true,
    abortOnExit: flags.abortOnContainerExit === true || flags.exitCodeFrom !== undefined,
    abortOnFailure: flags.abortOnContainerFailure === true,
    ...(flags.exitCodeFrom ? { exitCodeFrom: flags.exitCodeFrom } : {}),
    ...(flags.timeout !== undefined ? { timeoutSeconds: flags.timeout } : {}),
    engine,
  })
}

/** `compose create`. */
export const createCommand: CommandHandler = async (ctx, args, options) => {
  const project = await loadComposeProject(ctx, options)
  await composeEngine(ctx, options).create(project, createOptions(options as CreateFlags, args))
  return 0
}

/** `compose scale web=3 db=1`: converge and start those services at the given scale. */
export const scaleCommand: CommandHandler = async (ctx, args, options) => {
  const scale: Record<string, number> = {}
  for (const arg of args) {
    const m = /^([^=]+)=(\d+)$/.exec(arg)
    if (!m) throw new CliError(`invalid scale specifier: ${arg}`, 1)
    scale[m[1]!] = Number(m[2])
  }
  const project = await loadComposeProject(ctx, options)
  await composeEngine(ctx, options).up(project, {
    services: Object.keys(scale), scale, noDeps: (options as { noDeps?: boolean }).noDeps === true, recreate: 'never',
  })
  return 0
}

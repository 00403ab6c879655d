import type { CreateOptions } from '../../../compose/engine/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { attachLogs } from './attach-logs.js'
import { composeEngine, parseScale, useColour } from './engine-setup.js'
import { loadComposeProject } from './project-options.js'

interface CreateFlags {
  /** true: --build; false: --no-build. */
  build?: boolean
  forceRecreate?: boolean
  /** false: --no-recreate. */
  recreate?: boolean
  pull?: string
  quietPull?: boolean
  removeOrphans?: boolean
  scale?: string[]
  timeout?: number
  renewAnonVolumes?: boolean
}

interface UpFlags extends CreateFlags {
  detach?: boolean
  abortOnContainerExit?: boolean
  abortOnContainerFailure?: boolean
  exitCodeFrom?: string
  attach?: string[]
  /** false: --no-color, --no-deps, --no-log-prefix, --no-start. */
  color?: boolean
  deps?: boolean
  logPrefix?: boolean
  start?: boolean
  timestamps?: boolean
  wait?: boolean
  waitTimeout?: number
}

/** The create options common to up and create, with docker compose's flag conflicts. */
export function createOptions(flags: CreateFlags, services: string[]): CreateOptions {
  if (flags.forceRecreate && flags.recreate === false) throw new CliError('--force-recreate and --no-recreate are incompatible', 1)
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
    recreate: flags.forceRecreate ? 'force' : flags.recreate === false ? 'never' : 'diverged',
    scale,
    build: flags.build === true || pull === 'build' ? 'always' : flags.build === false ? 'never' : 'auto',
    pull: pull === 'build' ? 'policy' : (pull as CreateOptions['pull']),
    removeOrphans: flags.removeOrphans === true,
    renewAnonVolumes: flags.renewAnonVolumes === true,
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
  const { engine, view } = composeEngine(ctx, options)
  const create = createOptions(flags, args)
  if (flags.exitCodeFrom && !project.services[flags.exitCodeFrom]) throw new CliError(`no such service: ${flags.exitCodeFrom}`, 1)
  if (flags.start === false) {
    await engine.create(project, { ...create, noDeps: flags.deps === false })
    return 0
  }
  const result = await engine.up(project, {
    ...create,
    noDeps: flags.deps === false,
    wait: flags.wait === true,
    ...(flags.waitTimeout !== undefined ? { waitTimeoutSeconds: flags.waitTimeout } : {}),
  })
  if (detach) return 0
  view.detach()
  const attachTo = new Set(flags.attach?.length ? flags.attach : args.length ? args : result.services)
  return attachLogs(ctx, {
    projectName: project.name,
    containers: result.containers.filter((c) => attachTo.has(c.service)),
    stopOnExit: result.containers,
    fromStart: result.started,
    colour: flags.color !== false && useColour(ctx, options, ctx.io.stdout),
    prefix: flags.logPrefix !== false,
    timestamps: flags.timestamps === true,
    abortOnExit: flags.abortOnContainerExit === true || flags.exitCodeFrom !== undefined,
    abortOnFailure: flags.abortOnContainerFailure === true,
    ...(flags.exitCodeFrom ? { exitCodeFrom: flags.exitCodeFrom } : {}),
    ...(flags.timeout !== undefined ? { timeoutSeconds: flags.timeout } : {}),
    engine,
    detachProgress: () => view.detach(),
  })
}

/** `compose create`. */
export const createCommand: CommandHandler = async (ctx, args, options) => {
  const project = await loadComposeProject(ctx, options)
  await composeEngine(ctx, options).engine.create(project, createOptions(options as CreateFlags, args))
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
  await composeEngine(ctx, options).engine.up(project, {
    services: Object.keys(scale), scale, noDeps: (options as { deps?: boolean }).deps === false, recreate: 'never',
  })
  return 0
}

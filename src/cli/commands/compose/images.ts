import { withDependencies } from '../../../compose/engine/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { buildArgMap } from '../build/build.js'
import { composeEngine } from './engine-setup.js'
import { loadComposeProject } from './project-options.js'

interface BuildFlags {
  buildArg?: string[]
  /** false: --no-cache. */
  cache?: boolean
  pull?: boolean
  push?: boolean
  quiet?: boolean
  withDependencies?: boolean
}

/** `compose build [SERVICE...]`: builds every service with a build section (always, using the layer cache). */
export const buildCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as BuildFlags
  const project = await loadComposeProject(ctx, options)
  const { engine } = composeEngine(ctx, options, { quietBuild: flags.quiet === true, ...(flags.quiet ? { progress: 'quiet' as const } : {}) })
  const names = flags.withDependencies && args.length ? withDependencies(project, args) : args
  await engine.build(project, names, {
    noCache: flags.cache === false,
    pull: flags.pull === true,
    args: buildArgMap(flags.buildArg ?? [], ctx.io.env),
  })
  if (flags.push) await engine.push(project, names)
  return 0
}

/** `compose pull [SERVICE...]`. */
export const pullCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { ignoreBuildable?: boolean; ignoreFailures?: boolean; ignorePullFailures?: boolean; includeDeps?: boolean; quiet?: boolean }
  const project = await loadComposeProject(ctx, options)
  const { engine } = composeEngine(ctx, options, flags.quiet ? { progress: 'quiet' } : {})
  const names = flags.includeDeps && args.length ? withDependencies(project, args) : args
  await engine.pull(project, names, { ignoreFailures: flags.ignorePullFailures === true, ignoreBuildable: flags.ignoreBuildable === true })
  return 0
}

/** `compose push [SERVICE...]`. */
export const pushCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { ignorePushFailures?: boolean; includeDeps?: boolean; quiet?: boolean }
  const project = await loadComposeProject(ctx, options)
  const { engine } = composeEngine(ctx, options, flags.quiet ? { progress: 'quiet' } : {})
  const names = flags.includeDeps && args.length ? withDependencies(project, args) : args
  await engine.push(project, names, { ignoreFailures: flags.ignorePushFailures === true })
  return 0
}

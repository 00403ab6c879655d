import { normalizeProjectName } from '../../../compose/labels.js'
import { projectDown } from '../../../compose/engine/index.js'
import type { ComposeProject } from '../../../compose/model/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { ProgressView, type ProgressMode } from './progress-view.js'
import { useColour } from './engine-setup.js'
import { loadComposeProject, type ComposeGlobalOptions } from './project-options.js'

interface DownFlags {
  removeOrphans?: boolean
  rmi?: string
  timeout?: number
  volumes?: boolean
}

/**
 * `compose down`: from the project files when there are some; with -p and no files, from the
 * project label alone (as docker compose does).
 */
export const downCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as DownFlags
  const g = options as ComposeGlobalOptions
  if (flags.rmi !== undefined && flags.rmi !== 'local' && flags.rmi !== 'all') {
    throw new CliError(`invalid value for --rmi: ${flags.rmi}`, 1)
  }
  let project: ComposeProject | undefined
  let name: string
  try {
    project = await loadComposeProject(ctx, options)
    name = project.name
  } catch (err) {
    if (!g.projectName || (err as { location?: { path?: string } }).location?.path) throw err
    name = normalizeProjectName(g.projectName)
  }
  const view = new ProgressView(ctx.io.stderr, (g.progress ?? 'auto') as ProgressMode, useColour(ctx, options, ctx.io.stderr))
  await projectDown(ctx.client(), view.event, { name, ...(project ? { project } : {}) }, {
    volumes: flags.volumes === true,
    removeOrphans: flags.removeOrphans === true,
    ...(flags.rmi ? { rmi: flags.rmi as 'local' | 'all' } : {}),
    ...(flags.timeout !== undefined ? { timeoutSeconds: flags.timeout } : {}),
    ...(args.length ? { services: args } : {}),
  })
  return 0
}

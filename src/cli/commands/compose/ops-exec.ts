import { Writable } from 'node:stream'
import type { ContainerSummary } from '../../../client/index.js'
import { EngineError } from '../../../common/index.js'
import { canonicalName, listProjectContainers, specifiedContainer } from '../../../compose/ops/index.js'
import type { CommandHandler } from '../../command-spec.js'
import type { CliContext } from '../../context.js'
import { CliError } from '../../render/errors.js'
import { cpCommand, splitCpArg } from '../container/cp.js'
import { execCommand } from '../container/exec.js'
import { progressSink, projectName } from './ops-project.js'

interface ExecFlags {
  detach?: boolean
  env?: string[]
  index?: number
  privileged?: boolean
  user?: string
  /** false with -T/--no-tty. */
  tty?: boolean
  workdir?: string
}

/**
 * `compose exec SERVICE COMMAND...`: runs in the service's container (--index, default the lowest
 * number) with stdin attached, a TTY by default when stdin and stdout are terminals (-T disables
 * it); the exit status is the command's.
 */
export const composeExecCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as ExecFlags
  const [service = '', ...command] = args
  const name = await projectName(ctx, options)
  const container = await specifiedContainer(ctx.client(), name, service, { index: flags.index ?? 0, oneOff: 'include' })
  const tty = flags.tty !== false && ctx.io.stdin.isTTY === true && ctx.io.stdout.isTTY === true
  return execCommand(ctx, [container.Id, ...command], {
    detach: flags.detach, env: flags.env, user: flags.user, workdir: flags.workdir, privileged: flags.privileged,
    tty, interactive: true,
  })
}

/** Compose's listContainersTargetedForCopy: one container with --index, else all (the first when copying out). */
async function copyTargets(ctx: CliContext, project: string, service: string, flags: { index?: number; all?: boolean }, fromService: boolean): Promise<ContainerSummary[]> {
  if ((flags.index ?? 0) > 0) return [await specifiedContainer(ctx.client(), project, service, { index: flags.index, all: true })]
  const list = await listProjectContainers(ctx.client(), project, { all: true, services: [service], oneOff: flags.all ? 'include' : 'exclude' })
  if (list.length === 0) throw new EngineError('NotFound', 'COMPOSE_NO_CONTAINER', `no container found for service "${service}"`)
  return fromService ? list.slice(0, 1) : list
}

/** A context whose stderr goes nowhere (docker cp's "Successfully copied" is not Compose's output). */
function quietStderr(ctx: CliContext): CliContext {
  const sink = new Writable({ write: (_chunk, _enc, cb) => cb() })
  return { ...ctx, io: { ...ctx.io, stderr: sink } }
}

/** `compose cp SERVICE:SRC DEST` / `compose cp SRC SERVICE:DEST` through the containers' archive API. */
export const composeCpCommand: CommandHandler = async (ctx, [srcArg = '', dstArg = ''], options) => {
  const flags = options as { index?: number; all?: boolean; archive?: boolean; followLink?: boolean }
  const src = splitCpArg(srcArg)
  const dst = splitCpArg(dstArg)
  if (src.container && dst.container) throw new CliError('copying between services is not supported', 1)
  if (!src.container && !dst.container) throw new CliError('unknown copy direction', 1)
  const service = (src.container ?? dst.container)!
  const project = await projectName(ctx, options)
  const fromService = src.container !== undefined
  const targets = await copyTargets(ctx, project, service, flags, fromService)
  const progress = progressSink(ctx, options)
  const quiet = quietStderr(ctx)
  for (const c of targets) {
    const name = canonicalName(c)
    const detail = fromService ? `copy ${name}:${src.path} to ${dst.path}` : `copy ${src.path} to ${name}:${dst.path}`
    progress({ id: name, status: 'working', text: 'Copying', detail })
    const argv = fromService ? [`${c.Id}:${src.path}`, dstArg] : [srcArg, `${c.Id}:${dst.path}`]
    await cpCommand(quiet, argv, { archive: flags.archive, followLink: flags.followLink })
    progress({ id: name, status: 'done', text: 'Copied', detail })
  }
}

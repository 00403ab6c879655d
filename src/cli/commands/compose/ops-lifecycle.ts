import { EngineError } from '../../../common/index.js'
import { projectDown } from '../../../compose/engine/index.js'
import {
  canonicalName, killServices, listProjectContainers, pauseServices, removableContainers, removeContainers,
  restartServices, startServices, stopServices,
} from '../../../compose/ops/index.js'
import type { CommandHandler } from '../../command-spec.js'
import { confirmPrompt, opsTarget, progressView } from './ops-project.js'

/** `compose start [SERVICE...]`: dependencies first, waiting for their depends_on conditions. */
export const composeStartCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { wait?: boolean; waitTimeout?: number }
  const target = await opsTarget(ctx, options)
  await startServices(target, { services: args, waitTimeoutMs: flags.waitTimeout ? flags.waitTimeout * 1000 : undefined })
}

/** `compose stop [SERVICE...]`: dependents first. */
export const composeStopCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { timeout?: number }
  await stopServices(await opsTarget(ctx, options), { services: args, timeoutSeconds: flags.timeout })
}

/** `compose restart [SERVICE...]`. */
export const composeRestartCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { timeout?: number; deps?: boolean }
  await restartServices(await opsTarget(ctx, options), { services: args, timeoutSeconds: flags.timeout, noDeps: flags.deps === false })
}

/** `compose kill [SERVICE...]`: SIGKILL unless -s. */
export const composeKillCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { signal?: string; removeOrphans?: boolean }
  const count = await killServices(await opsTarget(ctx, options), { services: args, signal: flags.signal || 'SIGKILL', removeOrphans: flags.removeOrphans })
  // Compose's own wording, without a newline.
  if (count === 0) ctx.io.stderr.write('no container to kill')
}

export const composePauseCommand: CommandHandler = async (ctx, args, options) => {
  await pauseServices(await opsTarget(ctx, options), { services: args })
}

export const composeUnpauseCommand: CommandHandler = async (ctx, args, options) => {
  await pauseServices(await opsTarget(ctx, options), { services: args, unpause: true })
}

/**
 * `compose rm [SERVICE...]`: the stopped service containers (after stopping them with -s), listed
 * as "Going to remove a, b" and confirmed unless -f.
 */
export const composeRmCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { force?: boolean; stop?: boolean; volumes?: boolean }
  const target = await opsTarget(ctx, options)
  if (flags.stop) await stopServices(target, { services: args })
  const containers = await removableContainers(target, args)
  if (containers.length === 0) {
    ctx.io.stderr.write('No stopped containers\n')
    return
  }
  const message = `Going to remove ${containers.map(canonicalName).join(', ')}`
  if (flags.force) ctx.io.stdout.write(`${message}\n`)
  else if (!(await confirmPrompt(ctx, message))) return
  await removeContainers(target, containers, { volumes: flags.volumes, force: flags.force })
}

/**
 * `compose wait SERVICE...`: blocks until every running container of the services has stopped,
 * printing `container "<id>" exited with status code N` for each; the status is the last one's.
 * --down-project then removes the project's containers and networks.
 */
export const composeWaitCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { downProject?: boolean }
  const target = await opsTarget(ctx, options)
  const containers = await listProjectContainers(target.client, target.projectName, { oneOff: 'include', services: args })
  if (containers.length === 0) throw new EngineError('NotFound', 'COMPOSE_NO_CONTAINER', `no containers for project "${target.projectName}"`)
  let status = 0
  await Promise.all(containers.map(async (c) => {
    const handle = await target.client.containerWait(c.Id, 'not-running')
    const result = await handle.result
    ctx.io.stdout.write(`container "${c.Id}" exited with status code ${result.StatusCode}\n`)
    status = result.StatusCode
  }))
  if (flags.downProject) {
    await projectDown(target.client, progressView(ctx, options).event, { name: target.projectName, project: target.project }, { removeOrphans: true })
  }
  return status
}

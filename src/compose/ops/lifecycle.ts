import type { ContainerSummary, EngineClient } from '../../client/index.js'
import { EngineError, isEngineError } from '../../common/index.js'
import type { ComposeProject, DependencyCondition } from '../model/index.js'
import { LABEL_DEPENDS_ON } from '../labels.js'
import { graphFromContainers, graphFromProject, visitInOrder, type ServiceGraph } from './dependency-order.js'
import { canonicalName, isOneOff, listProjectContainers, progressName, serviceOf } from './project-containers.js'
import { done, failed, noProgress, working, type ProgressSink } from './progress.js'

/**
 * What every project operation acts on: the daemon, the project's name and, when compose files
 * were found, the loaded project (its services and depends_on); without it the services and their
 * dependencies come from the containers' labels, as Compose does for `-p name` alone.
 */
export interface OpsTarget {
  client: EngineClient
  projectName: string
  project?: ComposeProject
  progress?: ProgressSink
}

/** The dependency graph: the project's when loaded, else rebuilt from container labels. */
export function serviceGraph(target: OpsTarget, containers: ContainerSummary[]): ServiceGraph {
  return target.project ? graphFromProject(target.project) : graphFromContainers(containers)
}

/** Throws Compose's "no such service: x" for a service the graph does not know. */
export function checkServices(graph: ServiceGraph, services: string[]): void {
  for (const s of services) if (!graph.has(s)) throw new EngineError('NotFound', 'COMPOSE_NO_SUCH_SERVICE', `no such service: ${s}`)
}

/** The services and, recursively, what they depend on (Compose's WithSelectedServices). */
export function withDependencies(graph: ServiceGraph, services: string[]): Set<string> {
  const out = new Set<string>()
  const add = (s: string): void => {
    if (out.has(s)) return
    out.add(s)
    for (const d of graph.get(s) ?? []) add(d)
  }
  for (const s of services) add(s)
  return out
}

async function ignoreNotModified(p: Promise<void>): Promise<void> {
  try {
    await p
  } catch (err) {
    if (!isEngineError(err, 'NotModified')) throw err
  }
}

/** Runs `fn` for every container at once; the first error is thrown once all have finished. */
async function forAll(containers: ContainerSummary[], fn: (c: ContainerSummary) => Promise<void>): Promise<void> {
  const results = await Promise.allSettled(containers.map(fn))
  const error = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (error) throw error.reason
}

export interface StopOptions {
  services?: string[]
  /** Seconds before SIGKILL; the container's own stop timeout when absent. */
  timeoutSeconds?: number
}

/** `compose stop`: every (or the given) service's containers, dependents before their dependencies. */
export async function stopServices(target: OpsTarget, options: StopOptions = {}): Promise<void> {
  const progress = target.progress ?? noProgress
  const containers = await listProjectContainers(target.client, target.projectName, { all: true })
  const graph = serviceGraph(target, containers)
  const selected = new Set(options.services?.length ? options.services : graph.keys())
  await visitInOrder(graph, async (service) => {
    if (!selected.has(service)) return
    await forAll(containers.filter((c) => serviceOf(c) === service && !isOneOff(c)), async (c) => {
      progress(working(progressName(c), 'Stopping'))
      await ignoreNotModified(target.client.containerStop(c.Id, { timeoutSeconds: options.timeoutSeconds }))
      progress(done(progressName(c), 'Stopped'))
    })
  }, true)
}

export interface StartOptions {
  services?: string[]
  /** Give up waiting for a dependency's condition after this many ms (forever when absent). */
  waitTimeoutMs?: number
  /** Poll interval while waiting for a dependency's condition (default 500 ms). */
  pollMs?: number
}

/**
 * `compose start`: the services and their dependencies in dependency order; before a service
 * starts, each dependency's depends_on condition (healthy, completed successfully) is awaited.
 * Running containers are left alone.
 */
export async function startServices(target: OpsTarget, options: StartOptions = {}): Promise<void> {
  const progress = target.progress ?? noProgress
  const containers = await listProjectContainers(target.client, target.projectName, { all: true })
  const graph = serviceGraph(target, containers)
  const requested = options.services ?? []
  checkServices(graph, requested)
  const selected = requested.length > 0 ? withDependencies(graph, requested) : new Set(graph.keys())
  await visitInOrder(graph, async (service) => {
    if (!selected.has(service)) return
    const config = target.project?.services[service]
    if (config && config.scale === 0) return
    await waitDependencies(target, service, containers, options)
    const own = containers.filter((c) => serviceOf(c) === service)
    if (own.length === 0) throw new EngineError('NotFound', 'COMPOSE_NO_CONTAINER', `service "${service}" has no container to start`)
    for (const c of own) {
      if (c.State === 'running') continue
      progress(working(progressName(c), 'Starting'))
      await ignoreNotModified(target.client.containerStart(c.Id))
      progress(done(progressName(c), 'Started'))
    }
  })
}

/** Each depends_on entry of a service with its condition, from the project or the label. */
export function dependencyConditions(target: OpsTarget, service: string, containers: ContainerSummary[]): Map<string, DependencyCondition> {
  const out = new Map<string, DependencyCondition>()
  const config = target.project?.services[service]
  if (config) {
    for (const [dep, d] of Object.entries(config.dependsOn ?? {})) out.set(dep, d.condition)
    return out
  }
  const label = containers.find((c) => serviceOf(c) === service && c.Labels[LABEL_DEPENDS_ON])?.Labels[LABEL_DEPENDS_ON] ?? ''
  for (const entry of label.split(',')) {
    const [dep = '', condition = 'service_started'] = entry.split(':')
    if (dep.trim()) out.set(dep.trim(), condition as DependencyCondition)
  }
  return out
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

async function waitDependencies(target: OpsTarget, service: string, containers: ContainerSummary[], options: StartOptions): Promise<void> {
  const progress = target.progress ?? noProgress
  const deadline = options.waitTimeoutMs === undefined ? Infinity : Date.now() + options.waitTimeoutMs
  const waits: Promise<void>[] = []
  for (const [dep, condition] of dependencyConditions(target, service, containers)) {
    if (condition === 'service_started') continue
    for (const c of containers.filter((x) => serviceOf(x) === dep && !isOneOff(x))) {
      waits.push((async () => {
        progress(working(progressName(c), 'Waiting'))
        for (;;) {
          const { value } = await target.client.containerInspect(c.Id)
          const state = value.State as typeof value.State & { Health?: { Status?: string } }
          if (condition === 'service_healthy') {
            if (!state.Health) throw new EngineError('InvalidArgument', 'COMPOSE_NO_HEALTHCHECK', `container ${canonicalName(c)} has no healthcheck configured`)
            if (state.Health.Status === 'healthy') return progress(done(progressName(c), 'Healthy'))
            if (state.Health.Status === 'unhealthy') {
              progress(failed(progressName(c), 'Error'))
              throw new EngineError('Conflict', 'COMPOSE_DEPENDENCY_UNHEALTHY', `dependency failed to start: container ${canonicalName(c)} is unhealthy`)
            }
          } else if (condition === 'service_completed_successfully' && !state.Running && state.Status === 'exited') {
            if (state.ExitCode === 0) return progress(done(progressName(c), 'Exited'))
            throw new EngineError('Conflict', 'COMPOSE_DEPENDENCY_FAILED', `service "${dep}" didn't complete successfully: exit ${state.ExitCode}`)
          }
          if (Date.now() >= deadline) throw new EngineError('Unavailable', 'COMPOSE_WAIT_TIMEOUT', `timeout waiting for dependency "${dep}"`)
          await sleep(options.pollMs ?? 500)
        }
      })())
    }
  }
  const results = await Promise.allSettled(waits)
  const error = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (error) throw error.reason
}

export interface RestartOptions {
  services?: string[]
  timeoutSeconds?: number
  /** Restart only the given services, not what they depend on. */
  noDeps?: boolean
}

/** `compose restart`: stopped containers are started too; dependencies first. */
export async function restartServices(target: OpsTarget, options: RestartOptions = {}): Promise<void> {
  const progress = target.progress ?? noProgress
  const containers = await listProjectContainers(target.client, target.projectName, { all: true })
  const graph = serviceGraph(target, containers)
  const requested = options.services ?? []
  checkServices(graph, requested)
  const selected = requested.length === 0 ? new Set(graph.keys()) : options.noDeps ? new Set(requested) : withDependencies(graph, requested)
  await visitInOrder(graph, async (service) => {
    if (!selected.has(service)) return
    await forAll(containers.filter((c) => serviceOf(c) === service), async (c) => {
      progress(working(progressName(c), 'Restarting'))
      await target.client.containerRestart(c.Id, { timeoutSeconds: options.timeoutSeconds })
      progress(done(progressName(c), 'Started'))
    })
  })
}

export interface KillOptions {
  services?: string[]
  signal?: string
  /** Also kill containers of services the project no longer declares. */
  removeOrphans?: boolean
}

/**
 * `compose kill`: the running containers of the services (one-off ones included), dependents
 * before their dependencies. Returns how many containers were signalled (Compose prints
 * "no container to kill" for none).
 */
export async function killServices(target: OpsTarget, options: KillOptions = {}): Promise<number> {
  const progress = target.progress ?? noProgress
  let containers = await listProjectContainers(target.client, target.projectName, { oneOff: 'include', services: options.services })
  const graph = serviceGraph(target, containers)
  if (target.project && !options.removeOrphans) containers = containers.filter((c) => graph.has(serviceOf(c)))
  if (containers.length === 0) return 0
  for (const c of containers) if (!graph.has(serviceOf(c))) graph.set(serviceOf(c), new Set())
  await visitInOrder(graph, async (service) => {
    await forAll(containers.filter((c) => serviceOf(c) === service), async (c) => {
      progress(working(progressName(c), 'Killing'))
      try {
        await target.client.containerKill(c.Id, options.signal)
      } catch (err) {
        progress(failed(progressName(c), 'Error while Killing'))
        throw err
      }
      progress(done(progressName(c), 'Killed'))
    })
  }, true)
  return containers.length
}

/** `compose pause` / `unpause`: the services' running (or paused) containers. */
export async function pauseServices(target: OpsTarget, options: { services?: string[]; unpause?: boolean } = {}): Promise<void> {
  const progress = target.progress ?? noProgress
  const containers = await listProjectContainers(target.client, target.projectName, { services: options.services })
  await forAll(containers, async (c) => {
    if (options.unpause) {
      await target.client.containerUnpause(c.Id)
      progress(done(progressName(c), 'Unpaused'))
    } else {
      await target.client.containerPause(c.Id)
      progress(done(progressName(c), 'Paused'))
    }
  })
}

export interface RemoveOptions {
  services?: string[]
  /** Remove anonymous volumes too. */
  volumes?: boolean
  force?: boolean
}

/**
 * The containers `compose rm` would remove: the services' stopped (not running) containers,
 * one-off ones excluded, limited to the project's services when it is loaded.
 */
export async function removableContainers(target: OpsTarget, services: string[] = []): Promise<ContainerSummary[]> {
  let containers = await listProjectContainers(target.client, target.projectName, { all: true, services })
  if (target.project) containers = containers.filter((c) => serviceOf(c) in target.project!.services)
  const stopped: ContainerSummary[] = []
  for (const c of containers) {
    try {
      // The list's state can be stale (Compose inspects too).
      const { value } = await target.client.containerInspect(c.Id)
      if (!value.State.Running) stopped.push(c)
    } catch (err) {
      if (!isEngineError(err, 'NotFound')) throw err
    }
  }
  return stopped
}

/** Removes the containers (Compose's remove step), reporting Removing/Removed for each. */
export async function removeContainers(target: OpsTarget, containers: ContainerSummary[], options: RemoveOptions = {}): Promise<void> {
  const progress = target.progress ?? noProgress
  await forAll(containers, async (c) => {
    progress(working(progressName(c), 'Removing'))
    await target.client.containerRemove(c.Id, { volumes: options.volumes, force: options.force })
    progress(done(progressName(c), 'Removed'))
  })
}


/**
 * The effectful half of `up`, in Docker Compose's two phases: converge (per service in
 * dependency order: remove surplus containers, recreate diverged ones, create missing ones; no
 * start) and start (per service in dependency order: wait for the depends_on conditions, then
 * start what is not running). Everything goes through the EngineClient.
 */
import { randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import tarStream from 'tar-stream'
import { isEngineError } from '../../common/index.js'
import type { ContainerInspect, EngineClient } from '../../client/index.js'
import { containerName as defaultContainerName } from '../labels.js'
import { ComposeError } from '../model/index.js'
import type { ComposeProject, ServiceConfig } from '../model/index.js'
import { serviceConfigHash } from './config-hash.js'
import { byNumber } from './observed-state.js'
import { planService, type ObservedContainer, type RecreatePolicy } from './planner.js'
import { done, failed, warning, working, type ProgressSink } from './progress.js'
import { serviceCreateRequest, type InjectedFile, type ServiceRequestOptions } from './service-request.js'

export interface ConvergeContext {
  client: EngineClient
  project: ComposeProject
  progress: ProgressSink
  /** Pause between health polls. */
  sleep: (ms: number) => Promise<void>
  /** Containers per service (non-one-off), updated as services converge. */
  state: Map<string, ObservedContainer[]>
  /** Image id per service (after pull/build). */
  imageIds: Map<string, string>
  imageNames: Map<string, string>
}

export interface ConvergeOptions {
  recreate: RecreatePolicy
  /** Services whose scale `--scale` overrides. */
  scale: Record<string, number>
  /** Stop timeout for containers replaced or scaled away (seconds; undefined: the container's own). */
  timeoutSeconds?: number
  /** -V: recreated containers get new anonymous volumes instead of the old container's. */
  renewAnonVolumes?: boolean
}

const containerId = (c: { name: string }): string => `Container ${c.name}`

export function serviceScale(service: ServiceConfig, overrides: Record<string, number>): number {
  return overrides[service.name] ?? service.scale
}

/**
 * The service with its `service:x` references (network_mode, ipc, pid, volumes_from) replaced by
 * the container they point at now, so that a recreated dependency changes the dependent's config
 * hash and the dependent is recreated too (Compose hashes the resolved service the same way).
 */
export function resolvedService(ctx: ConvergeContext, service: ServiceConfig): ServiceConfig {
  const first = firstContainerOf(ctx)
  const mode = (m: string | undefined): string | undefined => {
    if (!m?.startsWith('service:')) return m
    const id = first(m.slice('service:'.length))
    return id ? `container:${id}` : m
  }
  const volumesFrom = service.volumesFrom.map((v) => {
    const parts = v.split(':')
    if (parts[0] === 'container') return v
    const name = parts[0] === 'service' ? parts[1]! : parts[0]!
    const id = first(name)
    return id ? `container:${id}` : v
  })
  return { ...service, networkMode: mode(service.networkMode), ipc: mode(service.ipc), pid: mode(service.pid), volumesFrom }
}

/** Converges one service's containers (no start); true when containers were recreated. */
export async function convergeService(ctx: ConvergeContext, service: ServiceConfig, options: ConvergeOptions): Promise<boolean> {
  const scale = serviceScale(service, options.scale)
  if (scale > 1 && service.containerName) {
    throw new ComposeError(`WARNING: The "${service.name}" service is using the custom container name "${service.containerName}". Docker requires each container to have a unique name. Remove the custom name to scale the service.`)
  }
  const configHash = serviceConfigHash(resolvedService(ctx, service))
  const imageId = ctx.imageIds.get(service.name)
  const containers = ctx.state.get(service.name) ?? []
  const plan = planService({ scale, configHash, imageId, containers, recreate: options.recreate })

  await Promise.all(plan.remove.map((c) => stopAndRemove(ctx, c, options.timeoutSeconds, false)))
  const result: ObservedContainer[] = []
  for (const c of plan.keep) {
    if (c.state === 'running') ctx.progress(done(containerId(c), 'Running'))
    else ctx.progress(done(containerId(c), 'Created'))
    result.push(c)
  }
  for (const old of plan.recreate) result.push(await recreate(ctx, service, old, configHash, options))
  for (const number of plan.create) {
    const name = service.containerName ?? defaultContainerName(ctx.project.name, service.name, number)
    ctx.progress(working(`Container ${name}`, 'Creating'))
    result.push(await createContainer(ctx, service, { containerName: name, number, configHash }, name))
    ctx.progress(done(`Container ${name}`, 'Created'))
  }
  ctx.state.set(service.name, result.sort(byNumber))
  return plan.recreate.length > 0
}

/**
 * `depends_on: {x: {restart: true}}`: containers of services that depend on a recreated service
 * are stopped, so that the start phase starts them again after it.
 */
export async function stopDependents(ctx: ConvergeContext, services: string[], recreated: Set<string>, timeoutSeconds: number | undefined): Promise<void> {
  for (const name of services) {
    const service = ctx.project.services[name]
    if (!service || !Object.entries(service.dependsOn).some(([dep, d]) => d.restart && recreated.has(dep))) continue
    for (const c of ctx.state.get(name) ?? []) {
      if (c.state !== 'running') continue
      ctx.progress(working(containerId(c), 'Stopping'))
      try {
        await ctx.client.containerStop(c.id, timeoutSeconds !== undefined ? { timeoutSeconds } : {})
      } catch (err) {
        if (!isEngineError(err, 'NotModified')) throw err
      }
      c.state = 'exited'
      ctx.progress(done(containerId(c), 'Stopped'))
    }
  }
}

async function recreate(ctx: ConvergeContext, service: ServiceConfig, old: ObservedContainer, configHash: string, options: ConvergeOptions): Promise<ObservedContainer> {
  ctx.progress(working(containerId(old), 'Recreate'))
  const inspect = (await ctx.client.containerInspect(old.id)).value
  const inheritedVolumes: Record<string, string> = {}
  for (const m of options.renewAnonVolumes ? [] : inspect.Mounts ?? []) {
    if (m.Type === 'volume' && m.Name && /^[0-9a-f]{64}$/.test(m.Name)) inheritedVolumes[m.Destination] = m.Name
  }
  const number = Number.isNaN(old.number) ? 1 : old.number
  const name = service.containerName ?? defaultContainerName(ctx.project.name, service.name, number)
  const created = await createContainer(ctx, service, { containerName: name, number, configHash, inheritedVolumes }, `${old.id.slice(0, 12)}_${name}`)
  try {
    await ctx.client.containerStop(old.id, options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {})
  } catch (err) {
    if (!isEngineError(err, 'NotModified')) throw err
  }
  await ctx.client.containerRemove(old.id, { force: true })
  await ctx.client.containerRename(created.id, name)
  ctx.progress(done(containerId(old), 'Recreated'))
  return { ...created, name }
}

/** Links as Compose resolves them: every container of the linked service, under the link alias. */
function resolveLinks(ctx: ConvergeContext, service: ServiceConfig): string[] {
  const links: string[] = []
  for (const raw of service.links) {
    const [target = '', alias = target] = raw.split(':')
    for (const c of ctx.state.get(target) ?? []) links.push(`${c.name}:${alias}`)
  }
  for (const raw of service.externalLinks) {
    const [target = '', alias = target] = raw.split(':')
    links.push(`${target}:${alias}`)
  }
  return links
}

export function firstContainerOf(ctx: ConvergeContext): (service: string) => string | undefined {
  return (name) => ctx.state.get(name)?.[0]?.id
}

/** Creates a container for the service (labels, networks, mounts) and copies injected files into it. */
export async function createContainer(
  ctx: ConvergeContext,
  service: ServiceConfig,
  partial: Pick<ServiceRequestOptions, 'containerName' | 'number' | 'configHash'> & Partial<ServiceRequestOptions>,
  createName: string,
): Promise<ObservedContainer> {
  const imageId = ctx.imageIds.get(service.name)
  const request = serviceCreateRequest(ctx.project, service, {
    image: ctx.imageNames.get(service.name) ?? service.image ?? `${ctx.project.name}-${service.name}`,
    ...(imageId ? { imageId } : {}),
    links: resolveLinks(ctx, service),
    serviceContainer: firstContainerOf(ctx),
    ...partial,
  })
  let response
  try {
    response = await ctx.client.containerCreate(request.body, { name: createName, ...(request.platform ? { platform: request.platform } : {}) })
  } catch (err) {
    ctx.progress(failed(`Container ${partial.containerName}`, 'Error', (err as Error).message))
    throw err
  }
  for (const w of response.Warnings ?? []) ctx.progress(warning(service.name, w))
  if (request.inject.length > 0) await injectFiles(ctx.client, response.Id, request.inject)
  return {
    id: response.Id, name: createName, service: service.name, number: partial.number, state: 'created',
    configHash: partial.configHash, imageId, oneoff: partial.oneoff === true, created: Math.floor(Date.now() / 1000),
  }
}

/** Secrets/configs with inline content: a tar with each file at its path, extracted at "/". */
async function injectFiles(client: EngineClient, id: string, files: InjectedFile[]): Promise<void> {
  const pack = tarStream.pack()
  for (const f of files) {
    pack.entry({ name: f.target.replace(/^\/+/, ''), mode: f.mode, uid: f.uid, gid: f.gid, type: 'file' }, Buffer.from(f.content))
  }
  pack.finalize()
  await client.containerExtract(id, '/', pack as unknown as Readable)
}

export async function stopAndRemove(ctx: Pick<ConvergeContext, 'client' | 'progress'>, c: ObservedContainer, timeoutSeconds: number | undefined, volumes: boolean): Promise<void> {
  const id = containerId(c)
  if (c.state === 'running' || c.state === 'paused' || c.state === 'restarting') {
    ctx.progress(working(id, 'Stopping'))
    try {
      await ctx.client.containerStop(c.id, timeoutSeconds !== undefined ? { timeoutSeconds } : {})
    } catch (err) {
      if (!isEngineError(err, 'NotModified') && !isEngineError(err, 'NotFound')) throw err
    }
    ctx.progress(done(id, 'Stopped'))
  }
  ctx.progress(working(id, 'Removing'))
  try {
    await ctx.client.containerRemove(c.id, { force: true, volumes })
  } catch (err) {
    if (!isEngineError(err, 'NotFound')) throw err
  }
  ctx.progress(done(id, 'Removed'))
}

/** Starts the service's containers that are not running, after its dependencies' conditions hold. */
export async function startService(ctx: ConvergeContext, service: ServiceConfig): Promise<void> {
  await waitDependencies(ctx, service)
  for (const c of ctx.state.get(service.name) ?? []) {
    if (c.state === 'running') continue
    const id = containerId(c)
    ctx.progress(working(id, 'Starting'))
    try {
      await ctx.client.containerStart(c.id)
    } catch (err) {
      if (!isEngineError(err, 'NotModified')) {
        ctx.progress(failed(id, 'Error', (err as Error).message))
        throw err
      }
    }
    c.state = 'running'
    ctx.progress(done(id, 'Started'))
  }
}

async function inspect(client: EngineClient, id: string): Promise<ContainerInspect> {
  return (await client.containerInspect(id)).value
}

type Health = { Status?: string } | undefined

/**
 * true when every container is healthy (or, with fallbackRunning, running without a healthcheck);
 * false while one is still starting; throws Compose's error for an exited or unhealthy one.
 */
export async function servicesHealthy(client: EngineClient, containers: ObservedContainer[], fallbackRunning: boolean): Promise<boolean> {
  for (const c of containers) {
    const info = await inspect(client, c.id)
    const name = info.Name.replace(/^\//, '')
    if (info.State.Status === 'exited') throw new ComposeError(`container ${name} exited (${info.State.ExitCode})`)
    const health = (info.State as { Health?: Health }).Health
    if (!info.Config.Healthcheck && !health && fallbackRunning) {
      if (info.State.Status !== 'running') return false
      continue
    }
    if (!health) throw new ComposeError(`container ${name} has no healthcheck configured`)
    if (health.Status === 'healthy') continue
    if (health.Status === 'unhealthy') throw new ComposeError(`container ${name} is unhealthy`)
    if (health.Status === 'starting') return false
    throw new ComposeError(`container ${name} had unexpected health status "${health.Status}"`)
  }
  return true
}

async function waitDependencies(ctx: ConvergeContext, service: ServiceConfig): Promise<void> {
  const waits: Array<Promise<void>> = []
  // One failed dependency ends the other polls too.
  let aborted = false
  for (const [dep, config] of Object.entries(service.dependsOn)) {
    if (config.condition === 'service_started') continue
    const depService = ctx.project.services[dep]
    if (!depService || depService.scale === 0) continue
    const containers = ctx.state.get(dep) ?? []
    if (containers.length === 0) {
      if (config.required) throw new ComposeError(`${service.name} is missing dependency ${dep}`)
      ctx.progress(warning(service.name, `${service.name} is missing dependency ${dep}`))
      continue
    }
    for (const c of containers) ctx.progress(working(containerId(c), 'Waiting'))
    waits.push((async () => {
      while (!aborted) {
        if (config.condition === 'service_healthy') {
          let healthy: boolean
          try {
            healthy = await servicesHealthy(ctx.client, containers, false)
          } catch (err) {
            if (!config.required) {
              ctx.progress(warning(service.name, `optional dependency "${dep}" failed to start: ${(err as Error).message}`))
              return
            }
            for (const c of containers) ctx.progress(failed(containerId(c), 'Error', (err as Error).message))
            throw new ComposeError(`dependency failed to start: ${(err as Error).message}`, {}, { cause: err })
          }
          if (healthy) {
            for (const c of containers) ctx.progress(done(containerId(c), 'Healthy'))
            return
          }
        } else {
          for (const c of containers) {
            const info = await inspect(ctx.client, c.id)
            if (info.State.Status !== 'exited') continue
            if (info.State.ExitCode === 0) {
              for (const x of containers) ctx.progress(done(containerId(x), 'Exited'))
              return
            }
            const msg = `"${dep}" didn't complete successfully: exit ${info.State.ExitCode}`
            if (!config.required) {
              ctx.progress(warning(service.name, `optional dependency ${msg}`))
              return
            }
            for (const x of containers) ctx.progress(failed(containerId(x), 'Error', `service ${msg}`))
            throw new ComposeError(`service ${msg}`)
          }
        }
        await ctx.sleep(500)
      }
    })().catch((err: unknown) => {
      aborted = true
      throw err
    }))
  }
  await Promise.all(waits)
}

/** `compose run` names: `project-service-run-<12 hex>`. */
export function oneoffName(project: string, service: string): string {
  return `${project}-${service}-run-${randomBytes(6).toString('hex')}`
}

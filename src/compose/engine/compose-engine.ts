/**
 * ComposeEngine: `up`, `create`, `start`, `down`, `build`, `pull`, `push`, `run` for a loaded
 * ComposeProject, through the EngineClient only. Reports progress as events; never writes output.
 */
import { isEngineError } from '../../common/index.js'
import type { EngineClient } from '../../client/index.js'
import { ComposeError } from '../model/index.js'
import type { ComposeProject, ServiceConfig } from '../model/index.js'
import { serviceConfigHash } from './config-hash.js'
import {
  convergeService, createContainer, oneoffName, servicesHealthy, startService, stopAndRemove, stopDependents, type ConvergeContext,
} from './converge.js'
import { checkServiceNames, dependencyOrder, withDependencies } from './dependency-order.js'
import { projectContainers } from './observed-state.js'
import type { ObservedContainer, RecreatePolicy } from './planner.js'
import { done, warning, type ProgressSink } from './progress.js'
import { ensureNetworks, ensureVolumes, usedNetworks, usedVolumes } from './project-resources.js'
import {
  LABEL_BUILD_HASH, buildInputsHash, buildService, inspectImage, pullImage, pushImage, serviceImageName,
  type BuildOptions, type ContextArchiver,
} from './service-images.js'

export interface ComposeEngineDeps {
  client: EngineClient
  progress: ProgressSink
  archiver: ContextArchiver
  /** X-Registry-Auth for pulling/pushing a reference. */
  registryAuth?: (ref: string) => string | undefined
  /** Build output text per service. */
  buildOutput?: (service: string, text: string) => void
  /** Pause between polls (health, exit); tests may shorten it. */
  sleep?: (ms: number) => Promise<void>
}

export interface CreateOptions {
  /** Services named on the command line; empty = all enabled services. */
  services?: string[]
  /** Only the named services, not their dependencies. */
  noDeps?: boolean
  recreate?: RecreatePolicy
  /** --scale overrides. */
  scale?: Record<string, number>
  /** 'always' (--build), 'never' (--no-build), or the default: build when missing or the context changed. */
  build?: 'auto' | 'always' | 'never'
  /** --pull: always, missing (default), never, or the services' pull_policy. */
  pull?: 'always' | 'missing' | 'never' | 'policy'
  removeOrphans?: boolean
  timeoutSeconds?: number
  /** -V: do not carry anonymous volumes over to recreated containers. */
  renewAnonVolumes?: boolean
  buildOptions?: BuildOptions
}

export interface UpOptions extends CreateOptions {
  /** `--wait`: return once every container is running/healthy. */
  wait?: boolean
  waitTimeoutSeconds?: number
}

export interface UpResult {
  /** The services `up` handled, in dependency order. */
  services: string[]
  /** Their containers (non-one-off) after the run. */
  containers: ObservedContainer[]
  /** Ids of containers this run created or started (the rest were already running). */
  started: Set<string>
}

export interface OneOffOptions {
  noDeps?: boolean
  name?: string
  useAliases?: boolean
  build?: CreateOptions['build']
  pull?: CreateOptions['pull']
  removeOrphans?: boolean
  autoRemove?: boolean
  attachStdin?: boolean
}

export class ComposeEngine {
  private readonly client: EngineClient
  private readonly progress: ProgressSink
  private readonly sleep: (ms: number) => Promise<void>

  constructor(private readonly deps: ComposeEngineDeps) {
    this.client = deps.client
    this.progress = deps.progress
    this.sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)))
  }

  /** The services a command acts on, in dependency order. */
  targetServices(project: ComposeProject, names: string[] = [], noDeps = false): string[] {
    checkServiceNames(project, names)
    const selected = names.length === 0 ? Object.keys(project.services) : noDeps ? names : withDependencies(project, names)
    return dependencyOrder(project.services, selected)
  }

  /** `compose create`: images, networks, volumes, and converged containers; nothing started. */
  async create(project: ComposeProject, options: CreateOptions = {}): Promise<ConvergeContext & { services: string[] }> {
    const services = this.targetServices(project, options.services, options.noDeps)
    for (const [name, n] of Object.entries(options.scale ?? {})) {
      checkServiceNames(project, [name])
      if (!Number.isInteger(n) || n < 0) throw new ComposeError(`invalid scale for service ${name}: ${n}`)
    }
    const ctx = await this.context(project)
    await this.ensureImages(project, services, ctx, options)
    await ensureNetworks(this.client, project, usedNetworks(project, services), this.progress)
    await ensureVolumes(this.client, project, usedVolumes(project, services), this.progress)
    await this.handleOrphans(project, options.removeOrphans === true)
    const recreated = new Set<string>()
    for (const name of services) {
      const changed = await convergeService(ctx, project.services[name]!, {
        recreate: options.recreate ?? 'diverged',
        scale: options.scale ?? {},
        renewAnonVolumes: options.renewAnonVolumes === true,
        ...(options.timeoutSeconds !== undefined ? { timeoutSeconds: options.timeoutSeconds } : {}),
      })
      if (changed) recreated.add(name)
    }
    if (recreated.size > 0) await stopDependents(ctx, services, recreated, options.timeoutSeconds)
    return { ...ctx, services }
  }

  /** `compose up`: create, then start in dependency order honouring depends_on conditions. */
  async up(project: ComposeProject, options: UpOptions = {}): Promise<UpResult> {
    const ctx = await this.create(project, options)
    const started = new Set<string>()
    for (const name of ctx.services) {
      for (const c of ctx.state.get(name) ?? []) if (c.state !== 'running') started.add(c.id)
      await startService(ctx, project.services[name]!)
    }
    if (options.wait) await this.waitRunning(ctx, ctx.services, options.waitTimeoutSeconds)
    return { services: ctx.services, containers: ctx.services.flatMap((s) => ctx.state.get(s) ?? []), started }
  }

  /** Stops containers, services in reverse order of `containers` (their dependency order). */
  async stopContainers(containers: ObservedContainer[], timeoutSeconds?: number): Promise<void> {
    const services = [...new Set(containers.map((c) => c.service))].reverse()
    for (const service of services) {
      await Promise.all(containers.filter((c) => c.service === service).map(async (c) => {
        const id = `Container ${c.name}`
        this.progress({ id, status: 'Stopping', state: 'working' })
        try {
          await this.client.containerStop(c.id, timeoutSeconds !== undefined ? { timeoutSeconds } : {})
        } catch (err) {
          if (!isEngineError(err, 'NotModified') && !isEngineError(err, 'NotFound')) throw err
        }
        this.progress(done(id, 'Stopped'))
      }))
    }
  }

  /** `--wait`: polls until every container is running (healthy when it has a healthcheck). */
  private async waitRunning(ctx: ConvergeContext, services: string[], timeoutSeconds?: number): Promise<void> {
    const deadline = timeoutSeconds !== undefined && timeoutSeconds > 0 ? Date.now() + timeoutSeconds * 1000 : Infinity
    for (const name of services) {
      const containers = ctx.state.get(name) ?? []
      for (const c of containers) this.progress({ id: `Container ${c.name}`, status: 'Waiting', state: 'working' })
      while (!(await servicesHealthy(this.client, containers, true))) {
        if (Date.now() > deadline) throw new ComposeError(`application not healthy after ${timeoutSeconds}s`)
        await this.sleep(500)
      }
      for (const c of containers) this.progress(done(`Container ${c.name}`, 'Healthy'))
    }
  }

  private async context(project: ComposeProject): Promise<ConvergeContext> {
    const state = new Map<string, ObservedContainer[]>()
    for (const name of Object.keys(project.services)) state.set(name, [])
    for (const c of await projectContainers(this.client, project.name)) {
      if (c.oneoff || !state.has(c.service)) continue
      state.get(c.service)!.push(c)
    }
    return { client: this.client, project, progress: this.progress, sleep: this.sleep, state, imageIds: new Map(), imageNames: new Map() }
  }

  private async handleOrphans(project: ComposeProject, remove: boolean): Promise<void> {
    const orphans = (await projectContainers(this.client, project.name)).filter(
      (c) => !c.oneoff && !project.services[c.service] && !project.disabledServices[c.service],
    )
    if (orphans.length === 0) return
    if (!remove) {
      this.progress(warning(project.name, `Found orphan containers ([${orphans.map((c) => c.name).join(' ')}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`))
      return
    }
    for (const c of orphans) await stopAndRemove({ client: this.client, progress: this.progress }, c, undefined, false)
  }

  /** Pulls or builds what the services need; records each service's image name and id in ctx. */
  private async ensureImages(project: ComposeProject, services: string[], ctx: ConvergeContext, options: CreateOptions): Promise<void> {
    for (const name of services) {
      const service = project.services[name]!
      const ref = serviceImageName(project, service)
      ctx.imageNames.set(name, ref)
      let image = await inspectImage(this.client, ref)
      const policy = options.pull === 'policy' || options.pull === undefined ? (service.pullPolicy ?? 'missing') : options.pull
      if (service.build && options.build !== 'never') {
        const rebuild = options.build === 'always' || policy === 'build' || !image || image.labels[LABEL_BUILD_HASH] !== buildInputsHash(service)
        if (rebuild) {
          await buildService(this.client, this.deps.archiver, project, service, { ...options.buildOptions, ...(this.deps.buildOutput ? { output: this.deps.buildOutput } : {}) }, this.progress)
          image = await inspectImage(this.client, ref)
        }
      } else if (policy === 'always' || ((policy === 'missing' || policy === 'if_not_present') && !image)) {
        if (!service.image) throw new ComposeError(`service "${name}" has neither an image nor a build context specified: invalid compose project`)
        await pullImage(this.client, name, ref, this.deps.registryAuth?.(ref), this.progress)
        image = await inspectImage(this.client, ref)
      }
      if (!image) throw new ComposeError(`No such image: ${ref}`)
      ctx.imageIds.set(name, image.id)
    }
  }

  /** `compose build`: builds every (named) service that has a build section. */
  async build(project: ComposeProject, names: string[] = [], options: BuildOptions = {}): Promise<void> {
    checkServiceNames(project, names)
    const services = (names.length ? names : Object.keys(project.services).sort()).filter((n) => project.services[n]!.build)
    for (const name of services) {
      await buildService(this.client, this.deps.archiver, project, project.services[name]!, { ...options, ...(this.deps.buildOutput && !options.output ? { output: this.deps.buildOutput } : {}) }, this.progress)
    }
  }

  /** `compose pull`: pulls the images of services that name one (build-only services are skipped). */
  async pull(project: ComposeProject, names: string[] = [], options: { ignoreFailures?: boolean; ignoreBuildable?: boolean } = {}): Promise<void> {
    checkServiceNames(project, names)
    for (const name of names.length ? names : Object.keys(project.services).sort()) {
      const service = project.services[name]!
      if (!service.image) continue
      if (service.build && options.ignoreBuildable) continue
      try {
        await pullImage(this.client, name, service.image, this.deps.registryAuth?.(service.image), this.progress)
      } catch (err) {
        if (service.build) {
          this.progress(warning(name, `${name} Warning pull access denied or image not found, the image will be built`))
          continue
        }
        if (!options.ignoreFailures) throw err
      }
    }
  }

  /** `compose push`: pushes the images of services that have both `build` and `image`. */
  async push(project: ComposeProject, names: string[] = [], options: { ignoreFailures?: boolean } = {}): Promise<void> {
    checkServiceNames(project, names)
    for (const name of names.length ? names : Object.keys(project.services).sort()) {
      const service = project.services[name]!
      if (!service.build || !service.image) continue
      try {
        await pushImage(this.client, name, service.image, this.deps.registryAuth?.(service.image), this.progress)
      } catch (err) {
        if (!options.ignoreFailures) throw err
      }
    }
  }

  /**
   * `compose run`'s container: dependencies up first (unless noDeps), then a one-off container of
   * the service (label oneoff=True, name project-service-run-<hex>), created but not started.
   */
  async createOneOff(project: ComposeProject, service: ServiceConfig, options: OneOffOptions): Promise<{ id: string; name: string }> {
    const deps = options.noDeps ? [] : withDependencies(project, [service.name]).filter((n) => n !== service.name)
    if (deps.length > 0) await this.up(project, { services: deps, ...(options.build ? { build: options.build } : {}), ...(options.pull ? { pull: options.pull } : {}) })
    const ctx = await this.context(project)
    // The one-off runs the (possibly overridden) service config.
    const runProject: ComposeProject = { ...project, services: { ...project.services, [service.name]: service } }
    ctx.project = runProject
    await this.ensureImages(runProject, [service.name], ctx, { ...(options.build ? { build: options.build } : {}), ...(options.pull ? { pull: options.pull } : {}) })
    await ensureNetworks(this.client, runProject, usedNetworks(runProject, [service.name]), this.progress)
    await ensureVolumes(this.client, runProject, usedVolumes(runProject, [service.name]), this.progress)
    if (options.removeOrphans) await this.handleOrphans(project, true)
    const existing = (await projectContainers(this.client, project.name)).filter((c) => c.oneoff && c.service === service.name)
    const number = Math.max(0, ...existing.map((c) => (Number.isNaN(c.number) ? 0 : c.number))) + 1
    const name = options.name ?? oneoffName(project.name, service.name)
    const created = await createContainer(ctx, service, {
      containerName: name, number, configHash: serviceConfigHash(service), oneoff: true, useAliases: options.useAliases === true,
      autoRemove: options.autoRemove === true, attachStdin: options.attachStdin === true,
    }, name)
    return { id: created.id, name }
  }
}

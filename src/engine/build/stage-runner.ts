/**
 * Runs one build stage: FROM, then each instruction as a step on the previous step's state, with
 * the cache checked first (local records, then --cache-from images). Metadata instructions only
 * change the config (an empty_layer history entry); RUN, COPY, ADD and WORKDIR change the
 * filesystem in a StepWorkspace and commit exactly the diff as a layer.
 */
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { EngineError, isEngineError, type Digest } from '../../common/index.js'
import type { ImageConfigBlob, ImageRecord, ImageRuntimeConfig, ImageService } from '../images/index.js'
import { hostArchitecture } from '../images/index.js'
import { resolveUser } from '../containers/index.js'
import { DockerfileParseError, parseDockerfile, parseHeredocMarker } from './dockerfile-parser.js'
import { parseInstruction, type Instruction, type Step } from './instructions.js'
import { expandWord, expandWords } from './shell-words.js'
import { matchCacheImage, stateOf, stepCacheKey, type BuildCache } from './build-cache.js'
import { executeCopy, planCopy, resolveOwner } from './copy-step.js'
import { mkdirAll, resolveInRoot, type SourceFs } from './file-ops.js'
import {
  DEFAULT_PATH, DEFAULT_SHELL, PROXY_ARGS, commandArgs, expansionEnv, exposedPorts, nopCreatedBy, parseChmod,
  resolveWorkdir, runArgsPrefix, setEnv, validStopSignal, envMap,
} from './step-config.js'
import type { StepWorkspace } from './step-workspace.js'
import type { BuildEvent, BuildState, LayerCommitter, UrlFetcher } from './types.js'

export interface BuildRun {
  file: string
  escape: string
  /** The build context (its paths live under `context.root`, a directory never created). */
  context: SourceFs & { readonly root: string }
  scratchDir: string
  images: ImageService
  committer: LayerCommitter
  cache: BuildCache
  workspace: StepWorkspace
  exec: (argv: string[]) => Promise<void>
  buildArgs: ReadonlyMap<string, string>
  usedArgs: Set<string>
  metaArgs: ReadonlyMap<string, string>
  stageStates: Map<number, BuildState>
  stageIndex: (name: string) => number | undefined
  noCache: boolean
  pull: boolean
  pullImage?: (ref: string) => Promise<ImageRecord>
  fetchUrl?: UrlFetcher
  cacheFrom: ImageRecord[]
  /** SOURCE_DATE_EPOCH (seconds), when reproducible. */
  epoch: number | undefined
  now: () => string
  emit: (e: BuildEvent) => void
  signal?: AbortSignal
  counter: { index: number; total: number }
}

function stepFailed(message: string, exitCode?: number): EngineError {
  const err = new EngineError('InvalidArgument', 'BUILD_STEP_FAILED', message)
  if (exitCode !== undefined) (err as EngineError & { exitCode?: number }).exitCode = exitCode
  return err
}

function goList(items: readonly string[]): string {
  return `[${items.map((i) => JSON.stringify(i)).join(' ')}]`
}

export class StageRunner {
  private state!: BuildState
  private args = new Map<string, string>()
  private shell = DEFAULT_SHELL
  private cmdSet = false
  private clearOnBuild = false

  constructor(private readonly run: BuildRun) {}

  /** Builds the stage; returns its final state. */
  async build(from: Step & { instruction: { kind: 'FROM' } }, steps: Step[]): Promise<BuildState> {
    const r = this.run
    this.announce(from)
    this.state = await this.from(from)
    r.emit({ type: 'step-done', imageId: this.state.id })
    const triggers = this.state.config.config?.OnBuild ?? []
    if (triggers.length > 0) {
      this.clearOnBuild = true
      r.emit({ type: 'message', text: `# Executing ${triggers.length} build trigger${triggers.length === 1 ? '' : 's'}\n` })
      for (const trigger of triggers) {
        const node = parseDockerfile(trigger, r.file).nodes[0]
        if (!node) continue
        node.startLine = from.node.startLine
        await this.step({ node, instruction: parseInstruction(node, r.file, r.escape) }, true)
      }
    }
    for (const step of steps) await this.step(step, false)
    return this.state
  }

  private announce(step: Step): void {
    const c = this.run.counter
    c.index++
    this.run.emit({ type: 'step', index: c.index, total: c.total, instruction: step.node.original })
  }

  private expandError(step: Step, err: unknown): never {
    if (err instanceof EngineError) throw err
    throw new DockerfileParseError(this.run.file, step.node.startLine, (err as Error).message)
  }

  private async from(step: Step & { instruction: { kind: 'FROM' } }): Promise<BuildState> {
    const r = this.run
    const ins = step.instruction
    let name: string
    let platform: string | undefined
    try {
      name = expandWord(ins.image, r.metaArgs, r.escape, r.usedArgs)
      platform = ins.platform === undefined ? undefined : expandWord(ins.platform, r.metaArgs, r.escape, r.usedArgs)
    } catch (err) {
      this.expandError(step, err)
    }
    if (platform !== undefined && platform !== `linux/${hostArchitecture()}` && platform !== '$BUILDPLATFORM' && platform !== '$TARGETPLATFORM') {
      throw new DockerfileParseError(r.file, step.node.startLine, `FROM --platform=${platform}: berth builds linux/${hostArchitecture()} images only`)
    }
    if (name === '') throw new DockerfileParseError(r.file, step.node.startLine, 'base name (${...}) should not be blank')
    if (name.toLowerCase() === 'scratch') {
      const created = r.now()
      const config: ImageConfigBlob = {
        architecture: hostArchitecture(), os: 'linux', created,
        config: { Env: [DEFAULT_PATH] }, rootfs: { type: 'layers', diff_ids: [] }, history: [],
      }
      return stateOf(config, undefined)
    }
    const stage = r.stageIndex(name.toLowerCase())
    if (stage !== undefined) {
      const s = r.stageStates.get(stage)
      if (s) return s
    }
    const pullImage = r.pullImage
    const pull = async (puller: (ref: string) => Promise<ImageRecord>): Promise<ImageRecord> => {
      r.emit({ type: 'message', text: `Pulling ${name}` })
      return puller(name)
    }
    if (r.pull && !pullImage) {
      throw new EngineError('NotImplemented', 'PULL_NOT_AVAILABLE', `Cannot pull "${name}" (--pull): this builder has no registry client`)
    }
    let image: ImageRecord
    if (r.pull && pullImage) {
      image = await pull(pullImage)
    } else {
      try {
        image = await r.images.resolve(name)
      } catch (err) {
        if (!isEngineError(err, 'NotFound')) throw err
        if (!pullImage) throw new EngineError('NotFound', 'IMAGE_NOT_FOUND', `pull access denied for ${name}: No such image: ${name}`)
        image = await pull(pullImage)
      }
    }
    return { id: image.id, config: structuredClone(image.config), topChainId: image.topChainId }
  }

  private next(mutate: (c: ImageRuntimeConfig, blob: ImageConfigBlob) => void, createdBy: string, layer?: { diffId: Digest; chainId: string }): BuildState {
    const blob = structuredClone(this.state.config)
    blob.config = blob.config ?? {}
    if (this.clearOnBuild) delete blob.config.OnBuild
    mutate(blob.config, blob)
    const created = this.run.now()
    blob.created = created
    blob.history = [...(blob.history ?? []), { created, created_by: createdBy, ...(layer ? {} : { empty_layer: true }) }]
    if (layer) blob.rootfs = { type: 'layers', diff_ids: [...blob.rootfs.diff_ids, layer.diffId] }
    return stateOf(blob, layer ? layer.chainId : this.state.topChainId)
  }

  private env(): Map<string, string> {
    return expansionEnv(this.state.config.config ?? {}, this.args)
  }

  /** One step: cache lookup, else execution; the state moves on either way. */
  private async step(step: Step, trigger: boolean): Promise<void> {
    const r = this.run
    r.signal?.throwIfAborted()
    if (!trigger) this.announce(step)
    let plan: { createdBy: string; execute: () => Promise<BuildState> } | undefined
    try {
      plan = await this.plan(step)
    } catch (err) {
      if (isEngineError(err) && err.code === 'BUILD_FAILED') throw new EngineError(err.kind, err.code, `${r.file}:${step.node.startLine}: ${err.message}`, { cause: err })
      this.expandError(step, err)
    }
    if (!plan) return
    const key = stepCacheKey(this.state.id, plan.createdBy, [this.shell.join(' ')])
    const cached = r.noCache ? undefined : (await this.fromCache(key)) ?? (await this.fromCacheImages(plan.createdBy, plan.execute))
    if (cached) {
      r.emit({ type: 'cache-hit' })
      this.state = cached
    } else {
      try {
        this.state = await plan.execute()
      } catch (err) {
        // File errors name the Dockerfile line; a failing RUN keeps dockerd's message.
        if (isEngineError(err) && err.code === 'BUILD_FAILED') {
          throw new EngineError(err.kind, err.code, `${r.file}:${step.node.startLine}: ${err.message}`, { cause: err })
        }
        throw err
      }
      await r.cache.put(key, this.state, new Date())
    }
    if (step.instruction.kind === 'CMD') this.cmdSet = true
    r.emit({ type: 'step-done', imageId: this.state.id })
  }

  private async fromCache(key: Digest): Promise<BuildState | undefined> {
    const hit = await this.run.cache.get(key)
    if (!hit || !(await this.run.committer.hasLayers(hit.config.rootfs.diff_ids))) return undefined
    return hit
  }

  /** --cache-from: a matching image history gives the step's layer; metadata steps are recomputed. */
  private async fromCacheImages(createdBy: string, execute: () => Promise<BuildState>): Promise<BuildState | undefined> {
    for (const img of this.run.cacheFrom) {
      const match = matchCacheImage(this.state, img.config, createdBy, this.clearOnBuild)
      if (!match) continue
      if (match === 'metadata') return execute()
      if (await this.run.committer.hasLayers(match.config.rootfs.diff_ids)) return match
    }
    return undefined
  }

  /** What a step will do: its history text (the cache key) and how to execute it. */
  private async plan(step: Step): Promise<{ createdBy: string; execute: () => Promise<BuildState> } | undefined> {
    const ins = step.instruction as Instruction
    const r = this.run
    const env = this.env()
    const x = (w: string): string => expandWord(w, env, r.escape, r.usedArgs)
    const meta = (text: string, mutate: (c: ImageRuntimeConfig, blob: ImageConfigBlob) => void): { createdBy: string; execute: () => Promise<BuildState> } => {
      const createdBy = nopCreatedBy(this.shell, ` ${text}`)
      return { createdBy, execute: async () => this.next(mutate, createdBy) }
    }
    switch (ins.kind) {
      case 'FROM':
        return undefined
      case 'ENV':
      case 'LABEL': {
        const pairs = ins.pairs.map((p) => [x(p.key), x(p.value ?? '')] as const)
        return meta(`${ins.kind} ${pairs.map(([k, v]) => `${k}=${v}`).join(' ')}`, (c) => {
          for (const [k, v] of pairs) {
            if (ins.kind === 'ENV') c.Env = setEnv(c.Env, k, v)
            else c.Labels = { ...(c.Labels ?? {}), [k]: v }
          }
        })
      }
      case 'ARG': {
        const texts: string[] = []
        for (const a of ins.args) {
          const given = r.buildArgs.get(a.key)
          const value = given ?? (a.value !== undefined ? x(a.value) : r.metaArgs.get(a.key))
          if (r.buildArgs.has(a.key)) r.usedArgs.add(a.key)
          if (value !== undefined) this.args.set(a.key, value)
          texts.push(a.value !== undefined ? `${a.key}=${a.value}` : a.key)
        }
        return meta(`ARG ${texts.join(' ')}`, () => undefined)
      }
      case 'USER': {
        const user = x(ins.value)
        return meta(`USER ${user}`, (c) => (c.User = user))
      }
      case 'STOPSIGNAL': {
        const sig = x(ins.value)
        if (!validStopSignal(sig)) throw new Error(`Invalid signal: ${sig}`)
        return meta(`STOPSIGNAL ${sig}`, (c) => (c.StopSignal = sig))
      }
      case 'MAINTAINER':
        return meta(`MAINTAINER ${ins.value}`, (_c, blob) => (blob.author = ins.value))
      case 'EXPOSE': {
        const ports = exposedPorts(expandWords(ins.ports, env, r.escape, r.usedArgs))
        return meta(`EXPOSE ${ports.join(' ')}`, (c) => {
          c.ExposedPorts = { ...(c.ExposedPorts ?? {}) }
          for (const p of ports) c.ExposedPorts[p] = {}
        })
      }
      case 'VOLUME': {
        const vols = ins.json ? ins.json.map(x) : expandWords(ins.shell ?? '', env, r.escape, r.usedArgs)
        if (vols.some((v) => v.trim() === '')) throw new Error('VOLUME specified can not be an empty string')
        return meta(`VOLUME ${goList(vols)}`, (c) => {
          c.Volumes = { ...(c.Volumes ?? {}) }
          for (const v of vols) c.Volumes[v] = {}
        })
      }
      case 'CMD':
      case 'ENTRYPOINT': {
        const args = commandArgs(ins.command, this.shell)
        const cmdSet = this.cmdSet
        return meta(`${ins.kind} ${goList(args)}`, (c) => {
          if (ins.kind === 'CMD') c.Cmd = args
          else {
            c.Entrypoint = args
            if (!cmdSet) c.Cmd = null
          }
        })
      }
      case 'SHELL': {
        const shell = ins.shell
        const result = meta(`SHELL ${goList(shell)}`, (c) => (c.Shell = shell))
        this.shell = shell
        return result
      }
      case 'HEALTHCHECK': {
        const hc: NonNullable<ImageRuntimeConfig['Healthcheck']> = { Test: ins.test }
        if (ins.interval !== undefined) hc.Interval = ins.interval
        if (ins.timeout !== undefined) hc.Timeout = ins.timeout
        if (ins.startPeriod !== undefined) hc.StartPeriod = ins.startPeriod
        if (ins.retries !== undefined) hc.Retries = ins.retries
        return meta(`HEALTHCHECK ${JSON.stringify(hc)}`, (c) => (c.Healthcheck = hc))
      }
      case 'ONBUILD':
        return meta(`ONBUILD ${ins.trigger}`, (c) => (c.OnBuild = [...(c.OnBuild ?? []), ins.trigger]))
      case 'WORKDIR': {
        const dir = resolveWorkdir(this.state.config.config?.WorkingDir, x(ins.value))
        const createdBy = nopCreatedBy(this.shell, ` WORKDIR ${dir}`)
        return {
          createdBy,
          execute: async () => {
            const layer = await r.workspace.change(this.state.topChainId, async (ws) => {
              await mkdirAll(await resolveInRoot(ws.rootfs, dir, false), undefined)
            }, this.layerOptions())
            return this.next((c) => (c.WorkingDir = dir), createdBy, layer)
          },
        }
      }
      case 'RUN':
        return this.planRun(ins)
      case 'COPY':
      case 'ADD':
        return this.planCopy(ins, x)
    }
  }

  private layerOptions(): { clampMtime?: number } {
    return this.run.epoch === undefined ? {} : { clampMtime: this.run.epoch }
  }

  private planRun(ins: Extract<Instruction, { kind: 'RUN' }>): { createdBy: string; execute: () => Promise<BuildState> } {
    const r = this.run
    let args: string[]
    let script: { name: string; content: string } | undefined
    if ('shell' in ins.command && ins.heredocs.length > 0) {
      const only = parseHeredocMarker(ins.command.shell.trim())
      const first = ins.heredocs[0]
      if (only && ins.heredocs.length === 1 && first && first.content.startsWith('#!')) {
        // A script with its own interpreter runs as a file (buildkit mounts it under /dev/pipes).
        script = { name: first.name, content: first.content }
        args = [`/dev/pipes/${first.name}`]
      } else if (only && ins.heredocs.length === 1 && first) args = [...this.shell, first.content]
      else args = [...this.shell, ins.command.shell + '\n' + ins.heredocs.map((h) => `${h.content}${h.name}\n`).join('')]
    } else args = commandArgs(ins.command, this.shell)
    const config = this.state.config.config ?? {}
    const createdBy = runArgsPrefix(this.args, config) + args.join(' ')
    const proxies = [...r.buildArgs].filter(([k]) => PROXY_ARGS.has(k))
    for (const [k] of proxies) r.usedArgs.add(k)
    return {
      createdBy,
      execute: async () => {
        const envKeys = envMap(config.Env)
        const env = [...(config.Env ?? [])]
        if (!envKeys.has('PATH')) env.unshift(DEFAULT_PATH)
        for (const [k, v] of [...this.args, ...proxies]) if (!envKeys.has(k)) env.push(`${k}=${v}`)
        const containerId = randomBytes(32).toString('hex')
        let exitCode = 0
        const layer = await r.workspace.change(this.state.topChainId, async (ws) => {
          const read = async (p: string): Promise<string | undefined> => readFile(await resolveInRoot(ws.rootfs, p, false), 'utf8').catch(() => undefined)
          const [passwd, group] = await Promise.all([read('/etc/passwd'), read('/etc/group')])
          const user = resolveUser(config.User || '', passwd, group)
          if (!env.some((e) => e.startsWith('HOME='))) env.push(`HOME=${user.home}`)
          r.emit({ type: 'container-start', containerId })
          exitCode = await r.workspace.run(ws, {
            containerId, args, env, cwd: config.WorkingDir || '/', user, networkMode: 'default', ...(script ? { script } : {}),
          }, (stream, data) => r.emit({ type: 'output', stream, data }), r.signal)
          r.emit({ type: 'container-removed', containerId })
          if (exitCode !== 0) throw stepFailed(`The command '${args.join(' ')}' returned a non-zero code: ${exitCode}`, exitCode)
        }, this.layerOptions())
        return this.next(() => undefined, createdBy, layer)
      },
    }
  }

  private async planCopy(ins: Extract<Instruction, { kind: 'COPY' | 'ADD' }>, x: (w: string) => string): Promise<{ createdBy: string; execute: () => Promise<BuildState> }> {
    const r = this.run
    const env = this.env()
    const sources = ins.json ? ins.sources.map(x) : ins.sources.flatMap((s) => (s.startsWith('<<') ? [s] : expandWords(s, env, r.escape, r.usedArgs)))
    let dest = x(ins.dest)
    const workdir = this.state.config.config?.WorkingDir || '/'
    if (!dest.startsWith('/')) dest = (workdir.endsWith('/') ? workdir : workdir + '/') + dest
    const chown = ins.chown === undefined ? undefined : x(ins.chown)
    const mode = ins.chmod === undefined ? undefined : parseChmod(x(ins.chmod))
    const from = ins.from === undefined ? undefined : x(ins.from)
    const scratchDir = join(r.scratchDir, randomBytes(6).toString('hex'))
    const planIn = async (root: string, fromContext: boolean) => planCopy({
      kind: ins.kind, sources, heredocs: ins.heredocs, root, fromContext, scratchDir,
      ...(fromContext ? { fs: r.context } : {}),
      expandHeredoc: (t) => t.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_m, n: string) => env.get(n) ?? ''),
      ...(r.signal ? { signal: r.signal } : {}),
      ...(r.fetchUrl ? { fetchUrl: r.fetchUrl } : {}),
    })
    const copyInto = async (plan: Awaited<ReturnType<typeof planIn>>): Promise<BuildState> => {
      const layer = await r.workspace.change(this.state.topChainId, async (ws) => {
        const owner = await resolveOwner(ws.rootfs, chown)
        await executeCopy({ plan, rootfs: ws.rootfs, dest, owner, mode, exec: r.exec })
      }, this.layerOptions())
      return this.next(() => undefined, createdByOf(plan.description), layer)
    }
    const flags = [chown !== undefined ? `--chown=${chown}` : '', mode !== undefined ? `--chmod=${ins.chmod}` : ''].filter(Boolean).join(' ')
    const createdByOf = (description: string): string => nopCreatedBy(this.shell, ` ${ins.kind} ${flags ? flags + ' ' : ''}${description} in ${dest} `)
    if (from === undefined) {
      const plan = await planIn(r.context.root, true)
      return { createdBy: createdByOf(plan.description), execute: () => copyInto(plan) }
    }
    // --from: a stage (by name or index) or an image; its files are read from a read-only mount.
    const index = /^\d+$/.test(from) ? Number(from) : r.stageIndex(from.toLowerCase())
    let chain: string | undefined
    if (index !== undefined) {
      const s = r.stageStates.get(index)
      if (!s) throw new Error(`invalid from flag value ${from}: stage not built before it is used`)
      chain = s.topChainId
    } else {
      const img = await r.images.resolve(from).catch((err: unknown) => {
        if (isEngineError(err, 'NotFound')) throw new EngineError('NotFound', 'IMAGE_NOT_FOUND', `invalid from flag value ${from}: No such image: ${from}`)
        throw err
      })
      chain = img.topChainId
    }
    const createdBy = await r.workspace.readonly(chain, async (root) => createdByOf((await planIn(root, false)).description))
    // The files are read while the source is mounted, so execution mounts it again.
    return { createdBy, execute: () => r.workspace.readonly(chain, async (root) => copyInto(await planIn(root, false))) }
  }
}

/**
 * Builder: the BuildService. A build reads its context into memory (a ContextTree; what does not
 * fit spills to <data>/build/contexts/<id>-spill), parses the Dockerfile, picks the stages the
 * target needs, runs them (StageRunner) and registers the target's final state as an image with
 * its tags. Nothing of a build is left but the image, the
 * cache records and their layers: contexts, workspaces and containers go in every case.
 */
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { EngineError, type Logger, isoTime } from '../../common/index.js'
import { familiarReference, normalizeReference, type ImageRecord, type ImageService } from '../images/index.js'
import { prepareContext, readContext } from './build-context.js'
import type { ContextTree } from './context-tree.js'
import { BuildCache, configJson } from './build-cache.js'
import { ContextStore, validContextKey } from './context-store.js'
import { parseDockerfile } from './dockerfile-parser.js'
import { toStages, type Dockerfile, type Stage, type Step } from './instructions.js'
import { expandWord } from './shell-words.js'
import { StageRunner, type BuildRun } from './stage-runner.js'
import type { StepWorkspace } from './step-workspace.js'
import type { BuildOptions, BuildPruneResult, BuildResult, BuildService, BuildState, LayerCommitter, UrlFetcher } from './types.js'

export interface BuilderDeps {
  /** <data>/build: contexts/ and cache/ live here. */
  root: string
  images: ImageService
  committer: LayerCommitter
  workspace: StepWorkspace
  exec: (argv: string[]) => Promise<void>
  logger: Logger
  clock?: () => Date
  /** Pulls a base image from its registry (FROM an image that is not here, or every FROM with --pull). */
  pullImage?: (ref: string) => Promise<ImageRecord>
  /** Fetches ADD <url> sources (default: the global fetch). */
  fetchUrl?: UrlFetcher
  /** Contexts kept for the next build (default: under root/context-store, emptied at start). */
  contextStore?: ContextStore
}

function checkContextKey(key: string): void {
  if (!validContextKey(key)) throw new EngineError('InvalidArgument', 'INVALID_CONTEXT_KEY', `invalid build context key "${key}": want 64 hex digits`)
}

/** The stages the target needs: itself and, transitively, the stages its FROMs and COPY --from name. */
export function neededStages(df: Dockerfile, target: Stage, metaArgs: ReadonlyMap<string, string>): Set<number> {
  const byName = new Map(df.stages.filter((s) => s.name).map((s) => [s.name as string, s.index]))
  const refOf = (value: string): number | undefined => {
    let v = value
    try {
      v = expandWord(value, metaArgs)
    } catch {
      // an unexpandable reference is not a stage
    }
    if (/^\d+$/.test(v)) return Number(v)
    return byName.get(v.toLowerCase())
  }
  const need = new Set<number>()
  const visit = (s: Stage): void => {
    if (need.has(s.index)) return
    need.add(s.index)
    const refs = [refOf(s.from.instruction.image), ...s.steps.map((st) => (st.instruction.kind === 'COPY' && st.instruction.from ? refOf(st.instruction.from) : undefined))]
    for (const i of refs) {
      const dep = i === undefined ? undefined : df.stages[i]
      if (dep && dep.index < s.index) visit(dep)
    }
  }
  visit(target)
  return need
}

export class Builder implements BuildService {
  private readonly cache: BuildCache
  private readonly clock: () => Date
  private readonly contexts: ContextStore

  constructor(private readonly deps: BuilderDeps) {
    this.cache = new BuildCache(join(deps.root, 'cache'))
    this.clock = deps.clock ?? (() => new Date())
    this.contexts = deps.contextStore ?? new ContextStore({ root: join(deps.root, 'context-store') })
  }

  async contextMissing(contextKey: string, files: Readonly<Record<string, string>>): Promise<string[]> {
    checkContextKey(contextKey)
    return this.contexts.missing(contextKey, files)
  }

  async build(opts: BuildOptions): Promise<BuildResult> {
    const key = opts.contextKey
    if (key === undefined) return this.buildWith(opts, undefined)
    checkContextKey(key)
    return this.contexts.withKey(key, () => this.buildWith(opts, key))
  }

  private async buildWith(opts: BuildOptions, key: string | undefined): Promise<BuildResult> {
    const id = randomBytes(8).toString('hex')
    const contextDir = join(this.deps.root, 'contexts', id)
    const scratchDir = join(this.deps.root, 'contexts', `${id}-scratch`)
    const spillPath = join(this.deps.root, 'contexts', `${id}-spill`)
    let tree: ContextTree | undefined
    let remembering: Promise<void> | undefined
    try {
      tree = await readContext(opts.context, {
        root: contextDir, spillPath, scratchDir,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(key ? { stored: (name: string, fingerprint: string) => this.contexts.lookup(key, name, fingerprint) } : {}),
      })
      this.deps.logger.debug('build context received', { ...tree.transferStats(), ...(key ? { contextKey: key } : {}) })
      if (key) {
        // While the build runs: its files stay readable until the tree closes, after this settles.
        remembering = this.contexts.remember(key, tree.receivedFiles()).catch(async (err: unknown) => {
          this.deps.logger.warn('could not keep the build context for the next build', { error: err })
          await this.contexts.forget(key)
        })
      }
      return await this.buildIn(tree, scratchDir, opts)
    } finally {
      await remembering
      await tree?.close()
      await rm(spillPath, { force: true })
      await rm(scratchDir, { recursive: true, force: true })
    }
  }

  private async buildIn(context: ContextTree, scratchDir: string, opts: BuildOptions): Promise<BuildResult> {
    const emit = opts.onEvent ?? (() => undefined)
    const tags = (opts.tags ?? []).map((t) => {
      normalizeReference(t)
      return t
    })
    const { dockerfile, dockerfileName } = await prepareContext(context, opts.dockerfile)
    // A Dockerfile the CLI added from stdin or from outside the context has a generated name.
    const base = dockerfileName.split('/').pop() || 'Dockerfile'
    const file = base.startsWith('.dockerfile.') ? 'Dockerfile' : base
    const df = toStages(parseDockerfile(dockerfile, file), file)
    if (opts.platform && opts.platform !== 'linux/amd64' && opts.platform !== 'linux') {
      throw new EngineError('InvalidArgument', 'UNSUPPORTED_PLATFORM', `berth builds linux/amd64 images only, not "${opts.platform}"`)
    }

    const buildArgs = new Map<string, string>()
    const mentioned = new Set<string>()
    for (const [k, v] of Object.entries(opts.buildArgs ?? {})) {
      mentioned.add(k)
      if (v !== null && v !== undefined) buildArgs.set(k, v)
    }
    const usedArgs = new Set<string>()
    const epochText = buildArgs.get('SOURCE_DATE_EPOCH')
    const epoch = epochText !== undefined && /^\d+$/.test(epochText) ? Number(epochText) : undefined
    if (epochText !== undefined) usedArgs.add('SOURCE_DATE_EPOCH')

    const metaArgs = new Map<string, string>()
    for (const step of df.metaArgs) {
      for (const a of step.instruction.args) {
        const value = buildArgs.get(a.key) ?? (a.value !== undefined ? expandWord(a.value, metaArgs, df.escape) : undefined)
        if (buildArgs.has(a.key)) usedArgs.add(a.key)
        if (value !== undefined) metaArgs.set(a.key, value)
      }
    }

    let target = df.stages[df.stages.length - 1] as Stage
    if (opts.target) {
      const found = df.stages.find((s) => s.name === opts.target?.toLowerCase())
      if (!found) throw new EngineError('InvalidArgument', 'BUILD_TARGET_NOT_FOUND', `failed to reach build target ${opts.target} in Dockerfile`)
      target = found
    }
    const needed = neededStages(df, target, metaArgs)
    const labelStep = this.labelStep(opts.labels, target)
    let total = 0
    for (const s of df.stages) if (needed.has(s.index)) total += 1 + s.steps.length
    if (labelStep) total++

    const cacheFrom: ImageRecord[] = []
    for (const ref of opts.cacheFrom ?? []) {
      try {
        cacheFrom.push(await this.deps.images.resolve(ref))
      } catch {
        emit({ type: 'message', text: `[Warning] --cache-from image ${ref} not found, ignoring it\n` })
      }
    }
    const byName = new Map(df.stages.filter((s) => s.name).map((s) => [s.name as string, s.index]))
    const run: BuildRun = {
      file,
      escape: df.escape,
      context,
      scratchDir,
      images: this.deps.images,
      committer: this.deps.committer,
      cache: this.cache,
      workspace: this.deps.workspace,
      exec: this.deps.exec,
      buildArgs,
      usedArgs,
      metaArgs,
      stageStates: new Map(),
      stageIndex: (name) => byName.get(name),
      noCache: opts.noCache === true,
      pull: opts.pull === true,
      pullImage: this.deps.pullImage,
      ...(this.deps.fetchUrl ? { fetchUrl: this.deps.fetchUrl } : {}),
      cacheFrom,
      epoch,
      now: () => isoTime(epoch !== undefined ? new Date(epoch * 1000) : this.clock()).replace('.000Z', 'Z'),
      emit,
      ...(opts.signal ? { signal: opts.signal } : {}),
      counter: { index: 0, total },
    }
    await mkdir(scratchDir, { recursive: true })
    let final: BuildState | undefined
    for (const stage of df.stages) {
      if (!needed.has(stage.index)) continue
      const steps = stage === target && labelStep ? [...stage.steps, labelStep] : stage.steps
      final = await new StageRunner(run).build(stage.from, steps)
      run.stageStates.set(stage.index, final)
    }
    if (!final) throw new EngineError('Internal', 'BUILD_NO_RESULT', 'the build produced no image')

    const unusedArgs = [...mentioned].filter((k) => !usedArgs.has(k) && !(k in PREDEFINED)).sort()
    if (unusedArgs.length > 0) emit({ type: 'message', text: `[Warning] One or more build-args [${unusedArgs.join(' ')}] were not consumed\n` })
    const image = await this.register(final, tags)
    return { imageId: image.id, tags: tags.map((t) => familiarReference(normalizeReference(t))), unusedArgs }
  }

  /** `--label`s become a LABEL step at the end of the target stage, as dockerd adds them. */
  private labelStep(labels: Record<string, string> | undefined, target: Stage): Step | undefined {
    const entries = Object.entries(labels ?? {})
    if (entries.length === 0) return undefined
    const text = `LABEL ${entries.map(([k, v]) => `${JSON.stringify(k)}='${v}'`).join(' ')}`
    const line = target.steps[target.steps.length - 1]?.node.endLine ?? target.from.node.endLine
    return {
      node: { keyword: 'LABEL', flags: [], rest: text.slice(6), heredocs: [], original: text, startLine: line, endLine: line },
      instruction: { kind: 'LABEL', pairs: entries.map(([key, value]) => ({ key: `'${key.replace(/'/g, '')}'`, value: `'${value.replace(/'/g, '')}'` })) },
    }
  }

  private async register(state: BuildState, tags: readonly string[]): Promise<ImageRecord> {
    // A Dockerfile that is only `FROM image` gives that image itself.
    try {
      const existing = await this.deps.images.resolve(state.id)
      for (const t of tags) await this.deps.images.tag(existing.id, t)
      return existing
    } catch {
      return this.deps.committer.register(configJson(state.config), tags)
    }
  }

  async prune(opts: { all?: boolean } = {}): Promise<BuildPruneResult> {
    void opts
    const records = await this.cache.all()
    for (const r of records) await this.cache.delete(r.key)
    const spaceReclaimed = await this.deps.committer.releaseLayers(records.map((r) => r.diffIds)) + await this.contexts.clear()
    return { cachesDeleted: records.map((r) => r.key.slice('sha256:'.length)), spaceReclaimed }
  }

  async cleanup(): Promise<void> {
    await this.deps.workspace.cleanup()
    await rm(join(this.deps.root, 'contexts'), { recursive: true, force: true })
  }
}

/** Build args every build knows without an ARG (no "not consumed" warning). */
const PREDEFINED: Record<string, true> = {
  HTTP_PROXY: true, http_proxy: true, HTTPS_PROXY: true, https_proxy: true, FTP_PROXY: true, ftp_proxy: true,
  NO_PROXY: true, no_proxy: true, ALL_PROXY: true, all_proxy: true, SOURCE_DATE_EPOCH: true,
}

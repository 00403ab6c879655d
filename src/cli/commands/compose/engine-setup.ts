import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { DockerIgnore } from '../../../common/index.js'
import { ComposeEngine, type ContextArchiver } from '../../../compose/engine/index.js'
import type { CliContext } from '../../context.js'
import { contextTar } from '../build/context-tar.js'
import { registryAuthForImage } from '../registry/docker-config.js'
import type { ComposeGlobalOptions } from './project-options.js'
import { ProgressView, type ProgressMode } from './progress-view.js'

/** The build context as `berth build` sends it: .dockerignore applied, Dockerfile and .dockerignore kept. */
export const contextArchiver: ContextArchiver = (dir, { dockerfile, extra }) => {
  let ignore: DockerIgnore | undefined
  try {
    ignore = DockerIgnore.parse(readFileSync(join(dir, '.dockerignore'), 'utf8'))
  } catch {
    ignore = undefined
  }
  const keep = new Set(['.dockerignore', dockerfile])
  return contextTar({ dir, extra, ...(ignore ? { ignore, keep } : {}) })
}

/** Whether to colour output: --ansi always|never, else when the stream is a terminal (and NO_COLOR unset). */
export function useColour(ctx: CliContext, options: Record<string, unknown>, stream: { isTTY?: boolean }): boolean {
  const ansi = (options as ComposeGlobalOptions).ansi ?? 'auto'
  if (ansi === 'never') return false
  if (ansi === 'always') return true
  return stream.isTTY === true && !ctx.io.env['NO_COLOR']
}

/** The compose engine for a command, drawing its progress on stderr (the view, for commands that print more). */
export function composeEngine(ctx: CliContext, options: Record<string, unknown>, extra: { quietBuild?: boolean; progress?: ProgressMode } = {}): { engine: ComposeEngine; view: ProgressView } {
  const g = options as ComposeGlobalOptions
  const mode = (extra.progress ?? g.progress ?? 'auto') as ProgressMode
  const view = new ProgressView(ctx.io.stderr, mode, useColour(ctx, options, ctx.io.stderr))
  const engine = new ComposeEngine({
    client: ctx.client(),
    progress: view.event,
    archiver: contextArchiver,
    registryAuth: (ref) => registryAuthForImage(ctx.io.env, ref) || undefined,
    ...(extra.quietBuild || mode === 'quiet' ? {} : { buildOutput: (_service: string, text: string) => view.text(text) }),
  })
  return { engine, view }
}

/** `--scale svc=N` values. */
export function parseScale(values: string[] | undefined): Record<string, number> {
  const out: Record<string, number> = {}
  for (const v of values ?? []) {
    const eq = v.indexOf('=')
    const n = Number(v.slice(eq + 1))
    if (eq <= 0 || !/^\d+$/.test(v.slice(eq + 1))) throw new Error(`invalid --scale option ${JSON.stringify(v)}. Should be SERVICE=NUM`)
    out[v.slice(0, eq)] = n
  }
  return out
}

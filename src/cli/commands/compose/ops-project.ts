import type { ComposeProject } from '../../../compose/model/index.js'
import type { OpsTarget, ProgressSink } from '../../../compose/ops/index.js'
import type { CliContext } from '../../context.js'
import { useColour } from './engine-setup.js'
import { loadComposeProject, resolveProjectName, type ComposeGlobalOptions } from './project-options.js'
import { ProgressView, type ProgressMode } from './progress-view.js'

/**
 * Compose's projectOrName: with -p and no -f the name alone (nothing is read, so the command works
 * where no compose file exists); otherwise the loaded project, or COMPOSE_PROJECT_NAME when the
 * files cannot be loaded and that variable is set.
 */
export async function projectOrName(ctx: CliContext, options: Record<string, unknown>): Promise<{ name: string; project?: ComposeProject }> {
  const g = options as ComposeGlobalOptions
  if (g.projectName && !(g.file ?? []).length) return { name: g.projectName }
  try {
    const project = await loadComposeProject(ctx, options)
    return { name: project.name, project }
  } catch (err) {
    const fromEnv = ctx.io.env.COMPOSE_PROJECT_NAME
    if (fromEnv) return { name: fromEnv }
    throw err
  }
}

/** Compose's toProjectName: -p, else COMPOSE_PROJECT_NAME, else the loaded project's name. */
export async function projectName(ctx: CliContext, options: Record<string, unknown>): Promise<string> {
  const g = options as ComposeGlobalOptions
  if (g.projectName) return g.projectName
  if (ctx.io.env.COMPOSE_PROJECT_NAME) return ctx.io.env.COMPOSE_PROJECT_NAME
  return resolveProjectName(ctx, options)
}

/**
 * Progress on stderr drawn like every other compose command's (the group's ProgressView, so
 * `stop` looks like `up`/`down`: " ✔ Container p-web-1  Stopped", or --progress plain/json/quiet).
 */
export function progressSink(ctx: CliContext, options: Record<string, unknown>): ProgressSink {
  const view = progressView(ctx, options)
  return (event) => view.event({ id: event.id, status: event.text, state: event.status, ...(event.detail ? { text: event.detail } : {}) })
}

/** The group's progress renderer for this command's --progress and --ansi. */
export function progressView(ctx: CliContext, options: Record<string, unknown>): ProgressView {
  const mode = ((options as ComposeGlobalOptions).progress ?? 'auto') as ProgressMode
  return new ProgressView(ctx.io.stderr, mode, useColour(ctx, options, ctx.io.stderr))
}

/** The OpsTarget for a command: client, name, project when loaded, progress on stderr. */
export async function opsTarget(ctx: CliContext, options: Record<string, unknown>): Promise<OpsTarget> {
  const { name, project } = await projectOrName(ctx, options)
  return { client: ctx.client(), projectName: name, project, progress: progressSink(ctx, options) }
}

/**
 * Compose's confirmation prompt: on a terminal survey's "? message (y/N) "; otherwise its "Pipe"
 * prompt, the message as is. Reads one line and accepts y/yes/true/1 (case-insensitive).
 */
export async function confirmPrompt(ctx: CliContext, message: string): Promise<boolean> {
  ctx.io.stdout.write(ctx.io.stdin.isTTY ? `? ${message} (y/N) ` : message)
  const line = await readLine(ctx)
  return /^(y|yes|t|true|1)$/i.test(line.trim())
}

function readLine(ctx: CliContext): Promise<string> {
  return new Promise<string>((resolve) => {
    let buf = ''
    const stdin = ctx.io.stdin
    const finish = (): void => {
      stdin.off('data', onData)
      stdin.off('end', finish)
      stdin.pause()
      resolve(buf.split('\n')[0] ?? '')
    }
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString()
      if (buf.includes('\n')) finish()
    }
    stdin.on('data', onData)
    stdin.once('end', finish)
    stdin.resume()
  })
}

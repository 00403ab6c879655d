import type { CliContext } from '../../context.js'
import type { ComposeProject } from '../../../compose/model/index.js'

/**
 * The `berth compose` group's own flags (docker compose's global flags), which every compose
 * subcommand handler receives merged into its `options`: -f/--file, -p/--project-name, --profile,
 * --env-file, --project-directory, --progress, --ansi, --dry-run, --parallel.
 */
export interface ComposeGlobalOptions {
  file?: string[]
  projectName?: string
  profile?: string[]
  envFile?: string[]
  projectDirectory?: string
  ansi?: string
  progress?: string
  dryRun?: boolean
  parallel?: number
}

/**
 * Loads the project the compose flags and environment designate (ComposeError, which names the
 * file and key, on bad input). Loader warnings go to stderr as Compose's "WARN[0000] ..." lines.
 */
export async function loadComposeProject(ctx: CliContext, options: Record<string, unknown>): Promise<ComposeProject> {
  const { loadProject } = await import('../../../compose/model/index.js')
  const g = options as ComposeGlobalOptions
  return loadProject({
    files: g.file ?? [], projectName: g.projectName, envFiles: g.envFile ?? [], profiles: g.profile ?? [],
    projectDirectory: g.projectDirectory, env: ctx.io.env, cwd: process.cwd(),
    onWarning: (message) => void ctx.io.stderr.write(`WARN[0000] ${message}\n`),
    readStdin: async () => {
      const chunks: Buffer[] = []
      for await (const c of ctx.io.stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer))
      return Buffer.concat(chunks).toString('utf8')
    },
  })
}

/**
 * The project name alone, for commands that work without the files (`down`, `ps`, `logs`... with
 * -p and no compose file present, as docker compose allows).
 */
export async function resolveProjectName(ctx: CliContext, options: Record<string, unknown>): Promise<string> {
  const g = options as ComposeGlobalOptions
  if (g.projectName) return g.projectName
  return (await loadComposeProject(ctx, options)).name
}

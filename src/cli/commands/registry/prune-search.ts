import type { CommandHandler } from '../../command-spec.js'
import { formatColumns, humanSizeLong } from '../../../format/index.js'
import { parseFilters } from '../shared/filters.js'
import { registryAuthForImage } from './docker-config.js'

async function confirm(ctx: Parameters<CommandHandler>[0], question: string): Promise<boolean> {
  ctx.io.stdout.write(`${question} [y/N] `)
  const line = await new Promise<string>((resolve) => {
    let buf = ''
    const onData = (c: Buffer): void => {
      buf += c.toString()
      if (buf.includes('\n')) done()
    }
    const done = (): void => {
      ctx.io.stdin.off('data', onData)
      ctx.io.stdin.off('end', done)
      ctx.io.stdin.pause()
      resolve(buf.split('\n')[0] ?? '')
    }
    ctx.io.stdin.on('data', onData)
    ctx.io.stdin.on('end', done)
  })
  return /^y(es)?$/i.test(line.trim())
}

/** `berth image prune [-a] [-f] [--filter ...]`: docker's warning, list and reclaimed space. */
export const pruneCommand: CommandHandler = async (ctx, _args, options) => {
  const flags = options as { all?: boolean; force?: boolean; filter?: string[] }
  const filters = parseFilters(flags.filter ?? [])
  filters.dangling = [flags.all ? 'false' : 'true']
  if (!flags.force) {
    const warning = flags.all
      ? 'WARNING! This will remove all images without at least one container associated to them.'
      : 'WARNING! This will remove all dangling images.'
    if (!(await confirm(ctx, `${warning}\nAre you sure you want to continue?`))) return
  }
  const result = await ctx.client().imagePrune(filters)
  const items = result.ImagesDeleted ?? []
  if (items.length > 0) {
    ctx.io.stdout.write('Deleted Images:\n')
    for (const item of items) ctx.io.stdout.write('Deleted' in item ? `deleted: ${item.Deleted}\n` : `untagged: ${item.Untagged}\n`)
    ctx.io.stdout.write('\n')
  }
  ctx.io.stdout.write(`Total reclaimed space: ${humanSizeLong(result.SpaceReclaimed)}\n`)
}

/** `berth search HOST:PORT/TERM`: a registry's catalog; Docker Hub cannot be searched. */
export const searchCommand: CommandHandler = async (ctx, args, options) => {
  const { limit } = options as { limit?: number }
  const term = args[0] ?? ''
  const auth = term.includes('/') ? safeAuth(ctx.io.env, term) : undefined
  const results = await ctx.client().imageSearch(term, { limit, registryAuth: auth })
  const rows = [['NAME', 'DESCRIPTION', 'STARS', 'OFFICIAL'], ...results.map((r) => [r.name, r.description, String(r.star_count), r.is_official ? '[OK]' : ''])]
  ctx.io.stdout.write(formatColumns(rows.map((r) => r.join('\t')).join('\n') + '\n'))
}

function safeAuth(env: NodeJS.ProcessEnv, term: string): string | undefined {
  try {
    return registryAuthForImage(env, `${term.split('/')[0]}/x`)
  } catch {
    return undefined
  }
}

import { randomBytes } from 'node:crypto'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { isAbsolute, join, relative, resolve } from 'node:path'
import { DockerIgnore } from '../../../common/index.js'
import { Readable } from 'node:stream'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { DaemonError } from '../../../client/index.js'
import type { EngineClient, ImageBuildOptions, JsonMessage } from '../../../client/index.js'
import { contextKeyOf, contextTar, fingerprints, walkContext, type ContextTarOptions } from './context-tar.js'
import { BuildProgress } from './progress.js'

interface BuildFlags {
  tag?: string[]
  file?: string
  buildArg?: string[]
  target?: string
  cache?: boolean
  progress?: string
  quiet?: boolean
  label?: string[]
  pull?: boolean
  cacheFrom?: string[]
  platform?: string
  iidfile?: string
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer))
  return Buffer.concat(chunks)
}

function isArchive(head: Buffer): boolean {
  return (head.length >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') || (head[0] === 0x1f && head[1] === 0x8b)
}

/** `K=V` pairs; a bare `K` takes the value from the environment, else null (docker's ConvertKVStringsToMapWithNil). */
export function buildArgMap(items: readonly string[], env: NodeJS.ProcessEnv): Record<string, string | null> {
  const out: Record<string, string | null> = {}
  for (const item of items) {
    const eq = item.indexOf('=')
    if (eq >= 0) out[item.slice(0, eq)] = item.slice(eq + 1)
    else out[item] = env[item] ?? null
  }
  return out
}

/** `berth build PATH|-`: sends the context, draws the progress, prints the image id with -q. */
export const buildCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as BuildFlags
  const source = args[0] ?? '.'
  if (/^(https?|git):\/\//.test(source) || source.startsWith('git@')) {
    throw new CliError(`unable to prepare context: building from a URL (${source}) is not supported by berth yet`, 1)
  }
  let context: Readable | undefined
  let transfer: ContextTransfer | undefined
  let dockerfile: string | undefined
  if (source === '-') {
    if (flags.file === '-') throw new CliError('invalid argument: can\'t use stdin for both build context and dockerfile', 1)
    const data = await readAll(ctx.io.stdin)
    if (isArchive(data)) context = Readable.from([data])
    else context = contextTar({ dir: undefined, extra: { Dockerfile: data } })
    if (!isArchive(data)) dockerfile = 'Dockerfile'
    else dockerfile = flags.file
  } else {
    try {
      if (!statSync(source).isDirectory()) throw new Error('not a directory')
    } catch {
      throw new CliError(`unable to prepare context: path "${source}" not found`, 1)
    }
    const extra: Record<string, Buffer> = {}
    if (flags.file === '-') {
      dockerfile = `.dockerfile.${randomBytes(10).toString('hex')}`
      extra[dockerfile] = await readAll(ctx.io.stdin)
    } else if (flags.file) {
      const abs = isAbsolute(flags.file) ? flags.file : resolve(flags.file)
      const rel = relative(resolve(source), abs)
      if (rel.startsWith('..') || isAbsolute(rel)) {
        dockerfile = `.dockerfile.${randomBytes(10).toString('hex')}`
        try {
          extra[dockerfile] = readFileSync(abs)
        } catch {
          throw new CliError(`unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${abs}: no such file or directory`, 1)
        }
      } else dockerfile = rel
    }
    let ignore: DockerIgnore | undefined
    try {
      ignore = DockerIgnore.parse(readFileSync(join(source, '.dockerignore'), 'utf8'))
    } catch {
      ignore = undefined
    }
    const keep = new Set(['.dockerignore', dockerfile ?? 'Dockerfile', ...(dockerfile ? [] : ['dockerfile'])])
    transfer = { dir: source, extra, entries: await walkContext(source, ignore ? { ignore, keep } : {}) }
  }
  const buildArgs = buildArgMap(flags.buildArg ?? [], process.env)
  if (process.env['SOURCE_DATE_EPOCH'] && !('SOURCE_DATE_EPOCH' in buildArgs)) buildArgs['SOURCE_DATE_EPOCH'] = process.env['SOURCE_DATE_EPOCH']
  const labels: Record<string, string> = {}
  for (const l of flags.label ?? []) {
    const eq = l.indexOf('=')
    labels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1)
  }
  const quiet = flags.quiet === true || flags.progress === 'quiet'
  const mode = flags.progress === 'plain' ? 'plain' : flags.progress === 'tty' || (flags.progress !== 'plain' && ctx.io.stdout.isTTY) ? 'tty' : 'plain'
  const buildOptions: ImageBuildOptions = {
    ...(dockerfile ? { dockerfile } : {}),
    tags: flags.tag ?? [],
    buildArgs,
    ...(flags.target ? { target: flags.target } : {}),
    noCache: flags.cache === false,
    labels,
    quiet,
    pull: flags.pull === true,
    cacheFrom: flags.cacheFrom ?? [],
    ...(flags.platform ? { platform: flags.platform } : {}),
  }
  const messages = transfer ? await sendContext(ctx.client(), transfer, buildOptions) : await ctx.client().imageBuild(context as Readable, buildOptions)
  const progress = quiet ? undefined : new BuildProgress(ctx.io.stdout, mode, ctx.io.stdout.columns ?? 100)
  let imageId: string | undefined
  let quietText = ''
  try {
    for await (const m of messages) {
      if (m.errorDetail || m.error) {
        const code = m.errorDetail?.code
        throw new CliError(m.errorDetail?.message ?? m.error ?? 'build failed', typeof code === 'number' && code > 0 ? code : 1)
      }
      const aux = m.aux as { ID?: string } | undefined
      if (aux?.ID) imageId = aux.ID
      if (m.stream !== undefined) {
        if (progress) progress.write(m.stream)
        else quietText += m.stream
      }
    }
    progress?.end(true)
  } catch (err) {
    progress?.end(false)
    if (quiet && quietText) ctx.io.stderr.write(quietText)
    throw err
  }
  if (quiet) ctx.io.stdout.write(quietText || `${imageId ?? ''}\n`)
  if (flags.iidfile && imageId) writeFileSync(flags.iidfile, imageId)
}

export interface ContextTransfer {
  dir: string
  extra: Record<string, Buffer>
  entries: ContextTarOptions['entries']
}

/**
 * Starts the build of a context directory. Against berthd, only the files it does not hold from an
 * earlier build of the same directory go with their data (POST /berth/build/context says which);
 * should it have dropped some meanwhile, the whole context goes again. Other daemons get the whole
 * context, as the docker CLI sends it.
 */
export async function sendContext(client: EngineClient, t: ContextTransfer, options: ImageBuildOptions): Promise<AsyncIterable<JsonMessage>> {
  const plain = { dir: t.dir, extra: t.extra, ...(t.entries ? { entries: t.entries } : {}) }
  const fps = fingerprints(t.entries ?? [])
  const key = await contextKeyOf(t.dir)
  let missing: Set<string>
  try {
    missing = new Set(await client.buildContextMissing(key, Object.fromEntries(fps)))
  } catch (err) {
    if (err instanceof DaemonError && (err.statusCode === 404 || err.statusCode === 405)) return client.imageBuild(contextTar(plain), options)
    throw err
  }
  const cached = new Set([...fps.keys()].filter((n) => !missing.has(n)))
  try {
    return await client.imageBuild(await whole(contextTar({ ...plain, fingerprints: fps, cached }), t.entries ?? [], cached), { ...options, contextKey: key })
  } catch (err) {
    if (!(err instanceof DaemonError && err.statusCode === 409 && err.message.startsWith('build context cache:')) || cached.size === 0) throw err
    return client.imageBuild(contextTar({ ...plain, fingerprints: fps }), { ...options, contextKey: key })
  }
}

/** Archives up to this size are made before they are sent, and go in one write. */
const ONE_PIECE_MAX = 8 << 20

/**
 * A small archive (most of all, one whose files the daemon has) in one piece: the daemon reads one
 * buffer instead of a few small chunks per entry.
 */
async function whole(tar: Readable, entries: readonly { name: string; stat: { size: bigint; isFile(): boolean } }[], cached: ReadonlySet<string>): Promise<Readable> {
  let estimate = 1024
  for (const e of entries) estimate += 1536 + (e.stat.isFile() && !cached.has(e.name) ? Number(e.stat.size) : 0)
  if (estimate > ONE_PIECE_MAX) return tar
  return Readable.from([await readAll(tar)])
}

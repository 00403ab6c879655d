import { readFileSync } from 'node:fs'
import { Writable } from 'node:stream'
import { isEngineError } from '../../../common/index.js'
import type { ContainerCreateRequest } from '../../../client/index.js'
import type { CliContext } from '../../context.js'
import { displayJsonMessages } from '../../render/json-messages.js'
import { withDefaultTag } from '../../../format/index.js'
import type { ConfigSources } from './container-config.js'
import { registryAuthForImage } from '../registry/docker-config.js'

export interface CreateOptions {
  name?: string
  platform?: string
  /** "always", "missing" (default) or "never". */
  pull?: string
  quiet?: boolean
}

/** Where --env-file and --label-file are read from, with docker's error wording. */
export function configSources(ctx: CliContext): ConfigSources {
  return {
    env: ctx.io.env,
    readFile: (path) => {
      try {
        return readFileSync(path, 'utf8')
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOENT') throw new Error(`open ${path}: no such file or directory`)
        if (code === 'EACCES') throw new Error(`open ${path}: permission denied`)
        throw err
      }
    },
  }
}

/** docker's validatePullOpt. */
export function validatePull(pull: string | undefined): void {
  if (pull === undefined || pull === '' || pull === 'always' || pull === 'missing' || pull === 'never') return
  throw new Error(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`)
}

/**
 * docker's createContainer(): pulls first with --pull=always; when the image is missing and
 * --pull=missing, prints "Unable to find image 'x:latest' locally", pulls and retries.
 * Prints the daemon's warnings and returns the new container's id.
 */
export async function createContainer(ctx: CliContext, request: ContainerCreateRequest, options: CreateOptions): Promise<string> {
  const client = ctx.client()
  const image = request.Image ?? ''
  const named = !/^(sha256:)?[0-9a-f]{64}$/.test(image)
  if (options.pull === 'always' && named) await pullImage(ctx, image, options)
  const query = { name: options.name, platform: options.platform }
  let response
  try {
    response = await client.containerCreate(request, query)
  } catch (err) {
    if (!(isEngineError(err, 'NotFound') && named && (options.pull ?? 'missing') === 'missing')) throw err
    if (!options.quiet) ctx.io.stderr.write(`Unable to find image '${withDefaultTag(image)}' locally\n`)
    await pullImage(ctx, image, options)
    response = await client.containerCreate(request, query)
  }
  for (const warning of response.Warnings ?? []) ctx.io.stderr.write(`WARNING: ${warning}\n`)
  return response.Id
}

async function pullImage(ctx: CliContext, image: string, options: CreateOptions): Promise<void> {
  const messages = await ctx.client().imagePull(image, { platform: options.platform, registryAuth: registryAuthForImage(ctx.io.env, image) })
  const out = options.quiet ? new Writable({ write: (_c, _e, cb) => cb() }) : ctx.io.stderr
  await displayJsonMessages(messages, out, !options.quiet && ctx.io.stderr.isTTY === true)
}

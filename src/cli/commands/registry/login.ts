import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'
import { authKeyFor, readDockerConfig, writeDockerConfig } from './docker-config.js'

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c)
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * `berth login [-u USER] [-p PASS | --password-stdin] [SERVER]`: the daemon checks the
 * credentials (POST /auth), then they are stored in config.json auths as docker does.
 */
export const loginCommand: CommandHandler = async (ctx, args, options) => {
  const flags = options as { username?: string; password?: string; passwordStdin?: boolean }
  const server = args[0]
  let password = flags.password
  if (flags.passwordStdin) {
    if (password !== undefined) throw new CliError('--password and --password-stdin are mutually exclusive', 1)
    if (!flags.username) throw new CliError('Must provide --username with --password-stdin', 1)
    password = (await readAll(ctx.io.stdin)).replace(/\r?\n$/, '')
  } else if (password !== undefined) {
    ctx.io.stderr.write('WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n')
  }
  if (!flags.username || password === undefined || password === '') {
    throw new CliError('Error: Cannot perform an interactive login from a non TTY device', 1)
  }
  const key = authKeyFor(server)
  const result = await ctx.client().registryLogin({ username: flags.username, password, serveraddress: key })
  const config = readDockerConfig(ctx.io.env)
  config.auths = { ...(config.auths ?? {}), [key]: { auth: Buffer.from(`${flags.username}:${password}`).toString('base64') } }
  if (result.IdentityToken) config.auths[key] = { identitytoken: result.IdentityToken }
  writeDockerConfig(ctx.io.env, config)
  ctx.io.stdout.write(`${result.Status || 'Login Succeeded'}\n`)
}

/** `berth logout [SERVER]`: drops the stored credentials. */
export const logoutCommand: CommandHandler = async (ctx, args) => {
  const key = authKeyFor(args[0])
  const config = readDockerConfig(ctx.io.env)
  const auths = config.auths ?? {}
  const found = [key, `https://${key}`, `http://${key}`].filter((k) => k in auths)
  if (found.length === 0) {
    ctx.io.stdout.write(`Not logged in to ${key}\n`)
    return
  }
  ctx.io.stdout.write(`Removing login credentials for ${key}\n`)
  for (const k of found) delete auths[k]
  config.auths = auths
  writeDockerConfig(ctx.io.env, config)
}

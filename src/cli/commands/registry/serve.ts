import { readFileSync } from 'node:fs'
import type { CommandHandler } from '../../command-spec.js'
import { CliError } from '../../render/errors.js'

/** `berth registry serve --addr HOST:PORT --root DIR`: runs until SIGINT/SIGTERM. */
export const serveCommand: CommandHandler = async (ctx, _args, options) => {
  const flags = options as { addr: string; root: string; htpasswd?: string; realm?: string; tlsCert?: string; tlsKey?: string }
  if ((flags.tlsCert === undefined) !== (flags.tlsKey === undefined)) throw new CliError('--tls-cert and --tls-key go together', 1)
  const { createRegistryServer, listenRegistry } = await import('../../../registry/index.js')
  let htpasswd: string | undefined
  if (flags.htpasswd) {
    try {
      htpasswd = readFileSync(flags.htpasswd, 'utf8')
    } catch (err) {
      throw new CliError(`cannot read htpasswd file: ${(err as Error).message}`, 1)
    }
  }
  const server = createRegistryServer({
    root: flags.root,
    htpasswd,
    realm: flags.realm,
    tls: flags.tlsCert && flags.tlsKey ? { cert: flags.tlsCert, key: flags.tlsKey } : undefined,
    log: ctx.debug ? (line) => ctx.io.stderr.write(`${line}\n`) : undefined,
  })
  let port: number
  try {
    port = await listenRegistry(server, flags.addr)
  } catch (err) {
    throw new CliError(`listen ${flags.addr}: ${(err as Error).message}`, 1)
  }
  const host = flags.addr.slice(0, flags.addr.lastIndexOf(':'))
  ctx.io.stderr.write(`berth registry listening on ${flags.tlsCert ? 'https' : 'http'}://${host}:${port} (storage ${flags.root})\n`)
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      server.close(() => resolve())
      server.closeAllConnections()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
  })
}

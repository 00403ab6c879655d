import { readFileSync } from 'node:fs'
import { CommanderError } from 'commander'
import { createStderrLogger, errorMessage } from '../common/index.js'
import { defaultConfigFile, parseDaemonArgs } from './config.js'
import { createDaemon } from './create-daemon.js'
import { DaemonConfigError, type ConfigFileReader } from './daemon-json.js'
import { checkHosts } from './listeners.js'
import { dropOwnMallocTunables } from './malloc-tunables.js'
import { restoreExtraCaCerts } from './start-env.js'

const readConfigFile: ConfigFileReader = (path) => {
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new DaemonConfigError(`unable to configure the daemon with file ${path}: ${(err as Error).message}`)
  }
}

async function main(): Promise<void> {
  dropOwnMallocTunables(process.env)
  restoreExtraCaCerts(process.env)
  let config
  try {
    config = parseDaemonArgs(process.argv.slice(2), readConfigFile)
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 125)
    if (err instanceof DaemonConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exit(1)
    }
    throw err
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('berthd needs to be started as root\n')
    process.exit(1)
  }
  const logger = createStderrLogger(config.logLevel)
  if (config.configFile) logger.info(`configuration read from ${config.configFile}`)
  for (const w of config.configWarnings) logger.warn(w)
  // A start that listenAll() would refuse must not make bridges or firewall tables on the way.
  checkHosts(config.hosts, { ...(config.tls ? { tls: config.tls } : {}), insecureTcpAllowed: config.insecureTcpAllowed })
  const daemon = await createDaemon(config, logger)
  await daemon.listen()
  logger.info('berthd has completed initialization', { runtime: daemon.engine ? config.runtime : '' })
  let stopping = false
  const stop = (sig: string): void => {
    if (stopping) return
    stopping = true
    logger.info(`Processing signal '${sig}'`)
    daemon.close().then(
      () => process.exit(0),
      () => process.exit(1),
    )
    setTimeout(() => process.exit(0), 3000).unref()
  }
  // As dockerd: SIGHUP re-reads the configuration file and applies what can change live (reload.ts).
  process.on('SIGHUP', () => {
    logger.info(`Got signal to reload configuration, reloading from: ${config.configFile ?? defaultConfigFile}`)
    try {
      const next = parseDaemonArgs(process.argv.slice(2), readConfigFile)
      const result = daemon.reload(next, (level) => logger.setLevel(level))
      logger.info(`Reloaded configuration: ${JSON.stringify(result.attributes)}`, { changed: result.applied.join(',') || 'nothing' })
      if (result.needRestart.length > 0) logger.warn(`configuration changes that need a restart of berthd were not applied: ${result.needRestart.join(', ')}`)
    } catch (err) {
      logger.error('Error reloading configuration: keeping the current one', { error: errorMessage(err) })
    }
  })
  process.on('SIGTERM', () => stop('terminated'))
  process.on('SIGINT', () => stop('interrupt'))
  process.on('uncaughtException', (err) => logger.error('uncaught exception', { err: err.stack ?? String(err) }))
  process.on('unhandledRejection', (err) => logger.error('unhandled rejection', { err: err instanceof Error ? err.stack : String(err) }))
}

main().catch((err: unknown) => {
  process.stderr.write(`failed to start daemon: ${errorMessage(err)}\n`)
  process.exit(1)
})

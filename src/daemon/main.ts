import { CommanderError } from 'commander'
import { createStderrLogger, errorMessage } from '../common/index.js'
import { parseDaemonArgs } from './config.js'
import { createDaemon } from './create-daemon.js'

async function main(): Promise<void> {
  let config
  try {
    config = parseDaemonArgs(process.argv.slice(2))
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : 125)
    throw err
  }
  if (process.getuid?.() !== 0) {
    process.stderr.write('berthd needs to be started as root\n')
    process.exit(1)
  }
  const logger = createStderrLogger(config.logLevel)
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
  process.on('SIGTERM', () => stop('terminated'))
  process.on('SIGINT', () => stop('interrupt'))
  process.on('uncaughtException', (err) => logger.error('uncaught exception', { err: err.stack ?? String(err) }))
  process.on('unhandledRejection', (err) => logger.error('unhandled rejection', { err: err instanceof Error ? err.stack : String(err) }))
}

main().catch((err: unknown) => {
  process.stderr.write(`failed to start daemon: ${errorMessage(err)}\n`)
  process.exit(1)
})

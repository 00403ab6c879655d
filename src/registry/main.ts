// Entry point of the berth/registry image (bundled into bin/berth-registry, run by the node binary
// inside the image): Distribution's `registry:2` environment variables, access log on stdout.
import { readFileSync } from 'node:fs'
import { createRegistryServer, listenRegistry } from './server/registry-server.js'
import { registryConfigFromEnv } from './server/env-config.js'

function main(): void {
  let config
  let server
  try {
    config = registryConfigFromEnv(process.env)
    server = createRegistryServer({
      root: config.root,
      htpasswd: config.htpasswd ? readFileSync(config.htpasswd.path, 'utf8') : undefined,
      realm: config.htpasswd?.realm,
      tls: config.tls,
      deleteEnabled: config.deleteEnabled,
      log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
    })
  } catch (err) {
    process.stderr.write(`berth registry: ${(err as Error).message}\n`)
    process.exit(1)
  }
  listenRegistry(server, config.addr).then(
    (port) => process.stderr.write(`berth registry listening on ${config.tls ? 'https' : 'http'}://${config.addr.slice(0, config.addr.lastIndexOf(':'))}:${port} (storage ${config.root}${config.htpasswd ? ', htpasswd auth' : ''})\n`),
    (err: Error) => {
      process.stderr.write(`berth registry: listen ${config.addr}: ${err.message}\n`)
      process.exit(1)
    },
  )
  const stop = (): void => {
    server.close(() => process.exit(0))
    server.closeAllConnections()
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

main()

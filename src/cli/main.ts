// Entry point of the `berth` command (bundled into bin/berth).
import type { CliIo } from './context.js'
import { runCli } from './cli.js'

// process.stdin and process.stderr are built on first access (a tty, pipe or file stream: up
// to ~10 ms each); most commands never touch them, so they are looked up only when used.
const io: CliIo = {
  get stdin() {
    return process.stdin
  },
  stdout: process.stdout,
  get stderr() {
    return process.stderr
  },
  env: process.env,
}

// bin/berth passes NODE_EXTRA_CA_CERTS on under another name so that node does not load it at start-up
// (see scripts/bundle-cli.mjs); processes the CLI starts get it back under its own name.
if (process.env.BERTH_EXTRA_CA_CERTS !== undefined && process.env.NODE_EXTRA_CA_CERTS === undefined) {
  process.env.NODE_EXTRA_CA_CERTS = process.env.BERTH_EXTRA_CA_CERTS
}

// `berth ps | head -1`: a closed pipe ends output quietly, as it does for docker.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})

runCli(process.argv.slice(2), io).then((code) => {
  // Flush stdout before exiting: attached runs may leave stdin or sockets open.
  process.stdout.write('', () => process.exit(code))
})

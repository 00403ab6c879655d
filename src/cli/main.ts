// Entry point of the `berth` command (bundled into bin/berth).
import { runCli } from './cli.js'

const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env }

// `berth ps | head -1`: a closed pipe ends output quietly, as it does for docker.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0)
  throw err
})

runCli(process.argv.slice(2), io).then((code) => {
  // Flush stdout before exiting: attached runs may leave stdin or sockets open.
  process.stdout.write('', () => process.exit(code))
})

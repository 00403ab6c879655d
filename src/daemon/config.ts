import { Command, Option } from 'commander'
import type { LogLevel } from '../common/index.js'

export interface DaemonConfig {
  hosts: string[]
  dataRoot: string
  execRoot: string
  pidfile: string
  runtime: 'crun' | 'runc'
  logLevel: LogLevel
  /** Group that owns the unix socket (dockerd's -G); root's group when absent. */
  group: string | undefined
  /** Registries reached over plain HTTP (dockerd's --insecure-registry); loopback ones always are. */
  insecureRegistries?: string[]
  /** berth's own: never contact a registry outside loopback (the integration tests run with it). */
  loopbackRegistriesOnly?: boolean
}

export const defaultSocket = 'unix:///run/berth/berth.sock'

/** Parses berthd's argv with dockerd's flag names. Throws a commander error on bad flags. */
export function parseDaemonArgs(argv: readonly string[]): DaemonConfig {
  const program = new Command('berthd')
    .description('berthd: a container engine that serves the Docker Engine API')
    .option('-H, --host <address>', 'daemon socket(s) to listen on (unix:// or tcp://)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--data-root <dir>', 'root directory of persistent state', '/var/lib/berth')
    .option('--exec-root <dir>', 'root directory for execution state files', '/run/berth')
    .option('-p, --pidfile <file>', 'path to use for daemon PID file')
    .addOption(new Option('--runtime <name>', 'default OCI runtime for containers').choices(['crun', 'runc']).default('crun'))
    .addOption(new Option('-l, --log-level <level>', 'set the logging level').choices(['debug', 'info', 'warn', 'error', 'fatal']).default('info'))
    .option('-D, --debug', 'enable debug mode')
    .option('-G, --group <group>', 'group for the unix socket')
    .option('--insecure-registry <registry>', 'enable insecure registry communication', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--loopback-registries-only', 'contact no registry outside loopback (berth only)')
    .version(process.env.BERTH_VERSION ?? '0.1.0', '-v, --version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .allowExcessArguments(false)
  program.parse(argv as string[], { from: 'user' })
  const o = program.opts<{
    host: string[]; dataRoot: string; execRoot: string; pidfile?: string; runtime: 'crun' | 'runc'
    logLevel: LogLevel; debug?: boolean; group?: string; insecureRegistry: string[]; loopbackRegistriesOnly?: boolean
  }>()
  return {
    hosts: o.host.length > 0 ? o.host : [defaultSocket.replace('/run/berth', o.execRoot)],
    dataRoot: o.dataRoot,
    execRoot: o.execRoot,
    pidfile: o.pidfile ?? `${o.execRoot}/berthd.pid`,
    runtime: o.runtime,
    logLevel: o.debug ? 'debug' : o.logLevel,
    group: o.group,
    insecureRegistries: o.insecureRegistry,
    loopbackRegistriesOnly: o.loopbackRegistriesOnly ?? false,
  }
}

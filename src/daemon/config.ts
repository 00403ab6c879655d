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
  /** Default bridge: name (berth flag), and --bip "172.17.0.1/16" as dockerd. */
  bridgeName: string
  bip: string | undefined
  /** Prefix of every host object of this daemon (nft table, bridges, veths); <= 8 characters. */
  netPrefix: string
  /** --default-address-pool "base=...,size=N" entries, as dockerd. */
  defaultAddressPools: string[]
  /** nftables, or iptables (auto: nftables when `nft` is installed). */
  firewallBackend: 'auto' | 'nftables' | 'iptables'
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
    .option('--bip <cidr>', 'IPv4 address and prefix of the default bridge ("172.17.0.1/16")')
    .option('--bridge-name <name>', 'name of the default bridge', 'berth0')
    .option('--net-prefix <prefix>', 'prefix of the nftables table, bridges and veths this daemon creates', 'berth')
    .addOption(new Option('--firewall-backend <name>', 'how berthd programs the firewall').choices(['auto', 'nftables', 'iptables']).default('auto'))
    .option('--default-address-pool <pool>', 'default address pool for networks ("base=10.10.0.0/16,size=24")', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .version(process.env.BERTH_VERSION ?? '0.1.0', '-v, --version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .allowExcessArguments(false)
  program.parse(argv as string[], { from: 'user' })
  const o = program.opts<{
    host: string[]; dataRoot: string; execRoot: string; pidfile?: string; runtime: 'crun' | 'runc'
    logLevel: LogLevel; debug?: boolean; group?: string; bip?: string; bridgeName: string; netPrefix: string
    defaultAddressPool: string[]; firewallBackend: 'auto' | 'nftables' | 'iptables'
  }>()
  if (!/^[a-z][a-z0-9]{0,7}$/.test(o.netPrefix)) throw new Error(`invalid --net-prefix "${o.netPrefix}": 1-8 lowercase letters and digits`)
  if (o.bridgeName.length > 15) throw new Error(`invalid --bridge-name "${o.bridgeName}": at most 15 characters`)
  return {
    hosts: o.host.length > 0 ? o.host : [defaultSocket.replace('/run/berth', o.execRoot)],
    dataRoot: o.dataRoot,
    execRoot: o.execRoot,
    pidfile: o.pidfile ?? `${o.execRoot}/berthd.pid`,
    runtime: o.runtime,
    logLevel: o.debug ? 'debug' : o.logLevel,
    group: o.group,
    bridgeName: o.bridgeName,
    bip: o.bip,
    netPrefix: o.netPrefix,
    defaultAddressPools: o.defaultAddressPool,
    firewallBackend: o.firewallBackend,
  }
}

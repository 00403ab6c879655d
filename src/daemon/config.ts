import { Command, Option } from 'commander'
import type { LogLevel } from '../common/index.js'
import { applyDaemonJson, type ConfigFileReader } from './daemon-json.js'
import { validateDaemonLabels } from './reload.js'

export interface TlsConfig {
  /** Require and verify client certificates against `ca` (--tlsverify). */
  verify: boolean
  ca: string
  cert: string
  key: string
}

export interface DaemonConfig {
  hosts: string[]
  dataRoot: string
  execRoot: string
  pidfile: string
  runtime: 'crun' | 'runc'
  logLevel: LogLevel
  /** Group that owns the unix socket (dockerd's -G); root's group when absent. */
  group: string | undefined
  /** TLS for tcp:// listeners; undefined = none. */
  tls: TlsConfig | undefined
  /** `--tls=false` said explicitly: plain TCP allowed (with a loud warning). */
  insecureTcpAllowed: boolean
  /** The daemon.json that was read, if any. */
  configFile: string | undefined
  /** Warnings found while reading the configuration (keys berth accepts but does not act on). */
  configWarnings: string[]
  /** Default bridge: name (berth flag), and --bip "172.17.0.1/16" as dockerd. */
  bridgeName: string
  bip: string | undefined
  /** Prefix of every host object of this daemon (nft table, bridges, veths); <= 8 characters. */
  netPrefix: string
  /** --default-address-pool "base=...,size=N" entries, as dockerd. */
  defaultAddressPools: string[]
  /** Registries reached over plain HTTP (dockerd's --insecure-registry); loopback ones always are. */
  insecureRegistries?: string[]
  /** berth's own: never contact a registry outside loopback (the integration tests run with it). */
  loopbackRegistriesOnly?: boolean
  /** nftables, or iptables (auto: nftables when `nft` is installed). */
  firewallBackend: 'auto' | 'nftables' | 'iptables'
  /** --userns-remap "default" | "user[:group]": containers' root is that user's first subordinate id. */
  usernsRemap?: string
  /** --label key=value: the daemon's labels (/info Labels); reloaded on SIGHUP. */
  labels?: string[]
  /** Parallel layer downloads per pull and uploads per push (dockerd's defaults 3 and 5); reloaded on SIGHUP. */
  maxConcurrentDownloads?: number
  maxConcurrentUploads?: number
}

export const defaultSocket = 'unix:///run/berth/berth.sock'
export const defaultConfigFile = '/etc/berth/daemon.json'

/** `--tls`, `--tls=true`, `--tls=false`: commander's optional value, read as a boolean. */
const boolFlag = (v: string | undefined): boolean => {
  if (v === undefined || v === '' || v === 'true' || v === '1') return true
  if (v === 'false' || v === '0') return false
  throw new Error(`invalid boolean value "${v}"`)
}

/** The daemon's command: dockerd's flag names; every long flag is also a daemon.json key. */
export function daemonCommand(): Command {
  return new Command('berthd')
    .description('berthd: a container engine that serves the Docker Engine API')
    .option('-H, --host <address>', 'daemon socket(s) to listen on (unix://, tcp://, fd://)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--data-root <dir>', 'root directory of persistent state', '/var/lib/berth')
    .option('--exec-root <dir>', 'root directory for execution state files', '/run/berth')
    .option('-p, --pidfile <file>', 'path to use for daemon PID file')
    .addOption(new Option('--runtime <name>', 'default OCI runtime for containers').choices(['crun', 'runc']).default('crun'))
    .addOption(new Option('--default-runtime <name>', 'alias of --runtime (daemon.json "default-runtime")').choices(['crun', 'runc']))
    .addOption(new Option('-l, --log-level <level>', 'set the logging level').choices(['debug', 'info', 'warn', 'error', 'fatal']).default('info'))
    .option('-D, --debug', 'enable debug mode')
    .option('-G, --group <group>', 'group for the unix socket')
    .option('--tls [bool]', 'use TLS; implied by --tlsverify (--tls=false allows plain TCP)', boolFlag)
    .option('--tlsverify [bool]', 'use TLS and verify the remote', boolFlag)
    .option('--tlscacert <file>', 'trust certs signed only by this CA', '~/.docker/ca.pem')
    .option('--tlscert <file>', 'path to TLS certificate file', '~/.docker/cert.pem')
    .option('--tlskey <file>', 'path to TLS key file', '~/.docker/key.pem')
    .option('--config-file <file>', 'daemon configuration file', defaultConfigFile)
    .option('--bip <cidr>', 'IPv4 address and prefix of the default bridge ("172.17.0.1/16")')
    .option('--bridge-name <name>', 'name of the default bridge', 'berth0')
    .option('--net-prefix <prefix>', 'prefix of the nftables table, bridges and veths this daemon creates', 'berth')
    .addOption(new Option('--firewall-backend <name>', 'how berthd programs the firewall').choices(['auto', 'nftables', 'iptables']).default('auto'))
    .option('--default-address-pool <pool>', 'default address pool for networks ("base=10.10.0.0/16,size=24")', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--insecure-registry <registry>', 'enable insecure registry communication', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--max-concurrent-downloads <int>', 'set the max concurrent downloads', '3')
    .option('--max-concurrent-uploads <int>', 'set the max concurrent uploads', '5')
    .option('--label <key=value>', 'set key=value labels to the daemon', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--userns-remap <string>', 'user/group setting for user namespaces ("default" creates berthremap)')
    .option('--loopback-registries-only', 'contact no registry outside loopback (berth only)')
    .version(process.env.BERTH_VERSION ?? '0.1.0', '-v, --version')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .allowExcessArguments(false)
}

const home = (p: string): string => (p.startsWith('~/') ? `${process.env.HOME ?? '/root'}${p.slice(1)}` : p)

/**
 * Parses berthd's argv with dockerd's flag names, then merges the daemon.json (--config-file, default
 * /etc/berth/daemon.json; a missing default file is fine) as dockerd does: a key also given as a flag
 * is an error. Throws a commander error on bad flags and a DaemonConfigError on a bad file.
 */
export function parseDaemonArgs(argv: readonly string[], readFile?: ConfigFileReader): DaemonConfig {
  const program = daemonCommand()
  program.parse(argv as string[], { from: 'user' })
  const { file, warnings } = applyDaemonJson(program, readFile)
  const o = program.opts<{
    host: string[]; dataRoot: string; execRoot: string; pidfile?: string; runtime: 'crun' | 'runc'; defaultRuntime?: 'crun' | 'runc'
    logLevel: LogLevel; debug?: boolean; group?: string; tls?: boolean; tlsverify?: boolean
    tlscacert: string; tlscert: string; tlskey: string
    bip?: string; bridgeName: string; netPrefix: string; defaultAddressPool: string[]; insecureRegistry: string[]; loopbackRegistriesOnly?: boolean
    firewallBackend: 'auto' | 'nftables' | 'iptables'; usernsRemap?: string; label: string[]; maxConcurrentDownloads: string; maxConcurrentUploads: string
  }>()
  const useTls = o.tlsverify === true || o.tls === true
  if (!/^[a-z][a-z0-9]{0,7}$/.test(o.netPrefix)) throw new Error(`invalid --net-prefix "${o.netPrefix}": 1-8 lowercase letters and digits`)
  validateDaemonLabels(o.label)
  const transfers = (value: string, what: string): number => {
    if (!/^-?\d+$/.test(String(value)) || Number(value) < 1) throw new Error(`invalid max concurrent ${what}: ${value}`)
    return Number(value)
  }
  const maxConcurrentDownloads = transfers(o.maxConcurrentDownloads, 'downloads')
  const maxConcurrentUploads = transfers(o.maxConcurrentUploads, 'uploads')
  if (o.bridgeName.length > 15) throw new Error(`invalid --bridge-name "${o.bridgeName}": at most 15 characters`)
  return {
    hosts: o.host.length > 0 ? o.host : [defaultSocket.replace('/run/berth', o.execRoot)],
    dataRoot: o.dataRoot,
    execRoot: o.execRoot,
    pidfile: o.pidfile ?? `${o.execRoot}/berthd.pid`,
    runtime: o.defaultRuntime ?? o.runtime,
    logLevel: o.debug ? 'debug' : o.logLevel,
    group: o.group,
    tls: useTls ? { verify: o.tlsverify === true, ca: home(o.tlscacert), cert: home(o.tlscert), key: home(o.tlskey) } : undefined,
    insecureTcpAllowed: o.tls === false && o.tlsverify !== true,
    configFile: file,
    configWarnings: warnings,
    bridgeName: o.bridgeName,
    bip: o.bip,
    netPrefix: o.netPrefix,
    defaultAddressPools: o.defaultAddressPool,
    insecureRegistries: o.insecureRegistry,
    loopbackRegistriesOnly: o.loopbackRegistriesOnly ?? false,
    firewallBackend: o.firewallBackend,
    ...(o.usernsRemap ? { usernsRemap: o.usernsRemap } : {}),
    labels: o.label,
    maxConcurrentDownloads,
    maxConcurrentUploads,
  }
}

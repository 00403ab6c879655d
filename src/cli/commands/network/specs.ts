import type { CommandSpec, GroupSpec } from '../../command-spec.js'
import { FORMAT_HELP, INSPECT_FORMAT_HELP } from '../shared/format-help.js'

// Definitions only: handlers load lazily so that parsing argv stays cheap.

const lsSpec: CommandSpec = {
  name: 'ls',
  aliases: ['list'],
  usage: '[OPTIONS]',
  description: 'List networks',
  helpAliases: '{bin} network ls, {bin} network list',
  args: { kind: 'none' },
  options: [
    { flags: '-f, --filter', type: 'filter', repeatable: true, description: 'Provide filter values (e.g. "driver=bridge")' },
    { flags: '--format', type: 'string', description: FORMAT_HELP },
    { flags: '--no-trunc', description: 'Do not truncate the output' },
    { flags: '-q, --quiet', description: 'Only display network IDs' },
  ],
  load: async () => (await import('./network.js')).networkLsCommand,
}

const inspectSpec: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] NETWORK [NETWORK...]',
  description: 'Display detailed information on one or more networks',
  args: { kind: 'min', count: 1 },
  options: [
    { flags: '-f, --format', type: 'string', description: INSPECT_FORMAT_HELP },
    { flags: '-v, --verbose', description: 'Verbose output for diagnostics' },
  ],
  load: async () => (await import('./network.js')).networkInspectCommand,
}

const createSpec: CommandSpec = {
  name: 'create',
  usage: '[OPTIONS] NETWORK',
  description: 'Create a network',
  args: { kind: 'exact', count: 1 },
  options: [
    { flags: '--attachable', description: 'Enable manual container attachment' },
    { flags: '-d, --driver', type: 'string', default: 'bridge', description: 'Driver to manage the Network (default "bridge")' },
    { flags: '--gateway', type: 'strings', repeatable: true, description: 'IPv4 or IPv6 Gateway for the master subnet' },
    { flags: '--internal', description: 'Restrict external access to the network' },
    { flags: '--ip-range', type: 'strings', repeatable: true, description: 'Allocate container ip from a sub-range' },
    { flags: '--ipam-driver', type: 'string', default: 'default', description: 'IP Address Management Driver (default "default")' },
    { flags: '--ipam-opt', type: 'map', repeatable: true, description: 'Set IPAM driver specific options' },
    { flags: '--ipv6', description: 'Enable or disable IPv6 networking' },
    { flags: '--label', type: 'list', repeatable: true, description: 'Set metadata on a network' },
    { flags: '-o, --opt', type: 'map', repeatable: true, description: 'Set driver specific options' },
    { flags: '--subnet', type: 'strings', repeatable: true, description: 'Subnet in CIDR format that represents a network segment' },
  ],
  load: async () => (await import('./network.js')).networkCreateCommand,
}

const rmSpec: CommandSpec = {
  name: 'rm',
  aliases: ['remove'],
  usage: 'NETWORK [NETWORK...]',
  description: 'Remove one or more networks',
  helpAliases: '{bin} network rm, {bin} network remove',
  args: { kind: 'min', count: 1 },
  options: [{ flags: '-f, --force', description: 'Do not error if the network does not exist' }],
  load: async () => (await import('./network.js')).networkRmCommand,
}

const connectSpec: CommandSpec = {
  name: 'connect',
  usage: '[OPTIONS] NETWORK CONTAINER',
  description: 'Connect a container to a network',
  args: { kind: 'exact', count: 2 },
  options: [
    { flags: '--alias', type: 'strings', repeatable: true, description: 'Add network-scoped alias for the container' },
    { flags: '--ip', type: 'string', description: 'IPv4 address (e.g., "172.30.100.104")' },
    { flags: '--link', type: 'list', repeatable: true, description: 'Add link to another container' },
  ],
  load: async () => (await import('./network.js')).networkConnectCommand,
}

const disconnectSpec: CommandSpec = {
  name: 'disconnect',
  usage: '[OPTIONS] NETWORK CONTAINER',
  description: 'Disconnect a container from a network',
  args: { kind: 'exact', count: 2 },
  options: [{ flags: '-f, --force', description: 'Force the container to disconnect from a network' }],
  load: async () => (await import('./network.js')).networkDisconnectCommand,
}

const pruneSpec: CommandSpec = {
  name: 'prune',
  usage: '[OPTIONS]',
  description: 'Remove all unused networks',
  args: { kind: 'none' },
  options: [
    { flags: '--filter', type: 'filter', repeatable: true, description: 'Provide filter values (e.g. "until=<timestamp>")' },
    { flags: '-f, --force', description: 'Do not prompt for confirmation' },
  ],
  load: async () => (await import('./network.js')).networkPruneCommand,
}

export const networkGroup: GroupSpec = {
  name: 'network',
  description: 'Manage networks',
  commands: [connectSpec, createSpec, disconnectSpec, inspectSpec, lsSpec, pruneSpec, rmSpec],
}

export const portSpec: CommandSpec = {
  name: 'port',
  usage: 'CONTAINER [PRIVATE_PORT[/PROTO]]',
  description: 'List port mappings or a specific mapping for the container',
  helpAliases: '{bin} container port, {bin} port',
  args: { kind: 'range', min: 1, max: 2 },
  options: [],
  load: async () => (await import('./port.js')).portCommand,
}

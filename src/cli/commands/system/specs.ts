import type { CommandSpec, GroupSpec } from '../../command-spec.js'
import { dfSpec, systemPruneSpec } from '../container/resource-specs.js'
import { INSPECT_FORMAT_HELP } from '../shared/format-help.js'

// Definitions only: handlers load lazily so that parsing argv stays cheap.

export const versionSpec: CommandSpec = {
  name: 'version',
  usage: '[OPTIONS]',
  description: 'Show the berth version information',
  args: { kind: 'none' },
  options: [{ flags: '-f, --format', type: 'string', description: INSPECT_FORMAT_HELP }],
  load: async () => (await import('./version.js')).versionCommand,
}

export const infoSpec: CommandSpec = {
  name: 'info',
  usage: '[OPTIONS]',
  description: 'Display system-wide information',
  helpAliases: '{bin} system info, {bin} info',
  args: { kind: 'none' },
  options: [{ flags: '-f, --format', type: 'string', description: INSPECT_FORMAT_HELP }],
  load: async () => (await import('./info.js')).infoCommand,
}

export const inspectSpec: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] NAME|ID [NAME|ID...]',
  description: 'Return low-level information on berth objects',
  args: { kind: 'min', count: 1 },
  options: [
    { flags: '-f, --format', type: 'string', description: INSPECT_FORMAT_HELP },
    { flags: '-s, --size', description: 'Display total file sizes if the type is container' },
    { flags: '--type', type: 'string', description: 'Only inspect objects of the given type' },
  ],
  load: async () => (await import('./inspect.js')).inspectCommand,
}

export const eventsSpec: CommandSpec = {
  name: 'events',
  usage: '[OPTIONS]',
  description: 'Get real time events from the server',
  helpAliases: '{bin} system events, {bin} events',
  args: { kind: 'none' },
  options: [
    { flags: '-f, --filter', type: 'filter', repeatable: true, description: 'Filter output based on conditions provided' },
    { flags: '--format', type: 'string', description: INSPECT_FORMAT_HELP },
    { flags: '--since', type: 'string', description: 'Show all events created since timestamp' },
    { flags: '--until', type: 'string', description: 'Stream events until this timestamp' },
  ],
  load: async () => (await import('./events.js')).eventsCommand,
}

export const serviceSpec: CommandSpec = {
  name: 'service',
  usage: 'install|uninstall [OPTIONS]',
  description: 'Install or remove the berthd systemd units (berthd.service, berthd.socket)',
  args: { kind: 'exact', count: 1 },
  options: [
    { flags: '--prefix', type: 'string', description: 'Installation prefix: ExecStart runs PREFIX/bin/berthd (default: the berthd beside this berth)' },
    { flags: '--unit-dir', type: 'string', description: 'Directory the unit files go to (default "/etc/systemd/system")' },
    { flags: '--no-start', description: 'Enable the units without starting them' },
  ],
  load: async () => (await import('./service.js')).serviceCommand,
}

export const systemGroup: GroupSpec = {
  name: 'system',
  description: 'Manage berth',
  commands: [dfSpec, eventsSpec, infoSpec, systemPruneSpec, serviceSpec],
}

import type { CommandSpec, GroupSpec } from '../../command-spec.js'
import { FORMAT_HELP, INSPECT_FORMAT_HELP } from '../shared/format-help.js'

// Definitions only: handlers load lazily so that parsing argv stays cheap.

export const volumeCreateSpec: CommandSpec = {
  name: 'create',
  usage: '[OPTIONS] [VOLUME]',
  description: 'Create a volume',
  args: { kind: 'max', count: 1 },
  options: [
    { flags: '-d, --driver', type: 'string', default: 'local', description: 'Specify volume driver name (default "local")' },
    { flags: '--label', type: 'list', repeatable: true, description: 'Set metadata for a volume' },
    { flags: '--name', type: 'string', hidden: true, description: 'Specify volume name' },
    { flags: '-o, --opt', type: 'map', repeatable: true, description: 'Set driver specific options (default map[])' },
  ],
  load: async () => (await import('./volume-commands.js')).volumeCreateCommand,
}

export const volumeLsSpec: CommandSpec = {
  name: 'ls',
  aliases: ['list'],
  usage: '[OPTIONS]',
  description: 'List volumes',
  helpAliases: '{bin} volume ls, {bin} volume list',
  args: { kind: 'none' },
  options: [
    { flags: '-f, --filter', type: 'filter', repeatable: true, description: "Provide filter values (e.g. 'dangling=true')" },
    { flags: '--format', type: 'string', description: FORMAT_HELP },
    { flags: '-q, --quiet', description: 'Only display volume names' },
  ],
  load: async () => (await import('./volume-commands.js')).volumeLsCommand,
}

export const volumeInspectSpec: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  description: 'Display detailed information on one or more volumes',
  args: { kind: 'min', count: 1 },
  options: [{ flags: '-f, --format', type: 'string', description: INSPECT_FORMAT_HELP }],
  load: async () => (await import('../system/inspect.js')).volumeInspectCommand,
}

export const volumeRmSpec: CommandSpec = {
  name: 'rm',
  aliases: ['remove'],
  usage: '[OPTIONS] VOLUME [VOLUME...]',
  description: 'Remove one or more volumes',
  helpAliases: '{bin} volume rm, {bin} volume remove',
  args: { kind: 'min', count: 1 },
  options: [{ flags: '-f, --force', description: 'Force the removal of one or more volumes' }],
  load: async () => (await import('./volume-commands.js')).volumeRmCommand,
}

export const volumePruneSpec: CommandSpec = {
  name: 'prune',
  usage: '[OPTIONS]',
  description: 'Remove unused local volumes',
  args: { kind: 'none' },
  options: [
    { flags: '-a, --all', description: 'Remove all unused volumes, not just anonymous ones' },
    { flags: '--filter', type: 'filter', repeatable: true, description: "Provide filter values (e.g. 'label=<label>')" },
    { flags: '-f, --force', description: 'Do not prompt for confirmation' },
  ],
  load: async () => (await import('./volume-commands.js')).volumePruneCommand,
}

export const volumeGroup: GroupSpec = {
  name: 'volume',
  description: 'Manage volumes',
  commands: [volumeCreateSpec, volumeInspectSpec, volumeLsSpec, volumePruneSpec, volumeRmSpec],
}

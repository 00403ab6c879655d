import type { CommandSpec } from '../../command-spec.js'
import { FORMAT_HELP } from '../shared/format-help.js'

// restart, pause/unpause, update and stats: definitions only, handlers load lazily.

export const restartSpec: CommandSpec = {
  name: 'restart',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Restart one or more containers',
  helpAliases: '{bin} container restart, {bin} restart',
  args: { kind: 'min', count: 1 },
  options: [
    { flags: '-s, --signal', type: 'string', description: 'Signal to send to the container' },
    { flags: '-t, --timeout', type: 'int', int: true, description: 'Seconds to wait before killing the container' },
    { flags: '--time', type: 'int', int: true, hidden: true, description: 'Seconds to wait before killing the container (deprecated: use --timeout)' },
  ],
  load: async () => (await import('./restart.js')).restartCommand,
}

export const pauseSpec: CommandSpec = {
  name: 'pause',
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Pause all processes within one or more containers',
  helpAliases: '{bin} container pause, {bin} pause',
  args: { kind: 'min', count: 1 },
  options: [],
  load: async () => (await import('./pause.js')).pauseCommand,
}

export const unpauseSpec: CommandSpec = {
  name: 'unpause',
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Unpause all processes within one or more containers',
  helpAliases: '{bin} container unpause, {bin} unpause',
  args: { kind: 'min', count: 1 },
  options: [],
  load: async () => (await import('./pause.js')).unpauseCommand,
}

export const updateSpec: CommandSpec = {
  name: 'update',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Update configuration of one or more containers',
  helpAliases: '{bin} container update, {bin} update',
  args: { kind: 'min', count: 1 },
  options: [
    { flags: '--blkio-weight', type: 'uint16', int: true, description: 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)' },
    { flags: '--cpu-period', type: 'int', int: true, description: 'Limit CPU CFS (Completely Fair Scheduler) period' },
    { flags: '--cpu-quota', type: 'int', int: true, description: 'Limit CPU CFS (Completely Fair Scheduler) quota' },
    { flags: '-c, --cpu-shares', type: 'int', int: true, description: 'CPU shares (relative weight)' },
    { flags: '--cpus', type: 'decimal', description: 'Number of CPUs' },
    { flags: '--cpuset-cpus', type: 'string', description: 'CPUs in which to allow execution (0-3, 0,1)' },
    { flags: '--cpuset-mems', type: 'string', description: 'MEMs in which to allow execution (0-3, 0,1)' },
    { flags: '-m, --memory', type: 'bytes', description: 'Memory limit' },
    { flags: '--memory-reservation', type: 'bytes', description: 'Memory soft limit' },
    { flags: '--memory-swap', type: 'bytes', description: 'Swap limit equal to memory plus swap: -1 to enable unlimited swap' },
    { flags: '--pids-limit', type: 'int', int: true, description: 'Tune container pids limit (set -1 for unlimited)' },
    { flags: '--restart', type: 'string', description: 'Restart policy to apply when a container exits' },
  ],
  load: async () => (await import('./update.js')).updateCommand,
}

export const statsSpec: CommandSpec = {
  name: 'stats',
  usage: '[OPTIONS] [CONTAINER...]',
  description: 'Display a live stream of container(s) resource usage statistics',
  helpAliases: '{bin} container stats, {bin} stats',
  args: { kind: 'min', count: 0 },
  options: [
    { flags: '-a, --all', description: 'Show all containers (default shows just running)' },
    { flags: '--format', type: 'string', description: FORMAT_HELP },
    { flags: '--no-stream', description: 'Disable streaming stats and only pull the first result' },
    { flags: '--no-trunc', description: "Don't truncate output" },
  ],
  load: async () => (await import('./stats.js')).statsCommand,
}

export const containerPruneSpec: CommandSpec = {
  name: 'prune',
  usage: '[OPTIONS]',
  description: 'Remove all stopped containers',
  args: { kind: 'none' },
  options: [
    { flags: '--filter', type: 'filter', repeatable: true, description: 'Provide filter values (e.g. "until=<timestamp>")' },
    { flags: '-f, --force', description: 'Do not prompt for confirmation' },
  ],
  load: async () => (await import('./prune.js')).containerPruneCommand,
}

export const dfSpec: CommandSpec = {
  name: 'df',
  usage: '[OPTIONS]',
  description: 'Show docker disk usage',
  args: { kind: 'none' },
  options: [
    { flags: '--format', type: 'string', description: FORMAT_HELP },
    { flags: '-v, --verbose', description: 'Show detailed information on space usage' },
  ],
  load: async () => (await import('../system/df.js')).dfCommand,
}

export const systemPruneSpec: CommandSpec = {
  name: 'prune',
  usage: '[OPTIONS]',
  description: 'Remove unused data',
  args: { kind: 'none' },
  options: [
    { flags: '-a, --all', description: 'Remove all unused images not just dangling ones' },
    { flags: '--filter', type: 'filter', repeatable: true, description: 'Provide filter values (e.g. "label=<key>=<value>")' },
    { flags: '-f, --force', description: 'Do not prompt for confirmation' },
    { flags: '--volumes', description: 'Prune anonymous volumes' },
  ],
  load: async () => (await import('../system/prune.js')).systemPruneCommand,
}

/** Top-level commands (also under `container`). */
export const resourceSpecs: CommandSpec[] = [pauseSpec, restartSpec, statsSpec, unpauseSpec, updateSpec]

import type { CommandSpec, GroupSpec } from '../../command-spec.js'
import { FORMAT_HELP, INSPECT_FORMAT_HELP } from '../shared/format-help.js'
import { containerFlags, pullFlag, runOnlyFlags } from './create-flags.js'
import { containerPruneSpec, resourceSpecs } from './resource-specs.js'

// Definitions only: handlers load lazily so that parsing argv stays cheap.

export const runSpec: CommandSpec = {
  name: 'run',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create and run a new container from an image',
  helpAliases: '{bin} container run, {bin} run',
  args: { kind: 'min', count: 1 },
  interspersed: false,
  hostnameFlag: true,
  options: [...containerFlags, ...runOnlyFlags, pullFlag('running')],
  load: async () => (await import('./run.js')).runCommand,
}

export const createSpec: CommandSpec = {
  name: 'create',
  usage: '[OPTIONS] IMAGE [COMMAND] [ARG...]',
  description: 'Create a new container',
  helpAliases: '{bin} container create, {bin} create',
  args: { kind: 'min', count: 1 },
  interspersed: false,
  hostnameFlag: true,
  options: [...containerFlags, pullFlag('creating')],
  load: async () => (await import('./create.js')).createCommand,
}

export const startSpec: CommandSpec = {
  name: 'start',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Start one or more stopped containers',
  helpAliases: '{bin} container start, {bin} start',
  args: { kind: 'min', count: 1 },
  options: [
    { flags: '-a, --attach', description: 'Attach STDOUT/STDERR and forward signals' },
    { flags: '--detach-keys', type: 'string', description: 'Override the key sequence for detaching a container' },
    { flags: '-i, --interactive', description: "Attach container's STDIN" },
  ],
  load: async () => (await import('./start.js')).startCommand,
}

export const stopSpec: CommandSpec = {
  name: 'stop',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Stop one or more running containers',
  helpAliases: '{bin} container stop, {bin} stop',
  args: { kind: 'min', count: 1 },
  options: [
    { flags: '-s, --signal', type: 'string', description: 'Signal to send to the container' },
    { flags: '-t, --timeout', type: 'int', int: true, description: 'Seconds to wait before killing the container' },
    { flags: '--time', type: 'int', int: true, hidden: true, description: 'Seconds to wait before killing the container (deprecated: use --timeout)' },
  ],
  load: async () => (await import('./stop.js')).stopCommand,
}

export const killSpec: CommandSpec = {
  name: 'kill',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Kill one or more running containers',
  helpAliases: '{bin} container kill, {bin} kill',
  args: { kind: 'min', count: 1 },
  options: [{ flags: '-s, --signal', type: 'string', description: 'Signal to send to the container' }],
  load: async () => (await import('./kill.js')).killCommand,
}

export const rmSpec: CommandSpec = {
  name: 'rm',
  aliases: ['remove'],
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Remove one or more containers',
  helpAliases: '{bin} container rm, {bin} container remove, {bin} rm',
  args: { kind: 'min', count: 1 },
  options: [
    { flags: '-f, --force', description: 'Force the removal of a running container (uses SIGKILL)' },
    { flags: '-l, --link', description: 'Remove the specified link' },
    { flags: '-v, --volumes', description: 'Remove anonymous volumes associated with the container' },
  ],
  load: async () => (await import('./rm.js')).rmCommand,
}

export const psSpec: CommandSpec = {
  name: 'ps',
  usage: '[OPTIONS]',
  description: 'List containers',
  helpAliases: '{bin} container ls, {bin} container list, {bin} container ps, {bin} ps',
  args: { kind: 'none' },
  options: [
    { flags: '-a, --all', description: 'Show all containers (default shows just running)' },
    { flags: '-f, --filter', type: 'filter', repeatable: true, description: 'Filter output based on conditions provided' },
    { flags: '--format', type: 'string', description: FORMAT_HELP },
    { flags: '-n, --last', type: 'int', int: true, default: -1, description: 'Show n last created containers (includes all states) (default -1)' },
    { flags: '-l, --latest', description: 'Show the latest created container (includes all states)' },
    { flags: '--no-trunc', description: "Don't truncate output" },
    { flags: '-q, --quiet', description: 'Only display container IDs' },
    { flags: '-s, --size', description: 'Display total file sizes' },
  ],
  load: async () => (await import('./ps.js')).psCommand,
}

export const logsSpec: CommandSpec = {
  name: 'logs',
  usage: '[OPTIONS] CONTAINER',
  description: 'Fetch the logs of a container',
  helpAliases: '{bin} container logs, {bin} logs',
  args: { kind: 'exact', count: 1 },
  options: [
    { flags: '--details', description: 'Show extra details provided to logs' },
    { flags: '-f, --follow', description: 'Follow log output' },
    {
      flags: '--since',
      type: 'string',
      description: 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
    },
    { flags: '-n, --tail', type: 'string', default: 'all', description: 'Number of lines to show from the end of the logs (default "all")' },
    { flags: '-t, --timestamps', description: 'Show timestamps' },
    {
      flags: '--until',
      type: 'string',
      description: 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)',
    },
  ],
  load: async () => (await import('./logs.js')).logsCommand,
}

export const waitSpec: CommandSpec = {
  name: 'wait',
  usage: 'CONTAINER [CONTAINER...]',
  description: 'Block until one or more containers stop, then print their exit codes',
  helpAliases: '{bin} container wait, {bin} wait',
  args: { kind: 'min', count: 1 },
  options: [],
  load: async () => (await import('./wait.js')).waitCommand,
}

export const renameSpec: CommandSpec = {
  name: 'rename',
  usage: 'CONTAINER NEW_NAME',
  description: 'Rename a container',
  helpAliases: '{bin} container rename, {bin} rename',
  args: { kind: 'exact', count: 2 },
  options: [],
  load: async () => (await import('./rename.js')).renameCommand,
}

export const cpSpec: CommandSpec = {
  name: 'cp',
  usage: '[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
  description: 'Copy files/folders between a container and the local filesystem',
  helpAliases: '{bin} container cp, {bin} cp',
  args: { kind: 'exact', count: 2 },
  options: [
    { flags: '-a, --archive', description: 'Archive mode (copy all uid/gid information)' },
    { flags: '-L, --follow-link', description: 'Always follow symbol link in SRC_PATH' },
    { flags: '-q, --quiet', description: 'Suppress progress output during copy' },
  ],
  load: async () => (await import('./cp.js')).cpCommand,
}

export const commitSpec: CommandSpec = {
  name: 'commit',
  usage: '[OPTIONS] CONTAINER [REPOSITORY[:TAG]]',
  description: "Create a new image from a container's changes",
  helpAliases: '{bin} container commit, {bin} commit',
  args: { kind: 'range', min: 1, max: 2 },
  options: [
    { flags: '-a, --author', type: 'string', description: 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")' },
    { flags: '-c, --change', type: 'list', repeatable: true, description: 'Apply Dockerfile instruction to the created image' },
    { flags: '-m, --message', type: 'string', description: 'Commit message' },
    { flags: '-p, --pause', default: true, description: 'Pause container during commit (default true)' },
  ],
  load: async () => (await import('./commit.js')).commitCommand,
}

export const diffSpec: CommandSpec = {
  name: 'diff',
  usage: 'CONTAINER',
  description: "Inspect changes to files or directories on a container's filesystem",
  helpAliases: '{bin} container diff, {bin} diff',
  args: { kind: 'exact', count: 1 },
  options: [],
  load: async () => (await import('./diff.js')).diffCommand,
}

export const exportSpec: CommandSpec = {
  name: 'export',
  usage: '[OPTIONS] CONTAINER',
  description: "Export a container's filesystem as a tar archive",
  helpAliases: '{bin} container export, {bin} export',
  args: { kind: 'exact', count: 1 },
  options: [{ flags: '-o, --output', type: 'string', description: 'Write to a file, instead of STDOUT' }],
  load: async () => (await import('./export.js')).exportCommand,
}

export const execSpec: CommandSpec = {
  name: 'exec',
  usage: '[OPTIONS] CONTAINER COMMAND [ARG...]',
  description: 'Execute a command in a running container',
  helpAliases: '{bin} container exec, {bin} exec',
  args: { kind: 'min', count: 2 },
  interspersed: false,
  options: [
    { flags: '-d, --detach', description: 'Detached mode: run command in the background' },
    { flags: '--detach-keys', type: 'string', description: 'Override the key sequence for detaching a container' },
    { flags: '-e, --env', type: 'list', repeatable: true, description: 'Set environment variables' },
    { flags: '--env-file', type: 'list', repeatable: true, description: 'Read in a file of environment variables' },
    { flags: '-i, --interactive', description: 'Keep STDIN open even if not attached' },
    { flags: '--privileged', description: 'Give extended privileges to the command' },
    { flags: '-t, --tty', description: 'Allocate a pseudo-TTY' },
    { flags: '-u, --user', type: 'string', description: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
    { flags: '-w, --workdir', type: 'string', description: 'Working directory inside the container' },
  ],
  load: async () => (await import('./exec.js')).execCommand,
}

export const attachSpec: CommandSpec = {
  name: 'attach',
  usage: '[OPTIONS] CONTAINER',
  description: 'Attach local standard input, output, and error streams to a running container',
  helpAliases: '{bin} container attach, {bin} attach',
  args: { kind: 'exact', count: 1 },
  options: [
    { flags: '--detach-keys', type: 'string', description: 'Override the key sequence for detaching a container' },
    { flags: '--no-stdin', description: 'Do not attach STDIN' },
    { flags: '--sig-proxy', default: true, description: 'Proxy all received signals to the process (default true)' },
  ],
  load: async () => (await import('./attach.js')).attachCommand,
}

export const topSpec: CommandSpec = {
  name: 'top',
  usage: 'CONTAINER [ps OPTIONS]',
  description: 'Display the running processes of a container',
  helpAliases: '{bin} container top, {bin} top',
  args: { kind: 'min', count: 1 },
  interspersed: false,
  options: [],
  load: async () => (await import('./top.js')).topCommand,
}

export const containerInspectSpec: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] CONTAINER [CONTAINER...]',
  description: 'Display detailed information on one or more containers',
  args: { kind: 'min', count: 1 },
  options: [
    { flags: '-f, --format', type: 'string', description: INSPECT_FORMAT_HELP },
    { flags: '-s, --size', description: 'Display total file sizes' },
  ],
  load: async () => (await import('../system/inspect.js')).containerInspectCommand,
}

export const containerGroup: GroupSpec = {
  name: 'container',
  description: 'Manage containers',
  commands: [
    attachSpec,
    createSpec,
    execSpec,
    containerInspectSpec,
    killSpec,
    logsSpec,
    { ...psSpec, name: 'ls', aliases: ['list', 'ps'] },
    renameSpec,
    rmSpec,
    commitSpec,
    cpSpec,
    diffSpec,
    exportSpec,
    runSpec,
    startSpec,
    stopSpec,
    topSpec,
    waitSpec,
    ...resourceSpecs,
    containerPruneSpec,
  ],
}

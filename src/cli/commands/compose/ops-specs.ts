import type { CommandSpec } from '../../command-spec.js'

// Definitions only (docker compose v2's flags and help texts): handlers load lazily. The compose
// group adds its global flags (-f, -p, --profile...) and merges them into each handler's options.

const INDEX = { flags: '--index', type: 'int', int: true, description: 'Index of the container if service has multiple replicas' }
const TIMEOUT = { flags: '-t, --timeout', type: 'int', int: true, description: 'Specify a shutdown timeout in seconds' }
const PS_FORMAT_HELP = `Format output using a custom template:
'table':            Print output in table format with column headers (default)
'table TEMPLATE':   Print output in table format using the given Go template
'json':             Print in JSON format
'TEMPLATE':         Print output using the given Go template.
Refer to https://docs.docker.com/go/formatting/ for more information about formatting output with templates`

const psSpec: CommandSpec = {
  name: 'ps',
  usage: '[OPTIONS] [SERVICE...]',
  description: 'List containers',
  args: { kind: 'min', count: 0 },
  options: [
    { flags: '-a, --all', description: 'Show all stopped containers (including those created by the run command)' },
    { flags: '--filter', type: 'string', description: 'Filter services by a property (supported filters: status).' },
    { flags: '--format', type: 'string', default: 'table', description: PS_FORMAT_HELP },
    { flags: '--no-trunc', description: "Don't truncate output" },
    { flags: '-q, --quiet', description: 'Only display IDs' },
    { flags: '--services', description: 'Display services' },
    { flags: '--status', type: 'stringArray', repeatable: true, description: 'Filter services by status. Values: [paused | restarting | removing | running | dead | created | exited]' },
  ],
  load: async () => (await import('./ops-ps.js')).composePsCommand,
}

const logsSpec: CommandSpec = {
  name: 'logs',
  usage: '[OPTIONS] [SERVICE...]',
  description: 'View output from containers',
  args: { kind: 'min', count: 0 },
  options: [
    { flags: '-f, --follow', description: 'Follow log output' },
    { flags: '--no-color', description: 'Produce monochrome output' },
    { flags: '--no-log-prefix', description: "Don't print prefix in logs" },
    { flags: '--since', type: 'string', description: 'Show logs since timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' },
    { flags: '-n, --tail', type: 'string', default: 'all', description: 'Number of lines to show from the end of the logs for each container' },
    { flags: '-t, --timestamps', description: 'Show timestamps' },
    { flags: '--until', type: 'string', description: 'Show logs before a timestamp (e.g. 2013-01-02T13:23:37Z) or relative (e.g. 42m for 42 minutes)' },
  ],
  load: async () => (await import('./ops-logs.js')).composeLogsCommand,
}

const execSpec: CommandSpec = {
  name: 'exec',
  usage: '[OPTIONS] SERVICE COMMAND [ARGS...]',
  description: 'Execute a command in a running container',
  args: { kind: 'min', count: 2 },
  interspersed: false,
  options: [
    { flags: '-d, --detach', description: 'Detached mode: Run command in the background' },
    { flags: '-e, --env', type: 'stringArray', repeatable: true, description: 'Set environment variables' },
    INDEX,
    { flags: '-T, --no-tty', description: 'Disable pseudo-TTY allocation. By default `docker compose exec` allocates a TTY.' },
    { flags: '--privileged', description: 'Give extended privileges to the process' },
    { flags: '-u, --user', type: 'string', description: 'Run the command as this user' },
    { flags: '-w, --workdir', type: 'string', description: 'Path to workdir directory for this command' },
  ],
  load: async () => (await import('./ops-exec.js')).composeExecCommand,
}

const topSpec: CommandSpec = {
  name: 'top',
  usage: '[SERVICES...]',
  description: 'Display the running processes',
  args: { kind: 'min', count: 0 },
  options: [],
  load: async () => (await import('./ops-inspect.js')).composeTopCommand,
}

const portSpec: CommandSpec = {
  name: 'port',
  usage: '[OPTIONS] SERVICE PRIVATE_PORT',
  description: 'Print the public port for a port binding',
  args: { kind: 'exact', count: 2 },
  options: [INDEX, { flags: '--protocol', type: 'string', default: 'tcp', description: 'tcp or udp' }],
  load: async () => (await import('./ops-inspect.js')).composePortCommand,
}

const imagesSpec: CommandSpec = {
  name: 'images',
  usage: '[OPTIONS] [SERVICE...]',
  description: 'List images used by the created containers',
  args: { kind: 'min', count: 0 },
  options: [
    { flags: '--format', type: 'string', default: 'table', description: 'Format the output. Values: [table | json]' },
    { flags: '-q, --quiet', description: 'Only display IDs' },
  ],
  load: async () => (await import('./ops-inspect.js')).composeImagesCommand,
}

const eventsSpec: CommandSpec = {
  name: 'events',
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Receive real time events from containers',
  args: { kind: 'min', count: 0 },
  options: [
    { flags: '--json', description: 'Output events as a stream of json objects' },
    { flags: '--since', type: 'string', description: 'Show all events created since timestamp' },
    { flags: '--until', type: 'string', description: 'Stream events until this timestamp' },
  ],
  load: async () => (await import('./ops-inspect.js')).composeEventsCommand,
}

const lsSpec: CommandSpec = {
  name: 'ls',
  usage: '[OPTIONS]',
  description: 'List running compose projects',
  args: { kind: 'none' },
  options: [
    { flags: '-a, --all', description: 'Show all stopped Compose projects' },
    { flags: '--filter', type: 'filter', repeatable: true, description: 'Filter output based on conditions provided' },
    { flags: '--format', type: 'string', default: 'table', description: 'Format the output. Values: [table | json]' },
    { flags: '-q, --quiet', description: 'Only display IDs' },
  ],
  load: async () => (await import('./ops-ps.js')).composeLsCommand,
}

const cpSpec: CommandSpec = {
  name: 'cp',
  usage: '[OPTIONS] SERVICE:SRC_PATH DEST_PATH|- | SRC_PATH|- SERVICE:DEST_PATH',
  description: 'Copy files/folders between a service container and the local filesystem',
  args: { kind: 'exact', count: 2 },
  options: [
    { flags: '--all', description: 'Include containers created by the run command' },
    { flags: '-a, --archive', description: 'Archive mode (copy all uid/gid information)' },
    { flags: '-L, --follow-link', description: 'Always follow symbol link in SRC_PATH' },
    INDEX,
  ],
  load: async () => (await import('./ops-exec.js')).composeCpCommand,
}

const startSpec: CommandSpec = {
  name: 'start',
  usage: '[SERVICE...]',
  description: 'Start services',
  args: { kind: 'min', count: 0 },
  options: [],
  load: async () => (await import('./ops-lifecycle.js')).composeStartCommand,
}

const stopSpec: CommandSpec = {
  name: 'stop',
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Stop services',
  args: { kind: 'min', count: 0 },
  options: [TIMEOUT],
  load: async () => (await import('./ops-lifecycle.js')).composeStopCommand,
}

const restartSpec: CommandSpec = {
  name: 'restart',
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Restart service containers',
  args: { kind: 'min', count: 0 },
  options: [{ flags: '--no-deps', description: "Don't restart dependent services" }, TIMEOUT],
  load: async () => (await import('./ops-lifecycle.js')).composeRestartCommand,
}

const killSpec: CommandSpec = {
  name: 'kill',
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Force stop service containers',
  args: { kind: 'min', count: 0 },
  options: [
    { flags: '--remove-orphans', description: 'Remove containers for services not defined in the Compose file' },
    { flags: '-s, --signal', type: 'string', default: 'SIGKILL', description: 'SIGNAL to send to the container' },
  ],
  load: async () => (await import('./ops-lifecycle.js')).composeKillCommand,
}

const pauseSpec: CommandSpec = {
  name: 'pause',
  usage: '[SERVICE...]',
  description: 'Pause services',
  args: { kind: 'min', count: 0 },
  options: [],
  load: async () => (await import('./ops-lifecycle.js')).composePauseCommand,
}

const unpauseSpec: CommandSpec = {
  name: 'unpause',
  usage: '[SERVICE...]',
  description: 'Unpause services',
  args: { kind: 'min', count: 0 },
  options: [],
  load: async () => (await import('./ops-lifecycle.js')).composeUnpauseCommand,
}

const rmSpec: CommandSpec = {
  name: 'rm',
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Removes stopped service containers',
  args: { kind: 'min', count: 0 },
  options: [
    { flags: '-f, --force', description: "Don't ask to confirm removal" },
    { flags: '-s, --stop', description: 'Stop the containers, if required, before removing' },
    { flags: '-v, --volumes', description: 'Remove any anonymous volumes attached to containers' },
  ],
  load: async () => (await import('./ops-lifecycle.js')).composeRmCommand,
}

const waitSpec: CommandSpec = {
  name: 'wait',
  usage: 'SERVICE [SERVICE...] [OPTIONS]',
  description: 'Block until containers of all (or specified) services stop.',
  args: { kind: 'min', count: 1 },
  options: [{ flags: '--down-project', description: 'Drops project when the first container stops' }],
  load: async () => (await import('./ops-lifecycle.js')).composeWaitCommand,
}

/** The operational `compose` subcommands (this work's part of the group), sorted by name. */
export const composeOpsSpecs: CommandSpec[] = [
  cpSpec, eventsSpec, execSpec, imagesSpec, killSpec, logsSpec, lsSpec, pauseSpec, portSpec, psSpec, restartSpec, rmSpec,
  startSpec, stopSpec, topSpec, unpauseSpec, waitSpec,
]

import type { CommandSpec, GroupSpec, OptionSpec } from '../../command-spec.js'
import { composeOpsSpecs } from './ops-specs.js'

// Definitions only: handlers load lazily so that parsing argv stays cheap. commander turns
// `--no-x` flags into `x: false` (with `x` true by default), which is what handlers read.

/** docker compose's global flags (persistent: also accepted after the subcommand). */
export const composeGlobalOptions: OptionSpec[] = [
  { flags: '--ansi', type: 'string', description: 'Control when to print ANSI control characters ("never"|"always"|"auto") (default "auto")' },
  { flags: '--compatibility', description: 'Run compose in backward compatibility mode' },
  { flags: '--dry-run', description: 'Execute command in dry run mode' },
  { flags: '--env-file', type: 'stringArray', repeatable: true, description: 'Specify an alternate environment file' },
  { flags: '-f, --file', type: 'stringArray', repeatable: true, description: 'Compose configuration files' },
  { flags: '--parallel', type: 'int', int: true, description: 'Control max parallelism, -1 for unlimited (default -1)' },
  { flags: '--profile', type: 'stringArray', repeatable: true, description: 'Specify a profile to enable' },
  { flags: '--progress', type: 'string', description: 'Set type of progress output (auto, tty, plain, json, quiet) (default "auto")' },
  { flags: '--project-directory', type: 'string', description: 'Specify an alternate working directory\n(default: the path of the, first specified, Compose file)' },
  { flags: '-p, --project-name', type: 'string', description: 'Project name' },
]

const pullFlag: OptionSpec = { flags: '--pull', type: 'string', description: 'Pull image before running ("always"|"missing"|"never"|"build") (default "policy")' }
const scaleFlag: OptionSpec = { flags: '--scale', type: 'scale', repeatable: true, description: 'Scale SERVICE to NUM instances. Overrides the `scale` setting in the Compose file if present.' }

const createFlags: OptionSpec[] = [
  { flags: '--build', description: 'Build images before starting containers' },
  { flags: '--force-recreate', description: "Recreate containers even if their configuration and image haven't changed" },
  { flags: '--no-build', description: "Don't build an image, even if it's policy" },
  { flags: '--no-recreate', description: "If containers already exist, don't recreate them. Incompatible with --force-recreate." },
  pullFlag,
  { flags: '--quiet-pull', description: 'Pull without printing progress information' },
  { flags: '--remove-orphans', description: 'Remove containers for services not defined in the Compose file' },
  scaleFlag,
  { flags: '-y, --yes', description: 'Assume "yes" as answer to all prompts and run non-interactively' },
]

const upSpec: CommandSpec = {
  name: 'up',
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Create and start containers',
  args: { kind: 'min', count: 0 },
  options: [
    ...createFlags,
    { flags: '--abort-on-container-exit', description: 'Stops all containers if any container was stopped. Incompatible with -d' },
    { flags: '--abort-on-container-failure', description: 'Stops all containers if any container exited with failure. Incompatible with -d' },
    { flags: '--always-recreate-deps', description: 'Recreate dependent containers. Incompatible with --no-recreate.' },
    { flags: '--attach', type: 'stringArray', repeatable: true, description: 'Restrict attaching to the specified services. Incompatible with --attach-dependencies.' },
    { flags: '--attach-dependencies', description: 'Automatically attach to log output of dependent services' },
    { flags: '-d, --detach', description: 'Detached mode: Run containers in the background' },
    { flags: '--exit-code-from', type: 'string', description: 'Return the exit code of the selected service container. Implies --abort-on-container-exit' },
    { flags: '--no-color', description: 'Produce monochrome output' },
    { flags: '--no-deps', description: "Don't start linked services" },
    { flags: '--no-log-prefix', description: "Don't print prefix in logs" },
    { flags: '--no-start', description: "Don't start the services after creating them" },
    { flags: '-V, --renew-anon-volumes', description: 'Recreate anonymous volumes instead of retrieving data from the previous containers' },
    { flags: '-t, --timeout', type: 'int', int: true, description: 'Use this timeout in seconds for container shutdown when attached or when containers are already running' },
    { flags: '--timestamps', description: 'Show timestamps' },
    { flags: '--wait', description: 'Wait for services to be running|healthy. Implies detached mode.' },
    { flags: '--wait-timeout', type: 'int', int: true, description: 'Maximum duration in seconds to wait for the project to be running|healthy' },
  ],
  load: async () => (await import('./up.js')).upCommand,
}

const createSpec: CommandSpec = {
  name: 'create',
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Creates containers for a service',
  args: { kind: 'min', count: 0 },
  options: createFlags,
  load: async () => (await import('./up.js')).createCommand,
}

const downSpec: CommandSpec = {
  name: 'down',
  usage: '[OPTIONS] [SERVICES]',
  description: 'Stop and remove containers, networks',
  args: { kind: 'min', count: 0 },
  options: [
    { flags: '--remove-orphans', description: 'Remove containers for services not defined in the Compose file' },
    { flags: '--rmi', type: 'string', description: 'Remove images used by services. "local" remove only images that don\'t have a custom tag ("local"|"all")' },
    { flags: '-t, --timeout', type: 'int', int: true, description: 'Specify a shutdown timeout in seconds' },
    { flags: '-v, --volumes', description: 'Remove named volumes declared in the "volumes" section of the Compose file and anonymous volumes attached to containers' },
  ],
  load: async () => (await import('./down.js')).downCommand,
}

const buildSpec: CommandSpec = {
  name: 'build',
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Build or rebuild services',
  args: { kind: 'min', count: 0 },
  options: [
    { flags: '--build-arg', type: 'stringArray', repeatable: true, description: 'Set build-time variables for services' },
    { flags: '--no-cache', description: 'Do not use cache when building the image' },
    { flags: '--pull', description: 'Always attempt to pull a newer version of the image' },
    { flags: '--push', description: 'Push service images' },
    { flags: '-q, --quiet', description: "Don't print anything to STDOUT" },
    { flags: '--with-dependencies', description: 'Also build dependencies (transitively)' },
  ],
  load: async () => (await import('./images.js')).buildCommand,
}

const pullSpec: CommandSpec = {
  name: 'pull',
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Pull service images',
  args: { kind: 'min', count: 0 },
  options: [
    { flags: '--ignore-buildable', description: 'Ignore images that can be built' },
    { flags: '--ignore-pull-failures', description: 'Pull what it can and ignores images with pull failures' },
    { flags: '--include-deps', description: 'Also pull services declared as dependencies' },
    { flags: '--policy', type: 'string', description: 'Apply pull policy ("missing"|"always")' },
    { flags: '-q, --quiet', description: 'Pull without printing progress information' },
  ],
  load: async () => (await import('./images.js')).pullCommand,
}

const pushSpec: CommandSpec = {
  name: 'push',
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Push service images',
  args: { kind: 'min', count: 0 },
  options: [
    { flags: '--ignore-push-failures', description: 'Push what it can and ignores images with push failures' },
    { flags: '--include-deps', description: 'Also push images of services declared as dependencies' },
    { flags: '-q, --quiet', description: 'Push without printing progress information' },
  ],
  load: async () => (await import('./images.js')).pushCommand,
}

const configSpec: CommandSpec = {
  name: 'config',
  usage: '[OPTIONS] [SERVICE...]',
  description: 'Parse, resolve and render compose file in canonical format',
  args: { kind: 'min', count: 0 },
  options: [
    { flags: '--format', type: 'string', description: 'Format the output. Values: [yaml | json] (default "yaml")' },
    { flags: '--hash', type: 'string', description: 'Print the service config hash, one per line.' },
    { flags: '--images', description: 'Print the image names, one per line.' },
    { flags: '--networks', description: 'Print the network names, one per line.' },
    { flags: '-o, --output', type: 'string', description: 'Save to file (default to stdout)' },
    { flags: '--profiles', description: 'Print the profile names, one per line.' },
    { flags: '-q, --quiet', description: 'Only validate the configuration, don\'t print anything.' },
    { flags: '--services', description: 'Print the service names, one per line.' },
    { flags: '--volumes', description: 'Print the volume names, one per line.' },
  ],
  load: async () => (await import('./config.js')).configCommand,
}

const runSpec: CommandSpec = {
  name: 'run',
  usage: '[OPTIONS] SERVICE [COMMAND] [ARGS...]',
  description: 'Run a one-off command on a service',
  args: { kind: 'min', count: 1 },
  interspersed: false,
  options: [
    { flags: '--build', description: 'Build image before starting container' },
    { flags: '--cap-add', type: 'list', repeatable: true, description: 'Add Linux capabilities' },
    { flags: '--cap-drop', type: 'list', repeatable: true, description: 'Drop Linux capabilities' },
    { flags: '-d, --detach', description: 'Run container in background and print container ID' },
    { flags: '--entrypoint', type: 'string', description: 'Override the entrypoint of the image' },
    { flags: '-e, --env', type: 'stringArray', repeatable: true, description: 'Set environment variables' },
    { flags: '-i, --interactive', description: 'Keep STDIN open even if not attached (default true)' },
    { flags: '-l, --label', type: 'stringArray', repeatable: true, description: 'Add or override a label' },
    { flags: '--name', type: 'string', description: 'Assign a name to the container' },
    { flags: '-T, --no-TTY', description: 'Disable pseudo-TTY allocation (default: auto-detected)' },
    { flags: '--no-deps', description: "Don't start linked services" },
    { flags: '-p, --publish', type: 'stringArray', repeatable: true, description: "Publish a container's port(s) to the host" },
    pullFlag,
    { flags: '-q, --quiet-pull', description: 'Pull without printing progress information' },
    { flags: '--remove-orphans', description: 'Remove containers for services not defined in the Compose file' },
    { flags: '--rm', description: 'Automatically remove the container when it exits' },
    { flags: '-P, --service-ports', description: "Run command with all service's ports enabled and mapped to the host" },
    { flags: '--use-aliases', description: "Use the service's network useAliases in the network(s) the container connects to" },
    { flags: '-u, --user', type: 'string', description: 'Run as specified username or uid' },
    { flags: '-v, --volume', type: 'stringArray', repeatable: true, description: 'Bind mount a volume' },
    { flags: '-w, --workdir', type: 'string', description: 'Working directory inside the container' },
  ],
  load: async () => (await import('./run.js')).runCommand,
}

const scaleSpec: CommandSpec = {
  name: 'scale',
  usage: '[SERVICE=REPLICAS...]',
  description: 'Scale services',
  args: { kind: 'min', count: 1 },
  options: [{ flags: '--no-deps', description: "Don't start linked services" }],
  load: async () => (await import('./up.js')).scaleCommand,
}

const versionSpec: CommandSpec = {
  name: 'version',
  usage: '[OPTIONS]',
  description: 'Show the Docker Compose version information',
  args: { kind: 'none' },
  options: [
    { flags: '-f, --format', type: 'string', description: 'Format the output. Values: [pretty | json]. (Default: pretty)' },
    { flags: '--short', description: "Shows only Compose's version number" },
  ],
  load: async () => (await import('./config.js')).versionCommand,
}

export const composeEngineSpecs: CommandSpec[] = [upSpec, createSpec, downSpec, buildSpec, pullSpec, pushSpec, configSpec, runSpec, scaleSpec, versionSpec]

export const composeGroup: GroupSpec = {
  name: 'compose',
  description: 'Define and run multi-container applications with Docker',
  commands: [...composeEngineSpecs, ...composeOpsSpecs],
  options: composeGlobalOptions,
}

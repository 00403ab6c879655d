import type { OptionSpec } from '../../command-spec.js'

/** Flags run and create share (docker's AddFlags); names map to CreateFlags fields. */
export const containerFlags: OptionSpec[] = [
  { flags: '--add-host', type: 'list', repeatable: true, description: 'Add a custom host-to-IP mapping (host:ip)' },
  { flags: '-a, --attach', type: 'list', repeatable: true, description: 'Attach to STDIN, STDOUT or STDERR' },
  { flags: '--cap-add', type: 'list', repeatable: true, description: 'Add Linux capabilities' },
  { flags: '--cap-drop', type: 'list', repeatable: true, description: 'Drop Linux capabilities' },
  { flags: '--cpus', type: 'decimal', description: 'Number of CPUs' },
  { flags: '--dns', type: 'list', repeatable: true, description: 'Set custom DNS servers' },
  { flags: '--domainname', type: 'string', description: 'Container NIS domain name' },
  { flags: '--entrypoint', type: 'string', description: 'Overwrite the default ENTRYPOINT of the image' },
  { flags: '-e, --env', type: 'list', repeatable: true, description: 'Set environment variables' },
  { flags: '--env-file', type: 'list', repeatable: true, description: 'Read in a file of environment variables' },
  { flags: '--expose', type: 'list', repeatable: true, description: 'Expose a port or a range of ports' },
  { flags: '--group-add', type: 'list', repeatable: true, description: 'Add additional groups to join' },
  { flags: '-h, --hostname', type: 'string', description: 'Container host name' },
  { flags: '--init', description: 'Run an init inside the container that forwards signals and reaps processes' },
  { flags: '-i, --interactive', description: 'Keep STDIN open even if not attached' },
  { flags: '--ipc', type: 'string', description: 'IPC mode to use' },
  { flags: '-l, --label', type: 'list', repeatable: true, description: 'Set meta data on a container' },
  { flags: '--label-file', type: 'list', repeatable: true, description: 'Read in a line delimited file of labels' },
  { flags: '--log-driver', type: 'string', description: 'Logging driver for the container' },
  { flags: '--log-opt', type: 'list', repeatable: true, description: 'Log driver options' },
  { flags: '-m, --memory', type: 'bytes', description: 'Memory limit' },
  { flags: '--mount', type: 'mount', repeatable: true, description: 'Attach a filesystem mount to the container' },
  { flags: '--name', type: 'string', description: 'Assign a name to the container' },
  { flags: '--network', type: 'network', description: 'Connect a container to a network' },
  { flags: '--pid', type: 'string', description: 'PID namespace to use' },
  { flags: '--platform', type: 'string', description: 'Set platform if server is multi-platform capable' },
  { flags: '--privileged', description: 'Give extended privileges to this container' },
  { flags: '-p, --publish', type: 'list', repeatable: true, description: "Publish a container's port(s) to the host" },
  { flags: '-P, --publish-all', description: 'Publish all exposed ports to random ports' },
  { flags: '-q, --quiet', description: 'Suppress the pull output' },
  { flags: '--read-only', description: "Mount the container's root filesystem as read only" },
  { flags: '--restart', type: 'string', description: 'Restart policy to apply when a container exits (default "no")' },
  { flags: '--rm', description: 'Automatically remove the container and its associated anonymous volumes when it exits' },
  { flags: '--security-opt', type: 'list', repeatable: true, description: 'Security Options' },
  { flags: '--stop-signal', type: 'string', description: 'Signal to stop the container' },
  { flags: '--stop-timeout', type: 'int', int: true, description: 'Timeout (in seconds) to stop a container' },
  { flags: '--tmpfs', type: 'list', repeatable: true, description: 'Mount a tmpfs directory' },
  { flags: '-t, --tty', description: 'Allocate a pseudo-TTY' },
  { flags: '-u, --user', type: 'string', description: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  { flags: '--uts', type: 'string', description: 'UTS namespace to use' },
  { flags: '-v, --volume', type: 'list', repeatable: true, description: 'Bind mount a volume' },
  { flags: '--volumes-from', type: 'list', repeatable: true, description: 'Mount volumes from the specified container(s)' },
  { flags: '-w, --workdir', type: 'string', description: 'Working directory inside the container' },
]

export const pullFlag = (verb: string): OptionSpec => ({
  flags: '--pull',
  type: 'string',
  default: 'missing',
  description: `Pull image before ${verb} ("always", "missing", "never") (default "missing")`,
})

/** Flags only `run` has. */
export const runOnlyFlags: OptionSpec[] = [
  { flags: '-d, --detach', description: 'Run container in background and print container ID' },
  { flags: '--detach-keys', type: 'string', description: 'Override the key sequence for detaching a container' },
  { flags: '--sig-proxy', default: true, description: 'Proxy received signals to the process (default true)' },
  { flags: '--no-sig-proxy', hidden: true, description: 'Do not proxy received signals to the process' },
]

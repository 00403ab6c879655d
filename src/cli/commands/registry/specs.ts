import type { CommandSpec, GroupSpec } from '../../command-spec.js'

// Definitions only: handlers load lazily so that parsing argv stays cheap.

export const pullSpec: CommandSpec = {
  name: 'pull',
  usage: '[OPTIONS] NAME[:TAG|@DIGEST]',
  description: 'Download an image from a registry',
  helpAliases: '{bin} image pull, {bin} pull',
  args: { kind: 'exact', count: 1 },
  options: [
    { flags: '-a, --all-tags', description: 'Download all tagged images in the repository' },
    { flags: '--platform', type: 'string', description: 'Set platform if server is multi-platform capable' },
    { flags: '-q, --quiet', description: 'Suppress verbose output' },
  ],
  load: async () => (await import('./pull.js')).pullCommand,
}

export const pushSpec: CommandSpec = {
  name: 'push',
  usage: '[OPTIONS] NAME[:TAG]',
  description: 'Upload an image to a registry',
  helpAliases: '{bin} image push, {bin} push',
  args: { kind: 'exact', count: 1 },
  options: [
    { flags: '-a, --all-tags', description: 'Push all tags of an image to the repository' },
    { flags: '-q, --quiet', description: 'Suppress verbose output' },
  ],
  load: async () => (await import('./push.js')).pushCommand,
}

export const loginSpec: CommandSpec = {
  name: 'login',
  usage: '[OPTIONS] [SERVER]',
  description: 'Authenticate to a registry.\nDefaults to Docker Hub if no server is specified.',
  args: { kind: 'max', count: 1 },
  options: [
    { flags: '-p, --password', type: 'string', description: 'Password or Personal Access Token (PAT)' },
    { flags: '--password-stdin', description: 'Take the Password or Personal Access Token (PAT) from stdin' },
    { flags: '-u, --username', type: 'string', description: 'Username' },
  ],
  load: async () => (await import('./login.js')).loginCommand,
}

export const logoutSpec: CommandSpec = {
  name: 'logout',
  usage: '[SERVER]',
  description: 'Log out from a registry.\nIf no server is specified, the default is defined by the daemon.',
  args: { kind: 'max', count: 1 },
  options: [],
  load: async () => (await import('./login.js')).logoutCommand,
}

export const saveSpec: CommandSpec = {
  name: 'save',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
  helpAliases: '{bin} image save, {bin} save',
  args: { kind: 'min', count: 1 },
  options: [{ flags: '-o, --output', type: 'string', description: 'Write to a file, instead of STDOUT' }],
  load: async () => (await import('./save-load.js')).saveCommand,
}

export const loadSpec: CommandSpec = {
  name: 'load',
  usage: '[OPTIONS]',
  description: 'Load an image from a tar archive or STDIN',
  helpAliases: '{bin} image load, {bin} load',
  args: { kind: 'none' },
  options: [
    { flags: '-i, --input', type: 'string', description: 'Read from tar archive file, instead of STDIN' },
    { flags: '-q, --quiet', description: 'Suppress the load output' },
  ],
  load: async () => (await import('./save-load.js')).loadCommand,
}

export const searchSpec: CommandSpec = {
  name: 'search',
  usage: '[OPTIONS] TERM',
  description: 'Search a registry for images (HOST:PORT/TERM searches that registry\'s catalog)',
  args: { kind: 'exact', count: 1 },
  options: [{ flags: '--limit', type: 'int', int: true, description: 'Max number of search results' }],
  load: async () => (await import('./prune-search.js')).searchCommand,
}

export const imagePruneSpec: CommandSpec = {
  name: 'prune',
  usage: '[OPTIONS]',
  description: 'Remove unused images',
  args: { kind: 'none' },
  options: [
    { flags: '-a, --all', description: 'Remove all unused images, not just dangling ones' },
    { flags: '--filter', type: 'filter', repeatable: true, description: 'Provide filter values (e.g. "until=<timestamp>")' },
    { flags: '-f, --force', description: 'Do not prompt for confirmation' },
  ],
  load: async () => (await import('./prune-search.js')).pruneCommand,
}

export const registryServeSpec: CommandSpec = {
  name: 'serve',
  usage: '[OPTIONS]',
  description: 'Run an OCI distribution registry (berth only)',
  args: { kind: 'none' },
  options: [
    { flags: '--addr', type: 'string', default: '127.0.0.1:5000', description: 'Address to listen on (default "127.0.0.1:5000")' },
    { flags: '--root', type: 'string', default: '/var/lib/berth-registry', description: 'Storage directory (default "/var/lib/berth-registry")' },
    { flags: '--htpasswd', type: 'string', description: 'htpasswd file (bcrypt) enabling Basic auth' },
    { flags: '--realm', type: 'string', description: 'Basic auth realm (default "berth-registry")' },
    { flags: '--tls-cert', type: 'string', description: 'TLS certificate (PEM); serves HTTPS with --tls-key' },
    { flags: '--tls-key', type: 'string', description: 'TLS private key (PEM)' },
  ],
  load: async () => (await import('./serve.js')).serveCommand,
}

export const registryGroup: GroupSpec = {
  name: 'registry',
  description: 'Run a registry (berth only)',
  commands: [registryServeSpec],
}

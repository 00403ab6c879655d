import type { CommandSpec } from '../../command-spec.js'

// Definitions only: handlers load lazily so that parsing argv stays cheap.

export const buildSpec: CommandSpec = {
  name: 'build',
  usage: '[OPTIONS] PATH | URL | -',
  description: 'Build an image from a Dockerfile',
  helpAliases: '{bin} image build, {bin} build, {bin} builder build',
  args: { kind: 'exact', count: 1 },
  options: [
    { flags: '--build-arg', type: 'list', repeatable: true, description: 'Set build-time variables' },
    { flags: '--cache-from', type: 'strings', repeatable: true, description: 'Images to consider as cache sources' },
    { flags: '-f, --file', type: 'string', description: "Name of the Dockerfile (Default is 'PATH/Dockerfile')" },
    { flags: '--iidfile', type: 'string', description: 'Write the image ID to the file' },
    { flags: '--label', type: 'list', repeatable: true, description: 'Set metadata for an image' },
    { flags: '--no-cache', description: 'Do not use cache when building the image' },
    { flags: '--platform', type: 'string', description: 'Set platform if server is multi-platform capable' },
    { flags: '--progress', type: 'string', default: 'auto', description: 'Set type of progress output ("auto", "plain", "tty", "quiet")' },
    { flags: '--pull', description: 'Always attempt to pull a newer version of the image' },
    { flags: '-q, --quiet', description: 'Suppress the build output and print image ID on success' },
    { flags: '-t, --tag', type: 'list', repeatable: true, description: 'Name and optionally a tag in the "name:tag" format' },
    { flags: '--target', type: 'string', description: 'Set the target build stage to build.' },
  ],
  load: async () => (await import('./build.js')).buildCommand,
}

import type { CommandSpec, GroupSpec } from '../../command-spec.js'
import { FORMAT_HELP, INSPECT_FORMAT_HELP } from '../shared/format-help.js'
import { imagePruneSpec, loadSpec, pullSpec, pushSpec, saveSpec } from '../registry/specs.js'
import { buildSpec } from '../build/specs.js'

// Definitions only: handlers load lazily so that parsing argv stays cheap.

export const imagesSpec: CommandSpec = {
  name: 'images',
  usage: '[OPTIONS] [REPOSITORY[:TAG]]',
  description: 'List images',
  helpAliases: '{bin} image ls, {bin} image list, {bin} images',
  args: { kind: 'max', count: 1 },
  options: [
    { flags: '-a, --all', description: 'Show all images (default hides intermediate images)' },
    { flags: '--digests', description: 'Show digests' },
    { flags: '-f, --filter', type: 'filter', repeatable: true, description: 'Filter output based on conditions provided' },
    { flags: '--format', type: 'string', description: FORMAT_HELP },
    { flags: '--no-trunc', description: "Don't truncate output" },
    { flags: '-q, --quiet', description: 'Only show image IDs' },
  ],
  load: async () => (await import('./images.js')).imagesCommand,
}

export const tagSpec: CommandSpec = {
  name: 'tag',
  usage: 'SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  description: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  helpAliases: '{bin} image tag, {bin} tag',
  args: { kind: 'exact', count: 2 },
  options: [],
  load: async () => (await import('./tag.js')).tagCommand,
}

export const rmiSpec: CommandSpec = {
  name: 'rmi',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Remove one or more images',
  helpAliases: '{bin} image rm, {bin} image remove, {bin} rmi',
  args: { kind: 'min', count: 1 },
  options: [
    { flags: '-f, --force', description: 'Force removal of the image' },
    { flags: '--no-prune', description: 'Do not delete untagged parents' },
  ],
  load: async () => (await import('./rmi.js')).rmiCommand,
}

export const historySpec: CommandSpec = {
  name: 'history',
  usage: '[OPTIONS] IMAGE',
  description: 'Show the history of an image',
  helpAliases: '{bin} image history, {bin} history',
  args: { kind: 'exact', count: 1 },
  options: [
    { flags: '--format', type: 'string', description: FORMAT_HELP },
    { flags: '-H, --human', default: true, description: 'Print sizes and dates in human readable format (default true)' },
    { flags: '--no-human', hidden: true, description: 'Print sizes and dates as raw values' },
    { flags: '--no-trunc', description: "Don't truncate output" },
    { flags: '-q, --quiet', description: 'Only show image IDs' },
  ],
  load: async () => (await import('./history.js')).historyCommand,
}

export const importSpec: CommandSpec = {
  name: 'import',
  usage: '[OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  description: 'Import the contents from a tarball to create a filesystem image',
  helpAliases: '{bin} image import, {bin} import',
  args: { kind: 'range', min: 1, max: 2 },
  options: [
    { flags: '-c, --change', type: 'list', repeatable: true, description: 'Apply Dockerfile instruction to the created image' },
    { flags: '-m, --message', type: 'string', description: 'Set commit message for imported image' },
    { flags: '--platform', type: 'string', description: 'Set platform if server is multi-platform capable' },
  ],
  load: async () => (await import('./import.js')).importCommand,
}

export const imageInspectSpec: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] IMAGE [IMAGE...]',
  description: 'Display detailed information on one or more images',
  args: { kind: 'min', count: 1 },
  options: [{ flags: '-f, --format', type: 'string', description: INSPECT_FORMAT_HELP }],
  load: async () => (await import('../system/inspect.js')).imageInspectCommand,
}

export const bootstrapSpec: CommandSpec = {
  name: 'bootstrap',
  usage: 'busybox|registry',
  description: "Create a base image from the daemon host's programs (berth only)\nbusybox: busybox:latest from the static busybox. registry: berth/registry:latest, berth's registry server run like registry:2",
  args: { kind: 'exact', count: 1 },
  options: [],
  load: async () => (await import('./bootstrap.js')).bootstrapCommand,
}

export const imageGroup: GroupSpec = {
  name: 'image',
  description: 'Manage images',
  commands: [
    bootstrapSpec,
    buildSpec,
    historySpec,
    importSpec,
    imageInspectSpec,
    { ...imagesSpec, name: 'ls', aliases: ['list'] },
    { ...rmiSpec, name: 'rm', aliases: ['remove'] },
    tagSpec,
    imagePruneSpec,
    pullSpec,
    pushSpec,
    saveSpec,
    loadSpec,
  ],
}

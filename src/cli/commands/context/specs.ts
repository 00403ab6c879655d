import type { CommandSpec, GroupSpec } from '../../command-spec.js'
import { FORMAT_HELP, INSPECT_FORMAT_HELP } from '../shared/format-help.js'

// Definitions only: handlers load lazily so that parsing argv stays cheap.

const createSpec: CommandSpec = {
  name: 'create',
  usage: '[OPTIONS] CONTEXT',
  description: 'Create a context',
  args: { kind: 'exact', count: 1 },
  options: [
    { flags: '--description', type: 'string', description: 'Description of the context' },
    { flags: '--docker', type: 'string', description: 'set the docker endpoint (host=, ca=, cert=, key=, skip-tls-verify=)' },
    { flags: '--from', type: 'string', description: 'create context from a named context' },
  ],
  load: async () => (await import('./context.js')).contextCreate,
}

const lsSpec: CommandSpec = {
  name: 'ls',
  aliases: ['list'],
  usage: '[OPTIONS]',
  description: 'List contexts',
  args: { kind: 'none' },
  options: [
    { flags: '--format', type: 'string', description: FORMAT_HELP },
    { flags: '-q, --quiet', description: 'Only show context names' },
  ],
  load: async () => (await import('./context.js')).contextLs,
}

const useSpec: CommandSpec = {
  name: 'use',
  usage: 'CONTEXT',
  description: 'Set the current docker context',
  args: { kind: 'exact', count: 1 },
  options: [],
  load: async () => (await import('./context.js')).contextUse,
}

const showSpec: CommandSpec = {
  name: 'show',
  usage: '',
  description: 'Print the name of the current context',
  args: { kind: 'none' },
  options: [],
  load: async () => (await import('./context.js')).contextShow,
}

const inspectSpec: CommandSpec = {
  name: 'inspect',
  usage: '[OPTIONS] [CONTEXT] [CONTEXT...]',
  description: 'Display detailed information on one or more contexts',
  args: { kind: 'min', count: 0 },
  options: [{ flags: '-f, --format', type: 'string', description: INSPECT_FORMAT_HELP }],
  load: async () => (await import('./context.js')).contextInspect,
}

const rmSpec: CommandSpec = {
  name: 'rm',
  aliases: ['remove'],
  usage: '[OPTIONS] CONTEXT [CONTEXT...]',
  description: 'Remove one or more contexts',
  args: { kind: 'min', count: 1 },
  options: [{ flags: '-f, --force', description: 'Force the removal of a context in use' }],
  load: async () => (await import('./context.js')).contextRm,
}

export const contextGroup: GroupSpec = {
  name: 'context',
  description: 'Manage contexts',
  commands: [createSpec, inspectSpec, lsSpec, rmSpec, showSpec, useSpec],
}

import type { CommandSpec } from '../../command-spec.js'

/**
 * Where the compose-ops commands (ps, logs, exec, ... from ./ops-specs.ts) join the group. Until
 * that file is merged in, the group has only the engine commands; then this re-exports it.
 */
export const composeOpsSpecs: CommandSpec[] = []

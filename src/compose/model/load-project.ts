import { ComposeError } from './compose-error.js'
import type { ComposeProject, LoadOptions } from './types.js'

/**
 * Reads, interpolates, merges and normalizes the project's Compose files.
 * Throws ComposeError (naming file and key) for anything invalid; never touches the engine.
 * (Placeholder signature: the compose-model work replaces this body.)
 */
export async function loadProject(options: LoadOptions): Promise<ComposeProject> {
  throw new ComposeError(`compose loader not built yet (${options.files.join(', ')})`)
}

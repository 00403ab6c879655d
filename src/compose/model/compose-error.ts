import { EngineError } from '../../common/index.js'
import type { ComposeErrorLocation } from './types.js'

/**
 * A problem in the user's Compose files (invalid YAML, unknown key, bad value, dependency cycle,
 * undefined network...). The message already names the file and key, so the CLI prints it as is.
 */
export class ComposeError extends EngineError {
  constructor(
    message: string,
    readonly location: ComposeErrorLocation = {},
    options?: { cause?: unknown },
  ) {
    super('InvalidArgument', 'COMPOSE_INVALID', message, options)
    this.name = 'ComposeError'
  }
}

/** One error vocabulary for every folder; api/errors.ts maps kinds to HTTP statuses once. */
export type ErrorKind =
  | 'NotFound'
  | 'InvalidArgument'
  | 'Conflict'
  | 'NotModified'
  | 'Unauthorized'
  | 'Forbidden'
  | 'Unavailable'
  | 'NotImplemented'
  | 'Internal'

export class EngineError extends Error {
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'EngineError'
  }
}

/** A child process (crun, conmon, mount, ip...) that failed. */
export class RuntimeError extends EngineError {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stderrTail: string,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(
      'Internal',
      'RUNTIME_FAILED',
      message ?? `${argv[0] ?? 'process'} failed (exit ${exitCode ?? 'signal'}): ${stderrTail.trim()}`,
      options,
    )
    this.name = 'RuntimeError'
  }
}

export const notFound = (code: string, message: string): EngineError => new EngineError('NotFound', code, message)
export const invalid = (code: string, message: string): EngineError => new EngineError('InvalidArgument', code, message)
export const conflict = (code: string, message: string): EngineError => new EngineError('Conflict', code, message)

export function isEngineError(err: unknown, kind?: ErrorKind): err is EngineError {
  return err instanceof EngineError && (kind === undefined || err.kind === kind)
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

import { EngineError, type ErrorKind } from '../common/index.js'

/** An error response ({"message": ...}) from the daemon; the CLI prefixes "Error response from daemon: ". */
export class DaemonError extends EngineError {
  constructor(
    kind: ErrorKind,
    readonly statusCode: number,
    message: string,
  ) {
    super(kind, `HTTP_${statusCode}`, message)
    this.name = 'DaemonError'
  }
}

const kindByStatus: Record<number, ErrorKind> = {
  304: 'NotModified',
  400: 'InvalidArgument',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  409: 'Conflict',
  500: 'Internal',
  501: 'NotImplemented',
  503: 'Unavailable',
}

/** The inverse of api/errors.ts: an HTTP status back to the engine's error kind. */
export function kindForStatus(status: number): ErrorKind {
  return kindByStatus[status] ?? (status >= 400 && status < 500 ? 'InvalidArgument' : 'Internal')
}

/** Builds the error for a non-2xx response from its body (JSON {"message"} or plain text). */
export function daemonErrorFromBody(status: number, body: string): DaemonError {
  let message = body.trim()
  try {
    const parsed = JSON.parse(body) as { message?: unknown }
    if (parsed && typeof parsed.message === 'string') message = parsed.message
  } catch {
    // not JSON: keep the text as Docker's client does
  }
  if (message === '') message = status === 304 ? 'not modified' : `request returned ${status} with an empty body`
  return new DaemonError(kindForStatus(status), status, message)
}

/** A failure to reach the daemon at all, worded like Docker's client (adapted to berth). */
export function connectionError(host: string, cause: unknown): EngineError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code
  if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'ENOTDIR') {
    return new EngineError(
      'Unavailable',
      'DAEMON_UNREACHABLE',
      `Cannot connect to the berth daemon at ${host}. Is berthd running?`,
      { cause },
    )
  }
  const detail = cause instanceof Error ? cause.message : String(cause)
  if (code === 'EACCES' || code === 'EPERM') {
    return new EngineError(
      'Unavailable',
      'DAEMON_UNREACHABLE',
      `permission denied while trying to connect to the berth daemon socket at ${host}: ${detail}`,
      { cause },
    )
  }
  return new EngineError('Unavailable', 'DAEMON_UNREACHABLE', `error during connect: ${detail}`, { cause })
}

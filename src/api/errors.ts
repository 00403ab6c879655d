import type { ServerResponse } from 'node:http'
import { isEngineError, errorMessage, type ErrorKind, type Logger } from '../common/index.js'
import type { ErrorResponse } from './types/index.js'

/** The one place an error kind becomes an HTTP status (moby's httpstatus.FromError). */
export const statusByKind: Record<ErrorKind, number> = {
  NotFound: 404,
  InvalidArgument: 400,
  Conflict: 409,
  NotModified: 304,
  Unauthorized: 401,
  Forbidden: 403,
  Unavailable: 503,
  NotImplemented: 501,
  Internal: 500,
}

export function statusOf(err: unknown): number {
  return isEngineError(err) ? statusByKind[err.kind] : 500
}

/**
 * Answers a failed request with `{"message": ...}` (no body for 304). Errors that are not
 * EngineErrors, and Internal ones, are logged with their stack; the client only sees the message. When the
 * response has already started (a stream), the error is logged and the connection closed.
 */
export function sendError(res: ServerResponse, err: unknown, logger: Logger, route: string): void {
  const status = statusOf(err)
  const message = errorMessage(err)
  if (!isEngineError(err) || err.kind === 'Internal') {
    logger.error('Handler for ' + route + ' returned error', { error: message, stack: err instanceof Error ? err.stack : undefined })
  } else {
    logger.debug('Handler for ' + route + ' returned error', { error: message })
  }
  if (res.headersSent) {
    res.destroy()
    return
  }
  if (status === 304) {
    res.writeHead(304)
    res.end()
    return
  }
  const body: ErrorResponse = { message }
  const text = JSON.stringify(body) + '\n'
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

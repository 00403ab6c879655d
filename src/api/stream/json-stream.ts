import type { JsonStreamMessage } from '../types/index.js'

/** One message of a Docker JSON progress stream; moby's streamformatter ends each with CRLF. */
export function jsonStreamLine(message: JsonStreamMessage): string {
  return JSON.stringify(message) + '\r\n'
}

export function jsonStreamError(message: string): string {
  return jsonStreamLine({ errorDetail: { message }, error: message })
}

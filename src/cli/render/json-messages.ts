import type { Writable } from 'node:stream'
import type { JsonMessage } from '../../client/index.js'
import { rfc3339NanoFixed } from '../../format/index.js'

/** An error message inside a JSON message stream ({"errorDetail": ...}); printed as is. */
export class JsonMessageError extends Error {
  constructor(message: string, readonly code?: number) {
    super(message)
    this.name = 'JsonMessageError'
  }
}

/**
 * docker's jsonmessage.DisplayJSONMessagesStream. On a terminal, progress lines are redrawn in
 * place per layer id; elsewhere progress bars are skipped and each status is one line.
 * Throws JsonMessageError at the first error message. Returns the aux payloads seen.
 */
export async function displayJsonMessages(
  messages: AsyncIterable<JsonMessage>,
  out: Writable,
  isTerminal: boolean,
): Promise<unknown[]> {
  const aux: unknown[] = []
  const lines = new Map<string, number>()
  let lineCount = 0
  for await (const message of messages) {
    if (message.errorDetail || message.error) {
      throw new JsonMessageError(message.errorDetail?.message ?? message.error ?? 'unknown error', message.errorDetail?.code)
    }
    if (message.aux !== undefined) {
      aux.push(message.aux)
      continue
    }
    // Without a terminal, progress bars are dropped (docker does the same).
    if (!isTerminal && (message.progress ?? '') !== '') continue
    const text = formatMessage(message, isTerminal)
    if (isTerminal && message.id) {
      const index = lines.get(message.id)
      if (index === undefined) {
        lines.set(message.id, lineCount++)
        out.write(`${text}\n`)
      } else {
        // Move up to the layer's line, rewrite it, come back down to the bottom line.
        const up = lineCount - index
        out.write(`\x1b[${up}A\r\x1b[2K${text}\x1b[${up}B\r`)
      }
    } else if (message.stream !== undefined) {
      out.write(text)
      lineCount += (text.match(/\n/g) ?? []).length
    } else {
      out.write(`${text}\n`)
      lineCount++
    }
  }
  return aux
}

function formatMessage(message: JsonMessage, isTerminal: boolean): string {
  let text = ''
  if (message.timeNano) text += `${rfc3339NanoFixed(BigInt(message.timeNano))} `
  else if (message.time) text += `${rfc3339NanoFixed(BigInt(message.time) * 1_000_000_000n)} `
  if (message.id) text += `${message.id}: `
  if (message.from) text += `(from ${message.from}) `
  if (isTerminal && message.progress) text += `${message.status ?? ''} ${message.progress}`
  else if (message.stream !== undefined) text += message.stream
  else text += message.status ?? ''
  return text
}

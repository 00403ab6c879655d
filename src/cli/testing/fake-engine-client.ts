import { PassThrough, Readable, Writable } from 'node:stream'
import { EngineError } from '../../common/index.js'
import type { CliIo } from '../context.js'
import type { EngineClient } from '../../client/index.js'

export interface RecordedCall {
  method: string
  args: unknown[]
}

/**
 * A recording EngineClient for CLI tests: every call is recorded; methods answer from
 * `responses` (a function per method name) or fail with NotImplemented.
 */
export function fakeEngineClient(responses: Partial<Record<keyof EngineClient, (...args: never[]) => unknown>> = {}): {
  client: EngineClient
  calls: RecordedCall[]
} {
  const calls: RecordedCall[] = []
  const client = new Proxy({} as EngineClient, {
    get(_target, prop: string) {
      if (prop === 'host') return 'unix:///fake.sock'
      if (prop === 'then') return undefined
      return (...args: unknown[]) => {
        calls.push({ method: prop, args })
        if (prop === 'close') return undefined
        const respond = responses[prop as keyof EngineClient] as ((...a: unknown[]) => unknown) | undefined
        if (!respond) return Promise.reject(new EngineError('NotImplemented', 'FAKE', `fake: ${prop} not scripted`))
        return Promise.resolve().then(() => respond(...args))
      }
    },
  })
  return { client, calls }
}

/** In-memory stdio for runCli(): collects stdout/stderr text. */
export function memoryIo(options: { stdin?: string; env?: NodeJS.ProcessEnv; stdinIsTTY?: boolean } = {}): {
  io: CliIo
  stdout: () => string
  stderr: () => string
} {
  const out: string[] = []
  const err: string[] = []
  const sink = (into: string[]): Writable =>
    new Writable({
      write(chunk: Buffer, _enc, cb) {
        into.push(chunk.toString())
        cb()
      },
    })
  const stdin = options.stdin === undefined ? new PassThrough() : Readable.from([Buffer.from(options.stdin)])
  const io: CliIo = {
    stdin: Object.assign(stdin, { isTTY: options.stdinIsTTY }),
    stdout: sink(out),
    stderr: sink(err),
    env: options.env ?? {},
  }
  return { io, stdout: () => out.join(''), stderr: () => err.join('') }
}

import type { Readable, Writable } from 'node:stream'
import type { EngineClient } from '../client/index.js'

/** The process streams the CLI uses; tests pass their own. */
export interface CliIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown }
  stdout: Writable & { isTTY?: boolean; columns?: number; rows?: number }
  stderr: Writable & { isTTY?: boolean }
  env: NodeJS.ProcessEnv
}

/** What a command handler gets: streams, the daemon client and where it was invoked from. */
export interface CliContext {
  io: CliIo
  /** e.g. "berth container ls": used in help hints and error messages. */
  commandPath: string
  debug: boolean
  /** The global --context flag, if given. */
  contextFlag?: string
  /** The daemon client, created on first use. */
  client(): EngineClient
  /** Releases the client if one was created. */
  close(): void
}

export function createContext(options: {
  io: CliIo
  commandPath: string
  debug: boolean
  contextFlag?: string
  makeClient: () => EngineClient
}): CliContext {
  let client: EngineClient | undefined
  return {
    io: options.io,
    commandPath: options.commandPath,
    debug: options.debug,
    contextFlag: options.contextFlag,
    client: () => (client ??= options.makeClient()),
    close: () => client?.close(),
  }
}

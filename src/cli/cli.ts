import { CommanderError } from 'commander'
import { HttpEngineClient, resolveEndpoint, type ClientGlobals, type EngineClient } from '../client/index.js'
import type { CliIo } from './context.js'
import { buildProgram, type ProgramState } from './program.js'
import { CliError, exitStatusFor } from './render/errors.js'
import { BERTH_VERSION } from './version.js'

export interface RunCliOptions {
  /** Replaces the HTTP client (tests). */
  makeClient?: (globals: ClientGlobals, env: NodeJS.ProcessEnv) => EngineClient
}

/** Runs `berth <argv>` and resolves with the exit status; never throws. */
export async function runCli(argv: string[], io: CliIo, options: RunCliOptions = {}): Promise<number> {
  const state: ProgramState = { exitCode: 0 }
  const makeClient =
    options.makeClient ??
    ((globals: ClientGlobals, env: NodeJS.ProcessEnv): EngineClient => {
      const endpoint = resolveEndpoint(globals, env)
      return new HttpEngineClient({
        host: endpoint.host,
        tls: endpoint.tls,
        apiVersion: env.DOCKER_API_VERSION || undefined,
        lazyNegotiation: true,
        userAgent: `berth-cli/${BERTH_VERSION}`,
      })
    })
  const program = buildProgram({ io, makeClient }, state, argv)
  try {
    await program.parseAsync(argv, { from: 'user' })
    return state.exitCode
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode
    const { exitCode, message } = exitStatusFor(err)
    if (message !== '') io.stderr.write(`${message}\n`)
    if (state.context?.debug && !(err instanceof CliError) && err instanceof Error && err.stack) {
      io.stderr.write(`${err.stack}\n`)
    }
    return exitCode
  } finally {
    state.context?.close()
  }
}

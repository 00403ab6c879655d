import { isEngineError } from '../../common/index.js'
import { DaemonError } from '../../client/index.js'

/**
 * An error the CLI has already worded for people, with the exit status docker would use
 * (125 for flag and daemon errors of run/create, 1 for most others). `message` may be empty
 * when everything was printed already and only the status remains.
 */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = 1) {
    super(message)
    this.name = 'CliError'
  }
}

/** How docker's CLI prints an error: daemon answers get "Error response from daemon: ". */
export function describeError(err: unknown): string {
  if (err instanceof DaemonError) return `Error response from daemon: ${err.message}`
  if (err instanceof Error) return err.message
  return String(err)
}

/** The status and text for an error that reached the top of the CLI. */
export function exitStatusFor(err: unknown): { exitCode: number; message: string } {
  if (err instanceof CliError) return { exitCode: err.exitCode === 0 ? 1 : err.exitCode, message: err.message }
  return { exitCode: 1, message: describeError(err) }
}

/**
 * docker run/start's status for a failure before the container process ran: 127 when the
 * command was not found, 126 when it could not be invoked, 125 for anything else.
 */
export function runFailureStatus(err: unknown): number {
  const text = describeError(err).replace(/^Error response from daemon: /, '')
  if (/executable file not found|no such file or directory|system cannot find the file specified/.test(text)) return 127
  if (/permission denied|is a directory/.test(text)) return 126
  return 125
}

/** docker's withHelp(): "berth: <error>\n\nRun 'berth run --help' for more information". */
export function withHelp(err: unknown, commandPath: string): string {
  return `${commandPath.split(' ')[0]}: ${describeError(err)}\n\nRun '${commandPath} --help' for more information`
}

export function isNotFound(err: unknown): boolean {
  return isEngineError(err, 'NotFound')
}

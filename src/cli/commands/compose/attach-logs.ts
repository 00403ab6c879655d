/**
 * Attached `compose up`: every container's output on stdout, one line at a time, prefixed with
 * its short name ("web-1  | ...", coloured per service), until all containers have exited.
 * Ctrl-C stops the project's containers ("Gracefully stopping..."), as docker compose does;
 * --abort-on-container-exit does the same when the first container exits.
 */
import { FrameDecoder } from '../../../client/index.js'
import type { ComposeEngine, ObservedContainer } from '../../../compose/engine/index.js'
import type { CliContext } from '../../context.js'

export interface AttachOptions {
  projectName: string
  /** Containers whose output is shown. */
  containers: ObservedContainer[]
  /** Containers stopped on Ctrl-C or abort (every container the run handled). */
  stopOnExit: ObservedContainer[]
  /** Containers (ids) started by this run: their output is shown from the start; others from now on. */
  fromStart: Set<string>
  colour: boolean
  prefix: boolean
  timestamps: boolean
  abortOnExit: boolean
  abortOnFailure: boolean
  exitCodeFrom?: string
  timeoutSeconds?: number
  engine: ComposeEngine
  /** Called before more progress is drawn below the logs (Ctrl-C, abort). */
  detachProgress?: () => void
}

const COLOURS = ['36', '33', '32', '35', '34', '96', '93', '92', '95', '94']

/** "web-1" for "proj-web-1" (Compose's log prefix); other names as they are. */
export function shortName(projectName: string, containerName: string): string {
  return containerName.startsWith(`${projectName}-`) ? containerName.slice(projectName.length + 1) : containerName
}

/** Splits a byte stream into lines, keeping a partial last line until more arrives. */
class LineBuffer {
  private partial = ''
  constructor(private readonly emit: (line: string) => void) {}
  push(text: string): void {
    const lines = (this.partial + text).split('\n')
    this.partial = lines.pop() ?? ''
    for (const l of lines) this.emit(l)
  }
  flush(): void {
    if (this.partial !== '') this.emit(this.partial)
    this.partial = ''
  }
}

export async function attachLogs(ctx: CliContext, o: AttachOptions): Promise<number> {
  const client = ctx.client()
  const out = ctx.io.stdout
  const names = o.containers.map((c) => shortName(o.projectName, c.name))
  const width = Math.max(0, ...names.map((n) => n.length))
  const services = [...new Set(o.containers.map((c) => c.service))]
  const paint = (service: string, text: string): string => {
    if (!o.colour) return text
    return `\x1b[${COLOURS[services.indexOf(service) % COLOURS.length]}m${text}\x1b[0m`
  }
  out.write(`Attaching to ${names.join(', ')}\n`)

  let stopping: Promise<void> | undefined
  let exitCode = 0
  let exitDecided = false
  const stopAll = (message: string): Promise<void> => {
    stopping ??= (async () => {
      out.write(`${message}\n`)
      o.detachProgress?.()
      await o.engine.stopContainers(o.stopOnExit, o.timeoutSeconds)
    })()
    return stopping
  }
  let interrupted = false
  const onSignal = (): void => {
    if (interrupted) process.exit(130)
    interrupted = true
    if (!exitDecided) {
      exitCode = 130
      exitDecided = true
    }
    void stopAll('Gracefully stopping... (press Ctrl+C again to force)')
  }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)

  const since = String(Math.floor(Date.now() / 1000))
  const follow = async (c: ObservedContainer, name: string): Promise<void> => {
    const prefix = o.prefix ? paint(c.service, `${name.padEnd(width)}  | `) : ''
    const write = (line: string): void => void out.write(`${prefix}${line}\n`)
    const logs = await client.containerLogs(c.id, {
      follow: true, stdout: true, stderr: true, timestamps: o.timestamps, ...(o.fromStart.has(c.id) ? {} : { since }),
    })
    const stdout = new LineBuffer(write)
    const stderr = new LineBuffer(write)
    const decoder = logs.multiplexed === false ? undefined : new FrameDecoder()
    for await (const chunk of logs.stream) {
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string)
      if (!decoder) {
        stdout.push(buf.toString())
        continue
      }
      for (const frame of decoder.push(buf)) (frame.stream === 2 ? stderr : stdout).push(frame.payload.toString())
    }
    stdout.flush()
    stderr.flush()
    let code = 0
    try {
      code = (await client.containerInspect(c.id)).value.State.ExitCode
    } catch {
      code = 0
    }
    out.write(`${paint(c.service, name)} exited with code ${code}\n`)
    const decides = o.exitCodeFrom ? c.service === o.exitCodeFrom : o.abortOnExit || (o.abortOnFailure && code !== 0)
    if (decides && !exitDecided) {
      exitDecided = true
      exitCode = code
    }
    if (o.abortOnExit || (o.abortOnFailure && code !== 0)) await stopAll('Aborting on container exit...')
  }
  try {
    await Promise.all(o.containers.map((c, i) => follow(c, names[i]!)))
    if (stopping) await stopping
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
  return exitCode
}

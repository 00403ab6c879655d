import type { Writable } from 'node:stream'
import type { ProgressEvent } from '../../../compose/engine/index.js'

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'json' | 'quiet'

/**
 * Draws the compose engine's progress events on stderr like Docker Compose v2: " ✔ Container
 * proj-web-1  Started" for finished steps (--progress auto/tty), every step as "Container
 * proj-web-1  Starting" with --progress plain, JSON lines with json, nothing with quiet.
 * Warnings are logrus-style "WARN[0000] ..." lines; errors " ✘ Container x  Error <message>".
 */
export class ProgressView {
  constructor(
    private readonly out: Writable,
    private readonly mode: ProgressMode,
    private readonly colour: boolean,
  ) {}

  readonly event = (e: ProgressEvent): void => {
    if (this.mode === 'quiet') return
    if (this.mode === 'json') {
      this.out.write(JSON.stringify({ id: e.id, status: e.status, ...(e.text ? { text: e.text } : {}), state: e.state }) + '\n')
      return
    }
    if (e.state === 'warning') {
      this.out.write(`${this.paint('33', 'WARN')}[0000] ${e.text ?? e.status}\n`)
      return
    }
    if (this.mode === 'plain') {
      this.out.write(`${e.id}  ${e.status}${e.text ? ` ${e.text}` : ''}\n`)
      return
    }
    if (e.state === 'working') return
    const mark = e.state === 'error' ? this.paint('31', '✘') : this.paint('32', '✔')
    this.out.write(` ${mark} ${e.id}  ${e.status}${e.text ? ` ${e.text}` : ''}\n`)
  }

  private paint(code: string, text: string): string {
    return this.colour ? `\x1b[${code}m${text}\x1b[0m` : text
  }
}

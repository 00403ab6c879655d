import type { Writable } from 'node:stream'
import type { ProgressEvent } from '../../../compose/engine/index.js'

export type ProgressMode = 'auto' | 'tty' | 'plain' | 'json' | 'quiet'

interface Entry {
  event: ProgressEvent
  started: number
  ended?: number
}

/**
 * Draws the compose engine's progress events on stderr like Docker Compose v2. On a terminal
 * (--progress auto/tty) a block redrawn in place: "[+] Running 2/3", then one line per resource
 * (" ✔ Container proj-web-1  Started  0.4s", "⠿" while working). Elsewhere (auto) one line per
 * finished step (" ✔ Container proj-web-1  Started"); --progress plain: every step as "Container
 * proj-web-1  Starting"; json: JSON lines; quiet: nothing. Warnings are "WARN[0000] ..." lines.
 */
export class ProgressView {
  private readonly live: boolean
  private readonly entries = new Map<string, Entry>()
  private drawn = 0

  constructor(
    private readonly out: Writable & { isTTY?: boolean; columns?: number },
    private readonly mode: ProgressMode,
    private readonly colour: boolean,
  ) {
    this.live = mode === 'tty' || (mode === 'auto' && out.isTTY === true)
  }

  readonly event = (e: ProgressEvent): void => {
    if (this.mode === 'quiet') return
    if (this.mode === 'json') {
      this.out.write(JSON.stringify({ id: e.id, status: e.status, ...(e.text ? { text: e.text } : {}), state: e.state }) + '\n')
      return
    }
    if (e.state === 'warning') {
      this.text(`${this.paint('33', 'WARN')}[0000] ${e.text ?? e.status}\n`)
      return
    }
    if (this.mode === 'plain') {
      this.out.write(`${e.id}  ${e.status}${e.text ? ` ${e.text}` : ''}\n`)
      return
    }
    if (!this.live) {
      if (e.state !== 'working') this.out.write(`${this.line(e)}\n`)
      return
    }
    const now = Date.now()
    let entry = this.entries.get(e.id)
    if (!entry || (entry.ended !== undefined && e.state === 'working')) {
      entry = { event: e, started: now }
      this.entries.set(e.id, entry)
    }
    entry.event = e
    if (e.state !== 'working') entry.ended = now
    this.draw()
  }

  /** Text printed above the live block (build output, warnings), or as is when not live. */
  text(s: string): void {
    if (this.mode === 'quiet') return
    if (!this.live || this.drawn === 0) {
      this.out.write(s)
      return
    }
    this.out.write(`\x1b[${this.drawn}A\r\x1b[J${s}${s.endsWith('\n') ? '' : '\n'}`)
    this.drawn = 0
    this.draw()
  }

  /** Leaves the block as drawn: later events start a new one below other output (attached logs). */
  detach(): void {
    this.entries.clear()
    this.drawn = 0
  }

  private draw(): void {
    const entries = [...this.entries.values()]
    const idWidth = Math.max(...entries.map((x) => x.event.id.length))
    const statusWidth = Math.max(...entries.map((x) => x.event.status.length))
    const done = entries.filter((x) => x.event.state !== 'working').length
    const lines = [`[+] Running ${done}/${entries.length}`]
    const cols = this.out.columns ?? 80
    for (const x of entries) {
      const secs = `${(((x.ended ?? Date.now()) - x.started) / 1000).toFixed(1)}s`
      const body = this.line(x.event, idWidth, statusWidth)
      const visible = body.replace(/\x1b\[[0-9;]*m/g, '').length // eslint-disable-line no-control-regex
      lines.push(`${body}${' '.repeat(Math.max(1, cols - visible - secs.length - 1))}${secs}`)
    }
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A\r\x1b[J` : ''
    this.out.write(up + lines.join('\n') + '\n')
    this.drawn = lines.length
  }

  private line(e: ProgressEvent, idWidth = 0, statusWidth = 0): string {
    const mark = e.state === 'error' ? this.paint('31', '✘') : e.state === 'working' ? this.paint('34', '⠿') : this.paint('32', '✔')
    const text = e.text ? ` ${e.text}` : ''
    return ` ${mark} ${e.id.padEnd(idWidth)}  ${e.status.padEnd(statusWidth)}${text}`.replace(/\s+$/, '')
  }

  private paint(code: string, text: string): string {
    return this.colour ? `\x1b[${code}m${text}\x1b[0m` : text
  }
}

/**
 * Draws the classic builder's progress stream. "plain" writes it as docker's legacy builder does;
 * "tty" turns it into a live view like BuildKit's: a header with the elapsed time, one line per
 * step (CACHED or its duration), and the last lines of the running step's output, redrawn in place.
 */
import type { Writable } from 'node:stream'

interface StepLine {
  label: string
  text: string
  started: number
  ended?: number
  cached: boolean
  output: string[]
}

const TAIL = 6
const STEP_RE = /^Step (\d+)\/(\d+) : (.*)$/

export class BuildProgress {
  private readonly steps: StepLine[] = []
  private readonly notes: string[] = []
  private partial = ''
  private drawn = 0
  private timer: NodeJS.Timeout | undefined
  private readonly started = Date.now()
  private total = 0

  constructor(private readonly out: Writable, private readonly mode: 'plain' | 'tty', private readonly cols = 100) {
    if (mode === 'tty') this.timer = setInterval(() => this.draw(), 150)
  }

  write(text: string): void {
    if (this.mode === 'plain') {
      this.out.write(text)
      return
    }
    const lines = (this.partial + text).split('\n')
    this.partial = lines.pop() ?? ''
    for (const line of lines) this.line(line)
  }

  private line(line: string): void {
    const m = STEP_RE.exec(line)
    const active = this.steps[this.steps.length - 1]
    if (m) {
      if (active && active.ended === undefined) active.ended = Date.now()
      this.total = Number(m[2])
      this.steps.push({ label: `[${m[1]}/${m[2]}]`, text: m[3] ?? '', started: Date.now(), cached: false, output: [] })
      return
    }
    if (line === ' ---> Using cache') {
      if (active) active.cached = true
      return
    }
    if (/^ ---> |^Removing intermediate container /.test(line)) return
    if (/^Successfully (built|tagged) /.test(line)) {
      if (active && active.ended === undefined) active.ended = Date.now()
      this.notes.push(line)
      return
    }
    if (active && active.ended === undefined) active.output.push(line)
    else this.notes.push(line)
  }

  /** Final frame; on failure the failing step's whole output stays on screen. */
  end(ok: boolean): void {
    if (this.timer) clearInterval(this.timer)
    if (this.mode === 'plain') return
    if (this.partial !== '') this.line(this.partial)
    this.partial = ''
    const active = this.steps[this.steps.length - 1]
    if (active && active.ended === undefined) active.ended = Date.now()
    this.draw(true, ok)
  }

  private draw(final = false, ok = true): void {
    const secs = (ms: number): string => `${(ms / 1000).toFixed(1)}s`
    const fit = (s: string): string => (s.length > this.cols - 1 ? s.slice(0, this.cols - 2) + '…' : s)
    const done = this.steps.filter((s) => s.ended !== undefined).length
    const lines = [`[+] Building ${secs(Date.now() - this.started)} (${done}/${this.total || this.steps.length})${final ? (ok ? ' FINISHED' : ' FAILED') : ''}`]
    for (const s of this.steps) {
      const status = s.cached ? 'CACHED' : secs((s.ended ?? Date.now()) - s.started)
      const head = ` => ${s.label} ${s.text}`
      const width = Math.max(this.cols - status.length - 2, 10)
      lines.push(`${fit(head).slice(0, width).padEnd(width)} ${status}`)
      const running = s.ended === undefined
      const failedHere = final && !ok && s === this.steps[this.steps.length - 1]
      if (running || failedHere) {
        const shown = failedHere ? s.output : s.output.slice(-TAIL)
        for (const o of shown) lines.push(fit(` => => # ${o}`))
      }
    }
    for (const n of this.notes) lines.push(fit(n))
    let frame = this.drawn > 0 ? `\x1b[${this.drawn}A\r\x1b[J` : ''
    frame += lines.join('\n') + '\n'
    this.drawn = lines.length
    this.out.write(frame)
  }
}

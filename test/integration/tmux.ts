/**
 * A terminal for interactive tests: one tmux server on a private socket (-L), one window of a
 * given size running a plain shell. Tests type with send()/keys() and read the screen with
 * screen()/waitFor(). kill() ends the server and everything in it.
 */
import { spawnSync } from 'node:child_process'
import { sleep } from './harness.js'

export function hasTmux(): boolean {
  return spawnSync('tmux', ['-V']).status === 0
}

export class Tmux {
  readonly socket: string
  private started = false

  constructor(name: string) {
    this.socket = `berth-it-${name}-${process.pid}`
  }

  private tmux(args: string[]): string {
    const r = spawnSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' })
    if (r.status !== 0) throw new Error(`tmux ${args.join(' ')} failed: ${r.stderr}`)
    return r.stdout
  }

  /** A window of `cols` x `rows` running sh with a recognisable prompt and `env`. */
  start(cols: number, rows: number, env: Record<string, string> = {}): void {
    const assignments = Object.entries({ PS1: 'host$ ', ...env }).map(([k, v]) => `${k}=${v}`)
    this.tmux(['new-session', '-d', '-x', String(cols), '-y', String(rows), 'env', ...assignments, 'sh'])
    this.started = true
    // Keep the window at its own size whatever clients attach.
    this.tmux(['set-option', '-g', 'window-size', 'manual'])
  }

  /**
   * Types `text` literally and waits until the terminal has echoed it (so a following waitFor
   * cannot match the screen as it was before), then presses Enter.
   */
  async send(text: string): Promise<void> {
    this.tmux(['send-keys', '-l', text])
    const tail = text.slice(-20)
    await this.waitFor({ test: (screen: string) => screen.includes(tail) }, `the echo of "${text}"`)
    this.tmux(['send-keys', 'Enter'])
  }

  /** Key names as tmux knows them ("C-p", "C-q", "Enter"). */
  keys(...keys: string[]): void {
    this.tmux(['send-keys', ...keys])
  }

  /**
   * Resizes the window and waits until the pane's terminal has the new size: tmux applies a pane
   * resize at most once per 250 ms and queues the rest, so a program started right after
   * resize-window can still read the old size (and miss the SIGWINCH that follows).
   */
  async resize(cols: number, rows: number): Promise<void> {
    this.tmux(['resize-window', '-x', String(cols), '-y', String(rows)])
    const tty = this.tmux(['display-message', '-p', '#{pane_tty}']).trim()
    const deadline = Date.now() + 5_000
    let size = ''
    while (Date.now() < deadline) {
      size = spawnSync('stty', ['-F', tty, 'size'], { encoding: 'utf8' }).stdout.trim()
      if (size === `${rows} ${cols}`) return
      await sleep(20)
    }
    throw new Error(`the pane's terminal stayed at ${size}, not ${rows} ${cols}`)
  }

  /** The visible screen plus scrollback, trailing blank lines dropped. */
  screen(): string {
    return this.tmux(['capture-pane', '-p', '-J', '-S', '-200']).replace(/\n+$/, '\n')
  }

  /** Clears the host shell's screen and scrollback (call at the host prompt). */
  async clear(): Promise<void> {
    await this.send('clear')
    await this.waitFor(/^host\$ \n?$/, 'a cleared screen')
    this.tmux(['clear-history'])
  }

  /** Waits until the screen matches `pattern`; returns the match. */
  async waitFor(pattern: RegExp | { test(screen: string): boolean }, what: string, timeoutMs = 10_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs
    let text = ''
    while (Date.now() < deadline) {
      text = this.screen()
      if (pattern instanceof RegExp) {
        const m = text.match(pattern)
        if (m) return m
      } else if (pattern.test(text)) {
        return [text] as RegExpMatchArray
      }
      await sleep(50)
    }
    throw new Error(`timed out waiting for ${what} (${pattern}); screen:\n${text}`)
  }

  kill(): void {
    if (!this.started) return
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' })
    this.started = false
  }
}

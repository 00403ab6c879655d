/**
 * Compose's log consumer: every line of a container's output is prefixed with the container's
 * name without the project ("web-1"), padded to the longest registered name plus one, then
 * " | ", the prefix coloured per container in Compose's rainbow order when colour is on.
 */

type ColorFunc = (text: string) => string

const ansi = (code: string): ColorFunc => (text) => `\x1b[${code}m${text}\x1b[0m`

/** Compose's rainbow: cyan, yellow, green, magenta, blue, then their intense variants. */
export const RAINBOW: readonly string[] = ['36', '33', '32', '35', '34', '36;1', '33;1', '32;1', '35;1', '34;1']

export interface LogPrinterOptions {
  color: boolean
  prefix: boolean
}

export class LogPrinter {
  private readonly presenters = new Map<string, { color: ColorFunc; prefix: string }>()
  private nextColor = 0
  private width = 0

  constructor(private readonly options: LogPrinterOptions) {}

  /** Registers a container name (colour assigned in registration order); re-pads every prefix. */
  register(name: string): void {
    if (this.presenters.has(name)) return
    const color = this.options.color ? ansi(RAINBOW[this.nextColor++ % RAINBOW.length]!) : (t: string) => t
    this.presenters.set(name, { color, prefix: '' })
    this.width = Math.max(...[...this.presenters.keys()].map((n) => n.length)) + 1
    if (!this.options.prefix) return
    for (const [n, p] of this.presenters) p.prefix = p.color(`${n.padEnd(this.width)} | `)
  }

  /** The text to print for one line (without its newline) of a container's output. */
  line(name: string, text: string): string {
    this.register(name)
    return `${this.presenters.get(name)!.prefix}${text}\n`
  }

  /**
   * Compose's Status line ("web-1 exited with code 0"): goterm's RESET_LINE ("\r\x1b[K", printed
   * whether or not stdout is a terminal), the name and message, in the container's colour.
   */
  status(name: string, message: string): string {
    this.register(name)
    return this.presenters.get(name)!.color(`\r\x1b[K${name} ${message}`) + '\n'
  }
}

/**
 * Splits a byte stream into lines (Compose's utils.GetWriter): complete lines go to `onLine`
 * without their "\n"; `flush()` emits a last unterminated line.
 */
export class LineSplitter {
  private pending = ''

  constructor(private readonly onLine: (line: string) => void) {}

  write(chunk: Buffer | string): void {
    const text = this.pending + chunk.toString()
    const parts = text.split('\n')
    this.pending = parts.pop()!
    for (const part of parts) this.onLine(part)
  }

  flush(): void {
    if (this.pending !== '') this.onLine(this.pending)
    this.pending = ''
  }
}

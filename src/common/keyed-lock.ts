/** Runs callbacks for the same key one at a time, in call order. Not re-entrant. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<void>>()

  /** True while a callback for `key` runs or waits. */
  busy(key: string): boolean {
    return this.tails.has(key)
  }

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve()
    let release!: () => void
    const mine = new Promise<void>((resolve) => (release = resolve))
    const tail = previous.then(() => mine)
    this.tails.set(key, tail)
    await previous
    try {
      return await fn()
    } finally {
      release()
      if (this.tails.get(key) === tail) this.tails.delete(key)
    }
  }
}

/** Per-container serialization and exit/removal notification used by ContainerManager. */

export { KeyedLock } from '../../common/index.js'

type Waiter = { resolve: (exitCode: number) => void; onRemovedOnly: boolean }

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError')
}

/**
 * Promises for "the container's next exit has been processed" and "the container is removed".
 * Both resolve with the exit code; a removal also settles pending next-exit waiters, so nobody
 * waits forever on a container that is gone.
 */
export class ExitWaiters {
  private readonly waiters = new Map<string, Set<Waiter>>()

  nextExit(id: string, signal?: AbortSignal): Promise<number> {
    return this.add(id, false, signal)
  }

  removed(id: string, signal?: AbortSignal): Promise<number> {
    return this.add(id, true, signal)
  }

  notifyExit(id: string, exitCode: number): void {
    this.settle(id, exitCode, (w) => !w.onRemovedOnly)
  }

  notifyRemoved(id: string, exitCode: number): void {
    this.settle(id, exitCode, () => true)
  }

  private settle(id: string, exitCode: number, which: (w: Waiter) => boolean): void {
    const set = this.waiters.get(id)
    if (!set) return
    for (const w of [...set]) {
      if (!which(w)) continue
      set.delete(w)
      w.resolve(exitCode)
    }
    if (set.size === 0) this.waiters.delete(id)
  }

  private add(id: string, onRemovedOnly: boolean, signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) return Promise.reject(abortError(signal))
    return new Promise((resolve, reject) => {
      const set = this.waiters.get(id) ?? new Set<Waiter>()
      this.waiters.set(id, set)
      const onAbort = (): void => {
        set.delete(waiter)
        if (set.size === 0 && this.waiters.get(id) === set) this.waiters.delete(id)
        reject(abortError(signal as AbortSignal))
      }
      const waiter: Waiter = {
        onRemovedOnly,
        resolve: (code) => {
          signal?.removeEventListener('abort', onAbort)
          resolve(code)
        },
      }
      set.add(waiter)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
  }
}

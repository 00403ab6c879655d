import { mkdir, rm } from 'node:fs/promises'
import { dirname } from 'node:path'

/**
 * A directory of berthd's own, made anew (anything there before is removed) with mode 0700 by the
 * first ready() and again after a ready() that failed. The last step is not recursive: in a shared
 * parent such as /dev/shm, a directory someone else made meanwhile fails it, so nothing written into
 * it can follow their links.
 */
export class PrivateDir {
  private made: Promise<void> | undefined

  constructor(readonly path: string) {}

  async ready(): Promise<void> {
    this.made ??= rm(this.path, { recursive: true, force: true }).then(async () => {
      await mkdir(dirname(this.path), { recursive: true })
      await mkdir(this.path, { mode: 0o700 })
    })
    try {
      await this.made
    } catch (err) {
      this.made = undefined
      throw err
    }
  }
}

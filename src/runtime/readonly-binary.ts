/**
 * The OCI runtime binary on a read-only bind mount, made once. crun (like runc) guards against
 * CVE-2019-5736, a container overwriting the runtime through /proc/<pid>/exe, by re-executing itself
 * from a read-only copy on every run: a temporary file, two mounts, an unmount and a second execve.
 * It skips that when its binary already sits on a read-only mount and _LIBCONTAINER_CLONED_BINARY is
 * set: the protection is the same (a write through /proc/<pid>/exe meets EROFS), paid once.
 */
import { statSync, writeFileSync } from 'node:fs'
import { errorMessage, type Logger } from '../common/index.js'
import { bindMountReadOnly, isMountpoint, unmount } from '../sys/index.js'

/**
 * What tells crun and runc that their binary was already made safe. They honour it only when the
 * binary really is on a read-only mount (or unlinked), so it is harmless in the environment of any
 * other command: berthd's spawn helper has it, so that the runtime commands it starts need no env.
 */
export const CLONED_BINARY_ENV: Readonly<Record<string, string>> = { _LIBCONTAINER_CLONED_BINARY: '1' }

export interface RuntimeCommand {
  /** argv[0] */
  path: string
  /** Added to the environment the binary runs with. */
  env: Record<string, string>
}

export class ReadOnlyBinary {
  private ready: Promise<boolean> | undefined

  /** `target` (a file path on a writable filesystem) belongs to this object: it is mounted over. */
  constructor(
    private readonly source: string,
    private readonly target: string,
    private readonly logger: Logger,
  ) {}

  /** How to run the binary: from the read-only mount, or the plain binary when it cannot be made. */
  async command(): Promise<RuntimeCommand> {
    // A package upgrade replaces the binary: a mount of the old one is made again.
    if (this.ready && (await this.ready) && !sameFile(this.source, this.target)) this.ready = undefined
    this.ready ??= this.mount()
    return (await this.ready) ? { path: this.target, env: { ...CLONED_BINARY_ENV } } : { path: this.source, env: {} }
  }

  private async mount(): Promise<boolean> {
    try {
      await unmount(this.target)
      writeFileSync(this.target, '', { flag: 'a' })
      await bindMountReadOnly(this.source, this.target)
      return true
    } catch (err) {
      this.logger.warn('cannot bind-mount the runtime binary read-only; it re-executes itself on every run', { target: this.target, error: errorMessage(err) })
      return false
    }
  }

  /** Removes the mount (the daemon stops). */
  async close(): Promise<void> {
    // A mount still being made is waited for, so that it is not left behind.
    const pending = this.ready
    this.ready = undefined
    await pending
    if (await isMountpoint(this.target)) await unmount(this.target, { lazy: true })
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    const sa = statSync(a)
    const sb = statSync(b)
    return sa.ino === sb.ino && sa.dev === sb.dev
  } catch {
    return false
  }
}

import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Mounter, OverlayMountOptions, SpecialFile } from './mounter.js'

export type MounterCall =
  | { op: 'mountOverlay'; opts: OverlayMountOptions }
  | { op: 'unmount'; target: string; lazy: boolean }
  | { op: 'makeSpecialFiles'; root: string; files: SpecialFile[] }

/**
 * Records calls instead of mounting, so snapshotter logic runs without root or overlayfs.
 * Special files become empty regular files (so paths exist); opaque dirs are only recorded.
 */
export class FakeMounter implements Mounter {
  readonly calls: MounterCall[] = []
  readonly mounted = new Map<string, OverlayMountOptions>()

  async mountOverlay(opts: OverlayMountOptions): Promise<void> {
    this.calls.push({ op: 'mountOverlay', opts })
    this.mounted.set(opts.target, opts)
  }

  async unmount(target: string, opts: { lazy?: boolean } = {}): Promise<void> {
    this.calls.push({ op: 'unmount', target, lazy: opts.lazy ?? false })
    this.mounted.delete(target)
  }

  async isMountpoint(path: string): Promise<boolean> {
    return this.mounted.has(path)
  }

  async makeSpecialFiles(root: string, files: readonly SpecialFile[]): Promise<void> {
    this.calls.push({ op: 'makeSpecialFiles', root, files: [...files] })
    for (const f of files) if (f.type !== 'opaque-dir') await writeFile(join(root, f.path), '')
  }
}

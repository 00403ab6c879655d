import type { OverlayMountOptions, SpecialFile } from '../../sys/mount.js'

export type { OverlayMountOptions, SpecialFile }

/**
 * The OS operations the overlay snapshotter needs. sys/mount.ts implements them for real
 * (`{ mountOverlay, unmount, isMountpoint, makeSpecialFiles }`); FakeMounter records them.
 */
export interface Mounter {
  mountOverlay(opts: OverlayMountOptions): Promise<void>
  /** Idempotent: a target that is not mounted is fine. */
  unmount(target: string, opts?: { lazy?: boolean }): Promise<void>
  isMountpoint(path: string): Promise<boolean>
  /** Device nodes, fifos, whiteouts (char 0/0) and opaque-dir xattrs, relative to root. */
  makeSpecialFiles(root: string, files: readonly SpecialFile[]): Promise<void>
}

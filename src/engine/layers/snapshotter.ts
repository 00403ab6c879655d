/**
 * Snapshotter: layer directories on disk and the overlay mounts made from them.
 *
 * - Image layers are unpacked once into `layers/<chain-hex>/diff` and never change afterwards; they are
 *   shared by every image that has the same chain (chain ID as in the OCI image spec:
 *   chain(L0) = diffID(L0), chain(Ln) = sha256(chain(Ln-1) + " " + diffID(Ln))).
 * - A container gets a writable snapshot: `prepare(key, parentChain)` creates upper/work dirs;
 *   `mount(key, target, readonly)` overlays them on the parent chain's diff dirs; `unmount`; `remove`.
 * - A build step's snapshot ends as a layer: `commitUpperDir` moves its upper dir into place as the
 *   layer's diff dir (it is in overlay's format already), where `applyLayer` would unpack its tar.
 * Errors: NotFound for an unknown key or chain; RuntimeError when mount(8)/umount fail.
 */
export interface LayerInfo {
  chainId: string
  diffId: string
  parentChainId: string | undefined
  /** Bytes of the unpacked layer. */
  size: number
}

/** A layer applyLayer returns: `tarSize` (bytes of the tar, verified against the diff id) only when this call unpacked it. */
export interface AppliedLayer extends LayerInfo {
  tarSize?: number
}

/** A layer tar stored as a file of its own (the content store's): an unpacker may read it itself. */
export interface LayerFile {
  kind: 'file'
  path: string
}

/** An uncompressed layer tar: a stream, or a stored file. */
export type LayerSource = NodeJS.ReadableStream | LayerFile

export function isLayerFile(src: LayerSource): src is LayerFile {
  return (src as Partial<LayerFile>).kind === 'file' && typeof (src as Partial<LayerFile>).path === 'string'
}

export interface ApplyLayerOptions {
  /**
   * Resolves once the parent layer exists (it may still be unpacking when applyLayer is called): the tar
   * is unpacked right away and the layer is registered only after this resolves; its rejection fails the call.
   */
  parentReady?: Promise<unknown>
}

export interface Snapshotter {
  /** Unpacks an uncompressed layer tar (OCI whiteouts are converted to overlay whiteouts). Idempotent per chain. */
  applyLayer(parentChainId: string | undefined, diffId: string, tar: LayerSource, opts?: ApplyLayerOptions): Promise<AppliedLayer>
  /**
   * Makes a snapshot's upper dir the layer `diffId` on `parentChainId` by moving it into place, nothing
   * unpacked (containerd's overlay Commit: the active snapshot's upper becomes the committed layer).
   * Preconditions: `upperDir` is not mounted, is on the layers' filesystem, and holds exactly what the
   * tar `diffId` unpacks to, in overlay's own format (whiteouts, opaque dirs); `size` is what applyLayer
   * would record for that tar. The dir is gone once this resolves with a new layer. Idempotent per
   * chain: when the layer exists, it is returned and the dir is left alone. NotFound for an unknown
   * parent; when the dir cannot be moved (another filesystem...), an fs error, and the dir stays where it
   * is (apply the tar instead).
   */
  commitUpperDir(parentChainId: string | undefined, diffId: string, upperDir: string, size: number): Promise<LayerInfo>
  hasLayer(chainId: string): Promise<boolean>
  layerInfo(chainId: string): Promise<LayerInfo>
  /** Deletes a layer dir; callers ensure nothing references it. */
  removeLayer(chainId: string): Promise<void>
  /**
   * Creates an empty writable snapshot over the given chain (undefined = empty rootfs, as FROM scratch).
   * `volatile`: the snapshot need not survive a host crash (its record is not fsynced).
   */
  prepare(key: string, parentChainId: string | undefined, opts?: { volatile?: boolean }): Promise<void>
  /**
   * Mounts the overlay at target; returns the target. `volatile`: the upper need not survive a host
   * crash (overlay's volatile option: no sync on unmount), for snapshots that are thrown away after use.
   */
  mount(key: string, target: string, opts?: { readonly?: boolean; volatile?: boolean }): Promise<string>
  unmount(target: string): Promise<void>
  /** Upper dir of a snapshot: what the container changed. */
  upperDir(key: string): string
  /** The read-only diff dirs under a chain, top layer first (for `docker diff`: added vs changed). */
  lowerDirs?(chainId: string): Promise<string[]>
  /** Idempotent: removing a snapshot that is already gone is fine (a removal interrupted by a crash can be retried). */
  removeSnapshot(key: string): Promise<void>
}

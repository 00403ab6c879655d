// Layers: unpacked image layers and the overlay snapshots containers run on.
// Imports only common/ (and types from sys/); mounts go through an injected Mounter.
export { isLayerFile, type AppliedLayer, type ApplyLayerOptions, type LayerFile, type LayerInfo, type LayerSource, type Snapshotter } from './snapshotter.js'
export type { Mounter, OverlayMountOptions, SpecialFile } from './mounter.js'
export { OverlaySnapshotter, type OverlaySnapshotterDeps } from './overlay-snapshotter.js'
export { FakeSnapshotter } from './fake-snapshotter.js'
export { FakeMounter, type MounterCall } from './fake-mounter.js'
export { chainIdOf, chainIds } from './chain-id.js'
export { packTar, type TarEntry } from './pack-tar.js'
export { overlayTarArgv, overlayToOciLayer, withUpperDirLayer, type OciLayerOptions, type OciLayerStats, type UpperDirLayer } from './overlay-diff.js'
export { inProcessUnpacker, type LayerUnpacker, type UnpackResult } from './unpack-layer.js'

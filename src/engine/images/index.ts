// Images: content store, image records and references, import and bootstrap.
// Imports only common/, events/ and layers/ (through their index); never sys/ or runtime/ values.
export type {
  ImageConfigBlob,
  ImageDeleteResult,
  ImageHistoryEntry,
  ImageListOptions,
  ImageRecord,
  ImageRemoveOptions,
  ImageRuntimeConfig,
  ImageService,
} from './types.js'
export { familiarName, familiarReference, normalizeReference, parseReference, type ParsedReference } from './reference.js'
export { ContentStore, type IngestExpectation } from './content-store.js'
export { ImageStore, type ImageStoreDeps } from './image-store.js'
export { applyChanges } from './image-changes.js'
export type { ImageDiskUsage } from './image-disk-usage.js'
export { bootstrapBusybox, busyboxCreatedBy, busyboxEntries, type BootstrapBusyboxOptions } from './bootstrap.js'
export { bootstrapRegistry, REGISTRY_IMAGE, type BootstrapRegistryOptions } from './bootstrap-registry.js'
export { decompressStream, detectCompression } from './decompress.js'
export { hostArchitecture, parsePlatform, type Platform } from './platform.js'
export type {
  BlobRange,
  ExternalDecompressor,
  FetchedManifest,
  ProgressEvent,
  ProgressSink,
  RegistryAuth,
  RegistryClient,
  RegistryRepository,
} from './distribution-types.js'
export { ImageDistribution, type ImageDistributionDeps, type ImageDistributionService } from './distribution.js'
export { MediaTypes, parseManifest, choosePlatform, type Descriptor, type ImageManifest, type ImageIndex } from './manifest.js'
export type { PullOptions } from './pull.js'
export type { PushOptions, PushResult } from './push.js'
export { ImageArchives, type ImageArchiveService, type ImagePruneResult } from './archive.js'
export { ImageCommitter } from './image-committer.js'

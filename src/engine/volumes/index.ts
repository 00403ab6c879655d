// Volumes: the local volume driver and the container hook that decides every mount (volumes, binds,
// tmpfs). Imports common/, events/ and the containers/ contracts; never api/, node:http or node:child_process.
export * from './types.js'
export { LocalVolumeService, validateVolumeName, validateDriverOpts, treeSize, type LocalVolumeServiceDeps } from './volume-service.js'
export { VolumeHooks, mountRequests, type VolumeHooksDeps } from './volume-hooks.js'
export { parseBind, parseMount, parseTmpfs, parseVolumesFrom, validMountMode, type MountRequest, type MountWire } from './mount-spec.js'
export { matchVolumeFilters, validateVolumeFilters, validatePruneFilters } from './volume-filters.js'
export { copyUp } from './copy-up.js'

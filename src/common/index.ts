// Shared vocabulary: errors, ids, digests, logger contract, atomic files. Imports nothing from src/.
export * from './errors.js'
export * from './digest.js'
export * from './ids.js'
export * from './logger.js'
export * from './atomic-file.js'
export * from './oci-spec.js'
export * from './human-duration.js'
export * from './versions.js'

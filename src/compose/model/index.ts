/**
 * Compose files → ComposeProject (the normalized model) and `compose config` output: reading,
 * interpolating, schema-validating, merging and normalizing Compose files. Imports only common/
 * and compose/labels.ts, never the engine or the client; other folders use only these exports.
 */
export type * from './types.js'
export { ComposeError } from './compose-error.js'
export { loadProject } from './load-project.js'
export { withServicesEnabled } from './build-project.js'
export { parseDuration, formatDuration, parseSize } from './units.js'
export { splitShellWords } from './shell-words.js'
export { renderConfig, type RenderConfigOptions } from './render-config.js'

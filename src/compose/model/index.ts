/**
 * Compose files → ComposeProject (normalized model). The loader, the `config` renderer and the
 * error type are the only things other folders use.
 */
export type * from './types.js'
export { ComposeError } from './compose-error.js'
export { loadProject } from './load-project.js'
export { withServicesEnabled } from './build-project.js'
export { parseDuration, formatDuration, parseSize } from './units.js'
export { splitShellWords } from './shell-words.js'
export { renderConfig, type RenderConfigOptions } from './render-config.js'

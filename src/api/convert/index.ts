// Translation between engine (camelCase) and Docker wire (PascalCase) shapes. Pure functions.
export * from './human-duration.js'
export * from './filters.js'
export * from './log-time.js'
export * from './container-spec.js'
export * from './container-view.js'
export * from './image-view.js'
export * from './system-view.js'
export * from './event-view.js'

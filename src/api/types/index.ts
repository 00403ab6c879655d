// Docker Engine API wire types (PascalCase, as Docker sends them). A leaf: imports nothing,
// shared by api/, client/, cli/ and web/.
export type * from './container.js'
export type * from './image.js'
export type * from './system.js'
export type * from './volume.js'
export type * from './network.js'
export * from './exec.js'

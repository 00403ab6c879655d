// Compose's operations on an existing project's containers (found by their labels): listing,
// ordering by service dependency, lifecycle (start/stop/restart/kill/pause/rm), logs, top, images,
// events. Talks to the daemon only through the EngineClient; never imports engine/, daemon/ or cli/.
export * from './project-containers.js'
export * from './dependency-order.js'
export * from './progress.js'
export * from './lifecycle.js'
export * from './ps.js'
export * from './stacks.js'
export * from './log-printer.js'
export * from './logs.js'
export * from './inspect-ops.js'

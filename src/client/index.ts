// EngineClient contract + its HTTP implementation, Docker wire types, stream helpers.
// Imports only common/ (and api/types once it exists); never engine/, api/ code, cli/.
export * from './engine-client.js'
export * from './http-engine-client.js'
export * from './daemon-host.js'
export * from './endpoint.js'
export * from './context-store.js'
export * from './errors.js'
export * from './frames.js'
export * from './json-stream.js'
export type * from './types.js'

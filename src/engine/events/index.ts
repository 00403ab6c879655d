// The engine's event bus. Imports only common/.
export * from './event-bus.js'

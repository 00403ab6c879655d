// Stream encodings of the Docker API: stdcopy framing, JSON progress lines, hijacked connections.
export * from './websocket.js'
export * from './multiplex.js'
export * from './json-stream.js'
export * from './hijack.js'
export * from './progress.js'

// The Docker Engine REST API (v1.50, down to 1.24) over node:http. Imports engine/ contracts and
// common/; nothing imports api/ except daemon/ (and client/, cli/, web/ only api/types).
export { createApiServer, allRoutes, type ApiServerOptions } from './server.js'
export type { VersionInfo, RequestContext, RouteDeps } from './context.js'
export type { Route, RouteHandler } from './router.js'
export { statusByKind } from './errors.js'
export { maxApiVersion, minApiVersion } from './version.js'
export { createDemuxer, muxFrame } from './stream/index.js'
export type * from './types/index.js'
// In-memory engine for tests of api/ and of clients that talk to it (client/, cli/).
export { createFakeEngine, type FakeEngine, type FakeScript } from './testing/fake-engine.js'
